"""Mail: the outbox relay and its senders (console by default)."""
