"""A clock tests can set and move."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

# Monday 23 November 2026, 08:00 in Johannesburg (06:00 UTC).
START = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)


class MutableClock:
    def __init__(self, now: datetime = START) -> None:
        self._now = now

    def now(self) -> datetime:
        return self._now

    def set(self, now: datetime) -> None:
        self._now = now

    def advance(self, delta: timedelta) -> None:
        self._now += delta
