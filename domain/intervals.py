"""Half-open time intervals over aware instants."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from domain.errors import invalid


def require_aware(instant: datetime, field: str) -> datetime:
    """Reject naive datetimes (an instant without a zone is ambiguous) and instants that
    fall outside the representable UTC range once their offset is applied."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise invalid(f"{field} must carry a time zone offset", field)
    try:
        instant.astimezone(UTC)
    except OverflowError:
        raise invalid(f"{field} is out of range", field) from None
    return instant


@dataclass(frozen=True, order=True)
class Interval:
    """[start, end) in UTC: back-to-back intervals do not overlap.

    Both ends are converted to UTC, because Python compares two datetimes that share a
    tzinfo by wall-clock time, which is wrong across a daylight-saving change.
    """

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        object.__setattr__(self, "start", require_aware(self.start, "start").astimezone(UTC))
        object.__setattr__(self, "end", require_aware(self.end, "end").astimezone(UTC))
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
