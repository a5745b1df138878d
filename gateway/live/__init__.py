"""Live events for subscriptions: an in-memory broker by default."""
