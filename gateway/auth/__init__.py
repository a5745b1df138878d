"""Password hashing, JWT access tokens and the Starlette authentication backend."""
