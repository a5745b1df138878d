"""DataLoaders, built per request: nested lists cost one batch each, not one query per parent."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date

from strawberry.dataloader import DataLoader

from domain.bookings import Booking
from domain.intervals import Interval
from domain.locations import Location
from domain.rooms import Room
from domain.users import User
from gateway.services.ports import BatchReader

RoomDay = tuple[int, Interval]


class Loaders:
    def __init__(self, reader: BatchReader) -> None:
        self._reader = reader
        self.users = DataLoader[int, User | None](load_fn=self._users)
        self.locations = DataLoader[int, Location | None](load_fn=self._locations)
        self.children = DataLoader[int, list[Location]](load_fn=self._children)
        self.floor_rooms = DataLoader[int, list[Room]](load_fn=self._floor_rooms)
        self.rooms = DataLoader[int, Room | None](load_fn=self._rooms)
        self.room_bookings = DataLoader[RoomDay, list[Booking]](load_fn=self._room_bookings)

    async def _users(self, ids: Sequence[int]) -> list[User | None]:
        found = await self._reader.users_by_id(ids)
        return [found.get(i) for i in ids]

    async def _locations(self, ids: Sequence[int]) -> list[Location | None]:
        found = await self._reader.locations_by_id(ids)
        return [found.get(i) for i in ids]

    async def _children(self, ids: Sequence[int]) -> list[list[Location]]:
        found = await self._reader.children_of(ids)
        return [found.get(i, []) for i in ids]

    async def _floor_rooms(self, ids: Sequence[int]) -> list[list[Room]]:
        found = await self._reader.rooms_by_location(ids)
        return [found.get(i, []) for i in ids]

    async def _rooms(self, ids: Sequence[int]) -> list[Room | None]:
        found = await self._reader.rooms_by_id(ids)
        return [found.get(i) for i in ids]

    async def _room_bookings(self, keys: Sequence[RoomDay]) -> list[list[Booking]]:
        """Each key is a room and a window (sites may sit in different zones). Keys are
        grouped by the UTC day their window starts on, one query per group, so asking
        for dates years apart never loads the years in between."""
        groups: dict[date, list[RoomDay]] = defaultdict(list)
        for key in keys:
            groups[key[1].start.date()].append(key)
        found: dict[RoomDay, list[Booking]] = {}
        for group in groups.values():
            span = Interval(min(w.start for _, w in group), max(w.end for _, w in group))
            by_room = await self._reader.bookings_by_room(sorted({r for r, _ in group}), span)
            for room_id, window in group:
                found[(room_id, window)] = [
                    b for b in by_room.get(room_id, []) if b.interval.overlaps(window)
                ]
        return [found[key] for key in keys]
