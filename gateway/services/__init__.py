"""Async use cases, the ports they need, and authorisation."""
