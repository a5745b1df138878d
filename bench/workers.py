"""`python -m bench.workers [--quick]`: 1 gateway process against 2 on PostgreSQL and
Redis (bench.run); `make bench` runs it under scripts/test_services.py."""

from bench.run import main

if __name__ == "__main__":
    raise SystemExit(main())
