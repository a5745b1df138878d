"""Sensor readings: what a reading is, which ones are refused, and how a leaf's live count
follows them.

A reading is a count snapshot (`{"locationId", "time", "count"}`) or a passage
(`{"locationId", "time", "direction": "in"|"out", "visitor"?}`). Readings may arrive late,
out of order or twice:
- the live count follows only readings at or after the newest one applied (an older
  snapshot is history, not news; an older passage is already inside a newer snapshot);
- a reading equal to one already received (same location, instant, kind, count or
  visitor) is a duplicate: it is acknowledged and changes nothing;
- a count never goes negative: negative snapshots are refused, and an exit from an empty
  place leaves it at 0.
Every snapshot, and every passage that moves the live count, is an occupancy sample of
its hour.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from domain.ids import MAX_ROW_ID
from domain.occupancy import LeafState
from domain.text import text_problem
from domain.time_bounds import EARLIEST

MAX_COUNT = 1_000_000
MAX_VISITOR = 64
# Sensors with skewed clocks are tolerated a little; readings from far ahead are refused.
MAX_FUTURE = timedelta(minutes=5)


class Direction(StrEnum):
    IN = "in"
    OUT = "out"


@dataclass(frozen=True)
class Reading:
    """`count` for a snapshot; `direction` (and maybe `visitor`) for a passage."""

    location_id: int
    at: datetime
    count: int | None = None
    direction: Direction | None = None
    visitor: str | None = None

    @property
    def kind(self) -> str:
        return "count" if self.direction is None else self.direction.value

    @property
    def identity(self) -> tuple[int, datetime, str, int | None, str | None]:
        """Two readings with the same identity are one reading received twice."""
        return (self.location_id, self.at, self.kind, self.count, self.visitor)


class Refused(Exception):
    """Why one reading of a batch is refused; the others go on."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _instant(raw: object, now: datetime) -> datetime:
    if not isinstance(raw, str):
        raise Refused("time must be an ISO 8601 string with an offset")
    try:
        parsed = datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
    except ValueError:
        raise Refused(f"time {raw[:40]!r} is not an ISO 8601 instant") from None
    if parsed.tzinfo is None:
        raise Refused("time must carry an offset (Z or +hh:mm)")
    try:
        at = parsed.astimezone(UTC)
    except OverflowError:
        raise Refused("time is out of range") from None
    if at < EARLIEST:
        raise Refused("time must be after 1970-01-01 (UTC)")
    if at > now + MAX_FUTURE:
        raise Refused("time is in the future")
    return at


def _location(raw: object) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int | str):
        raise Refused("locationId must be a location number")
    text = str(raw).strip()
    if not (text.isascii() and text.isdigit()) or not 0 < int(text) <= MAX_ROW_ID:
        raise Refused("locationId must be a location number")
    return int(text)


def parse_reading(raw: object, now: datetime) -> Reading:
    """One reading as sent, or Refused with the reason."""
    if not isinstance(raw, Mapping):
        raise Refused("a reading must be a JSON object")
    item: Mapping[str, Any] = raw
    location_id = _location(item.get("locationId"))
    at = _instant(item.get("time"), now)
    has_count, has_direction = "count" in item, "direction" in item
    if has_count == has_direction:
        raise Refused("a reading has either count or direction")
    if has_count:
        count = item["count"]
        if isinstance(count, bool) or not isinstance(count, int):
            raise Refused("count must be a whole number")
        if not 0 <= count <= MAX_COUNT:
            raise Refused(f"count must be between 0 and {MAX_COUNT}")
        if "visitor" in item:
            raise Refused("only passages carry a visitor")
        return Reading(location_id, at, count=count)
    direction = item["direction"]
    if direction not in ("in", "out"):
        raise Refused('direction must be "in" or "out"')
    visitor = item.get("visitor")
    if visitor is not None and (
        not isinstance(visitor, str) or not 0 < len(visitor.strip()) <= MAX_VISITOR
    ):
        raise Refused(f"visitor must be a string of 1 to {MAX_VISITOR} characters")
    problem = None if visitor is None else text_problem(visitor)
    if problem is not None:
        raise Refused(f"visitor {problem}")
    return Reading(
        location_id,
        at,
        direction=Direction(direction),
        visitor=visitor.strip() if visitor else None,
    )


@dataclass(frozen=True)
class Applied:
    """What one reading did: the leaf's state after it, whether it moved the live count,
    and the occupancy sample it gives its hour (None: a late passage, whose count at the
    time is unknown; a late snapshot is still a true sample of its moment)."""

    state: LeafState
    moved: bool
    sample: int | None


def apply(state: LeafState | None, reading: Reading) -> Applied:
    """The leaf's state after `reading` (not a duplicate; duplicates are dropped first)."""
    earliest = reading.at if state is None else min(state.earliest_at, reading.at)
    if state is not None and reading.at < state.counted_at:
        kept = LeafState(state.count, state.counted_at, earliest)
        return Applied(kept, False, reading.count)
    current = 0 if state is None else state.count
    if reading.count is not None:
        count = reading.count
    elif reading.direction is Direction.IN:
        count = min(current + 1, MAX_COUNT)
    else:
        count = max(current - 1, 0)
    return Applied(LeafState(count, reading.at, earliest), True, count)


@dataclass(frozen=True)
class VisitEnd:
    """Half a visit waiting for its other half: an entry (`left_at` None) or, when the
    exit arrived first, an exit (`entered_at` None). `id` None: not stored yet."""

    visitor: str
    entered_at: datetime | None
    left_at: datetime | None
    id: int | None = None


def pair(pending: list[VisitEnd], passage: Reading) -> VisitEnd | None:
    """The waiting half that `passage` completes: an exit completes the latest entry at
    or before it; an entry completes the earliest exit at or after it."""
    if passage.direction is Direction.OUT:
        entries = [p for p in pending if p.entered_at is not None and p.entered_at <= passage.at]
        return max(entries, key=lambda p: p.entered_at or passage.at, default=None)
    exits = [p for p in pending if p.left_at is not None and p.left_at >= passage.at]
    return min(exits, key=lambda p: p.left_at or passage.at, default=None)
