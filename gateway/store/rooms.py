"""Rooms repository. A room row extends its location row; its calendar is its site's."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, func, insert, or_, select
from sqlalchemy.engine import Row
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from domain.calendar import BookableHours, SiteCalendar, parse_time_zone
from domain.errors import invalid
from domain.locations import LocationKind, OccupancyLimits
from domain.rooms import Room
from gateway.services.records import Page, PageRequest, RoomQuery
from gateway.store.pages import Keyset, fetch_page
from gateway.store.tables import locations, rooms

room_loc = locations.alias("room_loc")
floor = locations.alias("floor")
building = locations.alias("building")
site = locations.alias("site")


def select_rooms() -> Select[Any]:
    """Rooms with their name, floor and the calendar of their site, in one statement."""
    return (
        select(
            rooms,
            room_loc.c.name,
            room_loc.c.parent_id.label("floor_id"),
            building.c.id.label("building_id"),
            site.c.id.label("site_id"),
            site.c.time_zone,
            site.c.opens_at,
            site.c.closes_at,
        )
        .join(room_loc, room_loc.c.id == rooms.c.location_id)
        .join(floor, floor.c.id == room_loc.c.parent_id)
        .join(building, building.c.id == floor.c.parent_id)
        .join(site, site.c.id == building.c.parent_id)
    )


def to_room(row: Row[Any]) -> Room:
    return Room(
        id=row.location_id,
        code=row.code,
        name=row.name,
        number=row.number,
        description=row.description,
        floor_id=row.floor_id,
        limits=OccupancyLimits(row.min_occupancy, row.max_occupancy),
        resources=tuple(row.resources),
        calendar=SiteCalendar(
            parse_time_zone(row.time_zone), BookableHours(row.opens_at, row.closes_at)
        ),
    )


ROOM_ORDER = Keyset("rooms", (rooms.c.code,))


class SqlRooms:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def by_code(self, code: str) -> Room | None:
        row = (await self._session.execute(select_rooms().where(rooms.c.code == code))).first()
        return to_room(row) if row else None

    async def by_id(self, room_id: int) -> Room | None:
        stmt = select_rooms().where(rooms.c.location_id == room_id)
        row = (await self._session.execute(stmt)).first()
        return to_room(row) if row else None

    async def add(
        self,
        *,
        floor_id: int,
        code: str,
        name: str,
        number: str,
        description: str,
        limits: OccupancyLimits,
        resources: Sequence[str],
    ) -> Room:
        try:
            async with self._session.begin_nested():
                location_id = await self._session.scalar(
                    insert(locations)
                    .values(parent_id=floor_id, kind=LocationKind.ROOM.value, name=name)
                    .returning(locations.c.id)
                )
                await self._session.execute(
                    insert(rooms).values(
                        location_id=location_id,
                        code=code,
                        number=number,
                        description=description,
                        min_occupancy=limits.minimum,
                        max_occupancy=limits.maximum,
                        resources=list(resources),
                    )
                )
        except IntegrityError:
            raise invalid(f"room code {code!r} is already taken", "code") from None
        assert location_id is not None
        room = await self.by_id(location_id)
        assert room is not None
        return room

    async def list(self, query: RoomQuery, page: PageRequest) -> Page[Room]:
        stmt = select_rooms()
        if query.under_location_id is not None:
            where = query.under_location_id
            stmt = stmt.where(
                or_(
                    rooms.c.location_id == where,
                    floor.c.id == where,
                    building.c.id == where,
                    site.c.id == where,
                )
            )
        if query.min_capacity is not None:
            stmt = stmt.where(
                or_(rooms.c.max_occupancy.is_(None), rooms.c.max_occupancy >= query.min_capacity)
            )
        if query.search:
            needle = query.search.lower()
            stmt = stmt.where(
                or_(
                    func.lower(room_loc.c.name).contains(needle, autoescape=True),
                    func.lower(rooms.c.code).contains(needle, autoescape=True),
                )
            )
        if query.codes is not None:
            stmt = stmt.where(rooms.c.code.in_(query.codes))
        found = await fetch_page(self._session, stmt, page, ROOM_ORDER)
        return found.of([to_room(r) for r in found.rows])
