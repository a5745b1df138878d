"""DataLoaders, built per operation for its caller: nested lists cost one batch each, not
one query per parent. Each batch is one call of a read model in gateway.services."""

from __future__ import annotations

from collections.abc import Sequence

from strawberry.dataloader import DataLoader

from domain.locations import Location
from domain.office_hours import OfficeHours
from domain.rooms import Room
from gateway.services.authz import Principal
from gateway.services.presence import Presence
from gateway.services.reads import Reads, RoomDay, RoomDayRequest
from gateway.services.views import PersonView, PrivateParts


class Loaders:
    def __init__(self, reads: Reads, principal: Principal, presence: Presence) -> None:
        self._reads = reads
        self._principal = principal
        self._presence = presence
        self.people = DataLoader[int, PersonView | None](load_fn=self._people)
        self.locations = DataLoader[int, Location | None](load_fn=self._locations)
        self.children = DataLoader[int, list[Location]](load_fn=self._children)
        self.floor_rooms = DataLoader[int, list[Room]](load_fn=self._floor_rooms)
        self.rooms = DataLoader[int, Room | None](load_fn=self._rooms)
        self.room_days = DataLoader[RoomDayRequest, RoomDay](load_fn=self._room_days)
        self.people_on_site = DataLoader[Location, int | None](load_fn=self._people_on_site)
        self.office_hours = DataLoader[Location, OfficeHours | None](load_fn=self._office_hours)
        self.private_parts = DataLoader[int, PrivateParts | None](load_fn=self._private_parts)

    async def _people(self, ids: Sequence[int]) -> list[PersonView | None]:
        found = await self._reads.people(self._principal, ids)
        return [found.get(i) for i in ids]

    async def _locations(self, ids: Sequence[int]) -> list[Location | None]:
        found = await self._reads.locations(self._principal, ids)
        return [found.get(i) for i in ids]

    async def _children(self, ids: Sequence[int]) -> list[list[Location]]:
        found = await self._reads.children(self._principal, ids)
        return [found.get(i, []) for i in ids]

    async def _floor_rooms(self, ids: Sequence[int]) -> list[list[Room]]:
        found = await self._reads.floor_rooms(self._principal, ids)
        return [found.get(i, []) for i in ids]

    async def _rooms(self, ids: Sequence[int]) -> list[Room | None]:
        found = await self._reads.rooms(self._principal, ids)
        return [found.get(i) for i in ids]

    async def _room_days(self, keys: Sequence[RoomDayRequest]) -> list[RoomDay]:
        return await self._reads.room_days(self._principal, keys)

    async def _people_on_site(self, sites: Sequence[Location]) -> list[int | None]:
        return await self._presence.people_on_sites(self._principal, sites)

    async def _office_hours(self, sites: Sequence[Location]) -> list[OfficeHours | None]:
        return await self._presence.office_hours_of(self._principal, sites)

    async def _private_parts(self, ids: Sequence[int]) -> list[PrivateParts | None]:
        found = await self._reads.private_parts(self._principal, ids)
        return [found.get(i) for i in ids]
