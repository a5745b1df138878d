"""Read models for nested fields: batched look-ups that take the caller and return only
what that caller may see. DataLoaders batch calls of these; the delivery layers render
the results and decide nothing."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from domain.intervals import Interval
from domain.locations import Location
from domain.rooms import Room
from domain.slots import free_slots
from gateway.services.authz import Principal
from gateway.services.ports import BatchReader, Clock
from gateway.services.views import BookingView, PersonView, PrivateParts, private_to

RoomDayRequest = tuple[Room, date | None]
"""A room and a site-local day; None means the site's today."""


@dataclass(frozen=True)
class RoomDay:
    """One room on one site-local day: its bookable window, the active bookings in it (as
    the caller may see them) and the slots still on offer (free, and not in the past)."""

    room: Room
    day: date
    window: Interval
    bookings: tuple[BookingView, ...]
    slots: tuple[Interval, ...]


class Reads:
    """Batched reads for anybody signed in. Each call costs a fixed number of statements
    whatever the number of keys, and opens its own short read session."""

    def __init__(self, reader: BatchReader, clock: Clock) -> None:
        self._reader = reader
        self._clock = clock

    async def people(self, principal: Principal, ids: Sequence[int]) -> Mapping[int, PersonView]:
        """People the caller may know of: themselves, anybody for an admin, and otherwise
        only those they share a booking with. Anybody else is left out, exactly like an
        id with no account, so accounts cannot be enumerated by id."""
        viewer = principal.require()
        wanted = list(ids)
        if not viewer.is_admin:
            others = [i for i in wanted if i != viewer.user_id]
            known = await self._reader.sharing_a_booking(viewer, others) if others else set()
            wanted = [i for i in wanted if i == viewer.user_id or i in known]
        found = await self._reader.users_by_id(wanted) if wanted else {}
        return {i: PersonView.of(user, viewer) for i, user in found.items()}

    async def private_parts(
        self, principal: Principal, ids: Sequence[int]
    ) -> Mapping[int, PrivateParts]:
        """Profile details and security settings of the people the caller may see them
        of (`views.private_to`: themselves, or anybody for an admin); others left out."""
        viewer = principal.require()
        wanted = [i for i in ids if private_to(viewer, i)]
        return await self._reader.private_parts(wanted) if wanted else {}

    async def locations(self, principal: Principal, ids: Sequence[int]) -> Mapping[int, Location]:
        principal.require()
        return await self._reader.locations_by_id(ids)

    async def children(
        self, principal: Principal, ids: Sequence[int]
    ) -> Mapping[int, list[Location]]:
        principal.require()
        return await self._reader.children_of(ids)

    async def floor_rooms(
        self, principal: Principal, ids: Sequence[int]
    ) -> Mapping[int, list[Room]]:
        principal.require()
        return await self._reader.rooms_by_location(ids)

    async def rooms(self, principal: Principal, ids: Sequence[int]) -> Mapping[int, Room]:
        principal.require()
        return await self._reader.rooms_by_id(ids)

    async def room_days(
        self, principal: Principal, requests: Sequence[RoomDayRequest]
    ) -> list[RoomDay]:
        """The room-day read behind Room.bookings, Room.availableSlots and every
        available-slots endpoint. Requests are grouped by the UTC date their window starts
        on, one statement per group, so dates years apart never load the years between."""
        viewer = principal.require()
        now = self._clock.now()
        planned = [_plan(room, day, now) for room, day in requests]
        groups: dict[date, list[tuple[Room, Interval]]] = defaultdict(list)
        for room, _, window in planned:
            groups[window.start.date()].append((room, window))
        busy: dict[tuple[int, Interval], list[BookingView]] = {}
        for group in groups.values():
            span = Interval(min(w.start for _, w in group), max(w.end for _, w in group))
            by_room = await self._reader.bookings_by_room(sorted({r.id for r, _ in group}), span)
            for room, window in group:
                busy[(room.id, window)] = [
                    BookingView.of(b, viewer)
                    for b in by_room.get(room.id, [])
                    if b.interval.overlaps(window)
                ]
        days = []
        for room, day, window in planned:
            views = busy[(room.id, window)]
            slots = free_slots(window, (v.interval for v in views), not_before=now)
            days.append(RoomDay(room, day, window, tuple(views), tuple(slots)))
        return days


def _plan(room: Room, day: date | None, now: datetime) -> tuple[Room, date, Interval]:
    calendar = room.calendar
    local = day if day is not None else calendar.local_day(now)
    return room, local, calendar.bookable_window(local)
