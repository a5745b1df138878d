"""The location tree and its rooms: browsing for everybody signed in, changes for admins."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from domain.audit import AuditEntity
from domain.calendar import BookableHours
from domain.errors import invalid
from domain.locations import (
    Location,
    LocationKind,
    OccupancyLimits,
    check_capacity,
    check_parent,
    check_room_code,
)
from domain.rooms import Room
from domain.text import TextCap, clean_optional, clean_text
from domain.zones import accept_time_zone
from gateway.services import audit
from gateway.services.audit_snapshots import location_fields, room_fields
from gateway.services.authz import Principal, not_found
from gateway.services.clock import SystemClock
from gateway.services.ports import Clock, Database
from gateway.services.records import Page, PageRequest, RoomQuery

MAX_TEXT = 2000
MAX_RESOURCES = 50


@dataclass(frozen=True)
class NewRoom:
    floor_id: int
    code: str
    name: str
    number: str = ""
    description: str = ""
    min_occupancy: int = 1
    max_occupancy: int | None = None
    resources: Sequence[str] = ()


def _text(value: str, field: str, *, required: bool, limit: int = TextCap.TITLE) -> str:
    return clean_text(value, field, limit, required=required)


class Directory:
    """Locations and rooms. Reads need a signed-in caller; writes need an admin."""

    def __init__(self, db: Database, clock: Clock | None = None) -> None:
        self._db = db
        self._clock = clock or SystemClock()  # stamps the audit events of its changes

    async def add_location(
        self,
        principal: Principal,
        *,
        kind: LocationKind,
        name: str,
        parent_id: int | None = None,
        time_zone: str | None = None,
        bookable_hours: BookableHours | None = None,
        capacity: int | None = None,
    ) -> Location:
        """Sites need an IANA time zone; other kinds inherit their site's. Zones (counted,
        never booked) sit on floors. `capacity` counts only while the location has no
        children (then theirs is summed)."""
        admin = principal.require_admin()
        label = _text(name, "name", required=True)
        check_capacity(capacity)
        if kind is LocationKind.ROOM:
            raise invalid("rooms are added with addRoom", "kind")
        if kind is LocationKind.SITE:
            if time_zone is None:
                raise invalid("a site needs a time zone", "timeZone")
            accept_time_zone(time_zone)
        elif time_zone is not None or bookable_hours is not None:
            raise invalid("only a site carries a time zone and bookable hours", "timeZone")
        async with self._db.writing() as uow:
            parent = await uow.locations.get(parent_id) if parent_id is not None else None
            if parent_id is not None and parent is None:
                raise not_found("location", str(parent_id), "parentId")
            check_parent(kind, parent.kind if parent else None)
            location = await uow.locations.add(
                parent_id=parent_id,
                kind=kind,
                name=label,
                time_zone=time_zone,
                bookable_hours=bookable_hours,
                capacity=capacity,
            )
            await audit.record(
                uow,
                admin,
                AuditEntity.LOCATION,
                location.id,
                "created",
                at=self._clock.now(),
                after=location_fields(location),
            )
            await uow.commit()
        return location

    async def add_room(self, principal: Principal, new: NewRoom) -> Room:
        """Add a room on a floor; admins only. Room ids (RM…) are unique."""
        admin = principal.require_admin()
        code = check_room_code(new.code.strip())
        limits = OccupancyLimits(new.min_occupancy, new.max_occupancy)
        if len(new.resources) > MAX_RESOURCES:
            raise invalid(f"a room lists at most {MAX_RESOURCES} resources", "resources")
        resources = [_text(r, "resources", required=True) for r in new.resources]
        name = _text(new.name, "name", required=True)
        number = _text(new.number, "number", required=False)
        description = clean_text(new.description, "description", MAX_TEXT, multiline=True)
        async with self._db.writing() as uow:
            floor = await uow.locations.get(new.floor_id)
            if floor is None:
                raise not_found("location", str(new.floor_id), "floorId")
            check_parent(LocationKind.ROOM, floor.kind, "floorId")
            room = await uow.rooms.add(
                floor_id=floor.id,
                code=code,
                name=name,
                number=number,
                description=description,
                limits=limits,
                resources=resources,
            )
            await audit.record(
                uow,
                admin,
                AuditEntity.ROOM,
                room.code,
                "created",
                at=self._clock.now(),
                after=room_fields(room),
            )
            await uow.commit()
        return room

    async def room(self, principal: Principal, code: str) -> Room:
        """A room by its id (RM…), for anybody signed in."""
        principal.require()
        async with self._db.reading() as uow:
            room = await uow.rooms.by_code(code)
        if room is None:
            raise not_found("room", code)
        return room

    async def rooms(self, principal: Principal, query: RoomQuery, page: PageRequest) -> Page[Room]:
        """Rooms matching `query`, by id, for anybody signed in."""
        principal.require()
        search = clean_optional(query.search, "search", TextCap.SEARCH)
        async with self._db.reading() as uow:
            return await uow.rooms.list(replace(query, search=search), page)

    async def location(self, principal: Principal, location_id: int) -> Location:
        """One node of the tree, for anybody signed in."""
        principal.require()
        async with self._db.reading() as uow:
            location = await uow.locations.get(location_id)
        if location is None:
            raise not_found("location", str(location_id))
        return location

    async def locations(
        self,
        principal: Principal,
        kind: LocationKind | None,
        parent_id: int | None,
        page: PageRequest,
    ) -> Page[Location]:
        """Nodes of one kind and/or under one parent, by name, for anybody signed in."""
        principal.require()
        async with self._db.reading() as uow:
            return await uow.locations.list(kind, parent_id, page)
