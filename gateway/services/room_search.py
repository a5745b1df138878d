"""Free-room search and soonest bookings: the one read behind GraphQL `freeRooms` and
`soonestBookings` and the FLEP routes `find_free_rooms` and `find_soonest_bookings`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.errors import invalid
from domain.free_rooms import Point, check_slots, distance_m
from domain.intervals import Interval
from domain.time_bounds import check_instant
from gateway.services.authz import Principal
from gateway.services.ports import RoomSearchReader
from gateway.services.timetable_records import RoomFacts, RoomFilter

LONGEST_WISH = timedelta(hours=24)
EVERY_ROOM = RoomFilter()


@dataclass(frozen=True)
class FreeFor:
    """Free for at least `minutes` from `start`."""

    start: datetime
    minutes: int

    def __post_init__(self) -> None:
        check_instant(self.start, "freeFrom")
        if not 1 <= self.minutes <= LONGEST_WISH.total_seconds() // 60:
            raise invalid("minutes must be between 1 and 1440", "freeForMinutes")

    @property
    def slot(self) -> Interval:
        return Interval(self.start, self.start + timedelta(minutes=self.minutes))


@dataclass(frozen=True)
class FreeRoom:
    room: RoomFacts
    distance_m: float | None = None
    """From the point searched near; None without one, or for a room without coordinates."""


@dataclass(frozen=True)
class SoonestBooking:
    room: RoomFacts
    block: Interval | None


class RoomSearch:
    """Anybody may search, signed in or not, unless `requires_sign_in`
    (OCCUPI_TIMETABLE_REQUIRES_SIGN_IN): the answers hold rooms and busy time only,
    never who booked or why."""

    def __init__(self, reader: RoomSearchReader, *, requires_sign_in: bool = False) -> None:
        self._reader = reader
        self._requires_sign_in = requires_sign_in

    def allow(self, principal: Principal) -> None:
        """The one rule for every timetable read: public unless the setting says so."""
        if self._requires_sign_in:
            principal.require()

    async def rooms(self, principal: Principal, where: RoomFilter = EVERY_ROOM) -> list[RoomFacts]:
        self.allow(principal)
        return _with_resources(await self._reader.rooms(where), where)

    async def free_rooms(
        self,
        principal: Principal,
        slots: Sequence[Interval],
        where: RoomFilter = EVERY_ROOM,
        *,
        free_for: FreeFor | None = None,
        near: Point | None = None,
    ) -> list[FreeRoom]:
        """Rooms free in every slot (and for `free_for`), by code, or nearest first when
        `near` is given (rooms without coordinates last). No slot: every room."""
        self.allow(principal)
        chosen = list(check_slots(slots))
        if free_for is not None:
            chosen.append(free_for.slot)
        found = _with_resources(await self._reader.free_rooms(chosen, where), where)
        if near is None:
            return [FreeRoom(r) for r in found]
        located = [
            FreeRoom(r, distance_m(near, r.coordinates) if r.coordinates else None) for r in found
        ]
        return sorted(located, key=lambda f: (f.distance_m is None, f.distance_m or 0.0))

    async def soonest_bookings(
        self, principal: Principal, after: datetime, where: RoomFilter = EVERY_ROOM
    ) -> list[SoonestBooking]:
        """Every room with its current or next block of bookings after `after` (touching
        or overlapping bookings merged), or None when nothing is left; by code."""
        self.allow(principal)
        check_instant(after, "after")
        found = await self._reader.soonest(after, where)
        keep = {r.id for r in _with_resources([r for r, _ in found], where)}
        return [SoonestBooking(r, block) for r, block in found if r.id in keep]


def _with_resources(found: list[RoomFacts], where: RoomFilter) -> list[RoomFacts]:
    wanted = {r.lower() for r in where.resources}
    if not wanted:
        return found
    return [r for r in found if wanted <= {x.lower() for x in r.resources}]
