"""Refusals that pass with time: the caller is told how long to wait before trying again."""

from __future__ import annotations

import math

from domain.errors import DomainError, ErrorCode


class RetryLater(DomainError):
    """An expected failure that is not the caller's input: a rate limit, a busy or full
    database. `retry_after` is the whole number of seconds (at least 1) to wait; GraphQL
    answers it as `retryAfter`, the REST shim as a `Retry-After` header."""

    def __init__(
        self, code: ErrorCode, message: str, *, retry_after: int, field: str | None = None
    ) -> None:
        super().__init__(code, message, field=field)
        self.retry_after = max(1, retry_after)

    def __repr__(self) -> str:
        return f"RetryLater({self.code.value}, {self.message!r}, retry_after={self.retry_after})"


def whole_seconds(seconds: float) -> int:
    """A wait rounded up to whole seconds, never below one (a Retry-After of 0 invites a
    tight retry loop)."""
    return max(1, math.ceil(seconds))


def retry_after_of(error: DomainError) -> int | None:
    """The wait a refusal asks for, or None when trying again will not help."""
    return error.retry_after if isinstance(error, RetryLater) else None
