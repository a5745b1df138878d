"""How full the location tree is: capacity, live counts, active/stale, percentages.

Leaves (rooms, zones, and any location without children) carry their own capacity and
their last reading; a parent's capacity and count are the sums of its children's, it is
active when any child is, and its earliest count is the earliest of its subtree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from domain.locations import Location

_HUNDREDTH = Decimal("0.01")


def percentage(count: float, capacity: int | None) -> float | None:
    """count / capacity as a fraction rounded half-up to 2 decimals (0.125 -> 0.13);
    None when the capacity is unknown or 0."""
    if not capacity:
        return None
    ratio = Decimal(str(count)) / Decimal(capacity)
    return float(ratio.quantize(_HUNDREDTH, rounding=ROUND_HALF_UP))


def round_half_up(value: float) -> int:
    """Averages shown as whole people: 2.5 -> 3, not Python's banker's 2."""
    return int(Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class LeafState:
    """What the sensors last said about one leaf: its count, when, and its first reading."""

    count: int
    counted_at: datetime
    earliest_at: datetime


@dataclass(frozen=True)
class Occupancy:
    """One location now. `timestamp` is the newest reading in the subtree (None: never)."""

    location: Location
    count: int
    capacity: int | None
    is_active: bool
    timestamp: datetime | None
    earliest_at: datetime | None
    children: tuple[int, ...]

    @property
    def percentage(self) -> float | None:
        return percentage(self.count, self.capacity)


def is_active(counted_at: datetime | None, now: datetime, stale_after: timedelta) -> bool:
    """A leaf is active while its last reading is at most `stale_after` old."""
    return counted_at is not None and now - counted_at <= stale_after


def occupancy_tree(
    locations: Iterable[Location],
    leaves: Mapping[int, LeafState],
    *,
    now: datetime,
    stale_after: timedelta,
    at_least: Mapping[int, int] | None = None,
) -> dict[int, Occupancy]:
    """The occupancy of every location. `at_least` gives people known to be at a location
    by other means (on-site presence per site): its count is at least that many. It is a
    floor, not an addition, because the sensors may be counting the same people."""
    by_id = {loc.id: loc for loc in locations}
    children: dict[int, list[int]] = {i: [] for i in by_id}
    for loc in by_id.values():
        if loc.parent_id in children:
            children[loc.parent_id].append(loc.id)
    at_least = at_least or {}
    done: dict[int, Occupancy] = {}

    def visit(location_id: int) -> Occupancy:
        if location_id in done:
            return done[location_id]
        loc, kids = by_id[location_id], sorted(children[location_id])
        subs = [visit(k) for k in kids]
        own = leaves.get(location_id)
        if subs:
            capacities = [s.capacity for s in subs if s.capacity is not None]
            capacity = sum(capacities) if capacities else None
            count = sum(s.count for s in subs)
            active = any(s.is_active for s in subs)
            stamps = [s.timestamp for s in subs if s.timestamp is not None]
            earliest = [s.earliest_at for s in subs if s.earliest_at is not None]
        else:
            capacity, count = loc.capacity, own.count if own else 0
            active = is_active(own.counted_at if own else None, now, stale_after)
            stamps = [own.counted_at] if own else []
            earliest = [own.earliest_at] if own else []
        result = Occupancy(
            location=loc,
            count=max(count, at_least.get(location_id, 0)),
            capacity=capacity,
            is_active=active,
            timestamp=max(stamps, default=None),
            earliest_at=min(earliest, default=None),
            children=tuple(kids),
        )
        done[location_id] = result
        return result

    for location_id in by_id:
        visit(location_id)
    return done


def subtree(locations: Iterable[Location], root_id: int) -> set[int]:
    """The ids of `root_id` and all its descendants."""
    children: dict[int | None, list[int]] = {}
    for loc in locations:
        children.setdefault(loc.parent_id, []).append(loc.id)
    found, todo = set(), [root_id]
    while todo:
        current = todo.pop()
        if current not in found:
            found.add(current)
            todo.extend(children.get(current, []))
    return found


def with_ancestors(locations: Iterable[Location], ids: Iterable[int]) -> set[int]:
    """`ids` and every location above them: whose counts change when theirs do."""
    parent = {loc.id: loc.parent_id for loc in locations}
    found: set[int] = set()
    for location_id in ids:
        current: int | None = location_id
        while current is not None and current not in found:
            found.add(current)
            current = parent.get(current)
    return found
