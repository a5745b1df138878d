"""The location tree: site → building → floor → room or zone.

A zone is a place on a floor that people occupy without booking it (a lobby, a library
floor's reading area): sensors count it like a room, nobody books it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from domain.calendar import BookableHours
from domain.errors import invalid

_ROOM_CODE = re.compile(r"^RM[A-Za-z0-9_-]{1,30}$")


class LocationKind(StrEnum):
    SITE = "site"
    BUILDING = "building"
    FLOOR = "floor"
    ROOM = "room"
    ZONE = "zone"


PARENT_KIND: dict[LocationKind, LocationKind | None] = {
    LocationKind.SITE: None,
    LocationKind.BUILDING: LocationKind.SITE,
    LocationKind.FLOOR: LocationKind.BUILDING,
    LocationKind.ROOM: LocationKind.FLOOR,
    LocationKind.ZONE: LocationKind.FLOOR,
}


def check_parent(kind: LocationKind, parent: LocationKind | None, field: str = "parentId") -> None:
    """A location may only hang under the kind directly above it."""
    expected = PARENT_KIND[kind]
    if parent is not expected:
        where = f"under a {expected.value}" if expected else "at the top of the tree"
        raise invalid(f"a {kind.value} must sit {where}", field)


def check_room_code(code: str) -> str:
    if not _ROOM_CODE.fullmatch(code):
        raise invalid(f"room code {code!r} must look like RM followed by letters or digits", "code")
    return code


@dataclass(frozen=True)
class OccupancyLimits:
    """How many people a room takes; a booking's attendee count must fall within."""

    minimum: int = 1
    maximum: int | None = None

    def __post_init__(self) -> None:
        if self.minimum < 0:
            raise invalid("minimum occupancy cannot be negative", "minOccupancy")
        if self.maximum is not None and self.maximum < max(self.minimum, 1):
            raise invalid("maximum occupancy must be at least the minimum", "maxOccupancy")

    def admits(self, count: int) -> bool:
        return self.minimum <= count and (self.maximum is None or count <= self.maximum)


@dataclass(frozen=True)
class Location:
    """A node of the tree. Only sites carry a time zone and bookable hours."""

    id: int
    parent_id: int | None
    kind: LocationKind
    name: str
    time_zone: str | None = None
    bookable_hours: BookableHours | None = None
    # How many people the place holds; for a location with children it is not used, their
    # sum is (domain.occupancy.tree_capacity).
    capacity: int | None = None


MAX_CAPACITY = 1_000_000


def check_capacity(capacity: int | None, field: str = "capacity") -> int | None:
    """A capacity is a whole number of people, 0 … MAX_CAPACITY, or unknown (None)."""
    if capacity is not None and not 0 <= capacity <= MAX_CAPACITY:
        raise invalid(f"capacity must be between 0 and {MAX_CAPACITY}", field)
    return capacity


def zone_of(location: Location, by_id: Mapping[int, Location]) -> str | None:
    """The time zone of the site `location` belongs to (None: it hangs under no site)."""
    current: Location | None = location
    while current is not None and current.time_zone is None:
        current = by_id.get(current.parent_id) if current.parent_id is not None else None
    return current.time_zone if current is not None else None
