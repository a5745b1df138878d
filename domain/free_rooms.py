"""Free-room search and soonest bookings: which rooms are free in every selected slot,
each room's current or next block of bookings, and distances between points.

Bookings of every source (ad-hoc, timetable, external) count the same here.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.errors import invalid
from domain.intervals import Interval, require_aware
from domain.time_bounds import check_instant

MAX_SLOTS = 100
"""More slots than a week of hourly cells is not a search but a scan."""

LONGEST_BOOKING = timedelta(hours=26)
"""No booking lasts longer (an ad-hoc booking stays within one local day of at most 25
hours; the timetable import refuses longer sessions), so a search only needs bookings
that start at most this long before a slot: that bound is what lets it use the index."""

EARTH_RADIUS_M = 6_371_000.0


def check_slots(slots: Sequence[Interval], field: str = "slots") -> tuple[Interval, ...]:
    """The selection as given, or INVALID_INPUT when there are too many slots."""
    if len(slots) > MAX_SLOTS:
        raise invalid(f"at most {MAX_SLOTS} slots may be selected; got {len(slots)}", field)
    for slot in slots:
        # Within 1970-2100 (domain.time_bounds), like every instant a caller sends.
        check_instant(slot.start, field)
        check_instant(slot.end, field)
    return tuple(slots)


def free_in_every_slot(busy: Iterable[Interval], slots: Sequence[Interval]) -> bool:
    """True when no busy interval overlaps any slot (half-open: back-to-back is free).

    An empty selection asks nothing, so every room is free in it.
    """
    return not any(b.overlaps(s) for b in busy for s in slots)


def soonest_block(busy: Iterable[Interval], after: datetime) -> Interval | None:
    """The current or next block of bookings after `after`: the first booking that has not
    ended by then, merged with every booking that touches or overlaps the block so far.

    A booking ending exactly at `after` is over (half-open intervals). None when nothing
    is left.
    """
    after = require_aware(after, "after")
    pending = sorted(b for b in busy if b.end > after)
    if not pending:
        return None
    start, end = pending[0].start, pending[0].end
    for booking in pending[1:]:
        if booking.start > end:
            break
        end = max(end, booking.end)
    return Interval(start, end)


@dataclass(frozen=True)
class Point:
    """A WGS84 position in degrees."""

    latitude: float
    longitude: float

    def __post_init__(self) -> None:
        if not (math.isfinite(self.latitude) and -90 <= self.latitude <= 90):
            raise invalid("latitude must be between -90 and 90 degrees", "latitude")
        if not (math.isfinite(self.longitude) and -180 <= self.longitude <= 180):
            raise invalid("longitude must be between -180 and 180 degrees", "longitude")


def distance_m(a: Point, b: Point) -> float:
    """Great-circle (haversine) distance in metres, on a sphere of radius 6371 km."""
    lat1, lat2 = math.radians(a.latitude), math.radians(b.latitude)
    dlat = lat2 - lat1
    dlon = math.radians(b.longitude - a.longitude)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))
