"""Half-open time intervals over aware instants."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.errors import invalid


def require_aware(instant: datetime, field: str) -> datetime:
    """Reject naive datetimes: an instant without a zone is ambiguous."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise invalid(f"{field} must carry a time zone offset", field)
    return instant


@dataclass(frozen=True, order=True)
class Interval:
    """[start, end): back-to-back intervals do not overlap."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        require_aware(self.start, "start")
        require_aware(self.end, "end")
        if not self.start < self.end:
            raise invalid("start must be before end", "end")

    def overlaps(self, other: Interval) -> bool:
        return self.start < other.end and other.start < self.end

    def contains(self, other: Interval) -> bool:
        return self.start <= other.start and other.end <= self.end

    def clip(self, window: Interval) -> Interval | None:
        """The part of this interval inside `window`, or None when they do not overlap."""
        start, end = max(self.start, window.start), min(self.end, window.end)
        return Interval(start, end) if start < end else None
