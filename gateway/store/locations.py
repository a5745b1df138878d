"""Locations repository."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, insert, select
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from domain.calendar import BookableHours
from domain.locations import Location, LocationKind
from gateway.services.records import Page, PageRequest
from gateway.store.pages import Keyset, fetch_page
from gateway.store.tables import locations


def to_location(row: Row[Any]) -> Location:
    hours = None
    if row.opens_at is not None and row.closes_at is not None:
        hours = BookableHours(row.opens_at, row.closes_at)
    return Location(
        id=row.id,
        parent_id=row.parent_id,
        kind=LocationKind(row.kind),
        name=row.name,
        time_zone=row.time_zone,
        bookable_hours=hours,
        capacity=row.capacity,
    )


def select_locations() -> Select[Any]:
    return select(locations)


LOCATION_ORDER = Keyset("locations", (locations.c.name, locations.c.id))


class SqlLocations:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, location_id: int) -> Location | None:
        stmt = select_locations().where(locations.c.id == location_id)
        row = (await self._session.execute(stmt)).first()
        return to_location(row) if row else None

    async def add(
        self,
        *,
        parent_id: int | None,
        kind: LocationKind,
        name: str,
        time_zone: str | None = None,
        bookable_hours: BookableHours | None = None,
        capacity: int | None = None,
    ) -> Location:
        if kind is LocationKind.SITE and bookable_hours is None:
            bookable_hours = BookableHours()
        stmt = (
            insert(locations)
            .values(
                parent_id=parent_id,
                kind=kind.value,
                name=name,
                time_zone=time_zone,
                opens_at=bookable_hours.opens if bookable_hours else None,
                closes_at=bookable_hours.closes if bookable_hours else None,
                capacity=capacity,
            )
            .returning(locations.c.id)
        )
        location_id = await self._session.scalar(stmt)
        assert location_id is not None
        return Location(location_id, parent_id, kind, name, time_zone, bookable_hours, capacity)

    async def list(
        self, kind: LocationKind | None, parent_id: int | None, page: PageRequest
    ) -> Page[Location]:
        stmt = select_locations()
        if kind is not None:
            stmt = stmt.where(locations.c.kind == kind.value)
        if parent_id is not None:
            stmt = stmt.where(locations.c.parent_id == parent_id)
        found = await fetch_page(self._session, stmt, page, LOCATION_ORDER)
        return found.of([to_location(r) for r in found.rows])
