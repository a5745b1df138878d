"""Query root."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry
from strawberry import relay

from gateway.schema.audit import AuditLogQuery
from gateway.schema.context import Info
from gateway.schema.ids import (
    BOOKING,
    LOCATION,
    ROOM,
    USER,
    booking_ref,
    number_ref,
    parse_global_id,
    room_ref,
)
from gateway.schema.inputs import BookingFilter, LocationFilter, RoomFilter, UserFilter
from gateway.schema.iprules import IpRulesQuery
from gateway.schema.notifications import NotificationQuery
from gateway.schema.occupancy import OccupancyQuery
from gateway.schema.pagination import Connection, page_request
from gateway.schema.presence import PresenceQuery
from gateway.schema.room_prefetch import prefetch_rooms
from gateway.schema.timetables import TimetableQuery
from gateway.schema.types import BookingNode, LocationNode, RoomNode, TimeSlot, UserNode

DEFAULT_PAGE = 20
NODES: dict[str, type[UserNode | RoomNode | BookingNode | LocationNode]] = {
    USER: UserNode,
    ROOM: RoomNode,
    BOOKING: BookingNode,
    LOCATION: LocationNode,
}


@strawberry.type
class Query(
    IpRulesQuery, PresenceQuery, NotificationQuery, TimetableQuery, OccupancyQuery, AuditLogQuery
):
    @strawberry.field(
        description="Any user, room, booking or location by its global id; null when there "
        "is none that you may see."
    )
    async def node(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The ID of the object.")],
    ) -> relay.Node | None:
        # Not Strawberry's relay.node(): that one fails on a well-formed id of a type that
        # is not a node (INTERNAL), and cannot be put in a second schema.
        info.context.principal.require()
        wanted = parse_global_id(id)
        node_type = NODES.get(wanted.type_name)
        if node_type is None:
            return None
        [found] = await node_type.resolve_nodes(info=info, node_ids=[wanted.node_id])
        return found

    @strawberry.field(description="Anybody: is the gateway up?")
    def ping(self, info: Info) -> str:
        return info.context.app.probes.ping()

    @strawberry.field(description="Signed-out callers only, like the legacy /ping-open.")
    def ping_open(self, info: Info) -> str:
        return info.context.app.probes.ping_open(info.context.principal)

    @strawberry.field(description="Signed-in callers only, like the legacy /ping-auth.")
    def ping_auth(self, info: Info) -> str:
        return info.context.app.probes.ping_auth(info.context.principal)

    @strawberry.field(description="Admins only, like the legacy /ping-admin.")
    def ping_admin(self, info: Info) -> str:
        return info.context.app.probes.ping_admin(info.context.principal)

    @strawberry.field
    async def me(self, info: Info) -> UserNode:
        return UserNode(user=await info.context.app.accounts.me(info.context.principal))

    @strawberry.field(description="Admins only.")
    async def users(
        self,
        info: Info,
        filter: UserFilter | None = None,
        first: int = DEFAULT_PAGE,
        after: str | None = None,
    ) -> Connection[UserNode]:
        page = await info.context.app.accounts.list_users(
            info.context.principal,
            (filter or UserFilter()).to_query(),
            page_request(info, first, after),
        )
        return Connection.of(page, lambda u: UserNode(user=u))

    @strawberry.field(description="A room by its id (or its code, RM…).")
    async def room(self, info: Info, id: strawberry.ID) -> RoomNode:
        code = room_ref(id, "id")
        return RoomNode(room=await info.context.app.directory.room(info.context.principal, code))

    @strawberry.field
    async def rooms(
        self,
        info: Info,
        filter: RoomFilter | None = None,
        first: int = DEFAULT_PAGE,
        after: str | None = None,
    ) -> Connection[RoomNode]:
        page = await info.context.app.directory.rooms(
            info.context.principal,
            (filter or RoomFilter()).to_query(),
            page_request(info, first, after),
        )
        await prefetch_rooms(info, page.items, "edges", "node")
        return Connection.of(page, lambda r: RoomNode(room=r))

    @strawberry.field
    async def location(self, info: Info, id: strawberry.ID) -> LocationNode:
        found = await info.context.app.directory.location(
            info.context.principal, number_ref(id, LOCATION, "id")
        )
        return LocationNode(location=found)

    @strawberry.field
    async def locations(
        self,
        info: Info,
        filter: LocationFilter | None = None,
        first: int = DEFAULT_PAGE,
        after: str | None = None,
    ) -> Connection[LocationNode]:
        wanted = filter or LocationFilter()
        parent = wanted.parent()
        page = await info.context.app.directory.locations(
            info.context.principal, wanted.kind, parent, page_request(info, first, after)
        )
        return Connection.of(page, lambda loc: LocationNode(location=loc))

    @strawberry.field
    async def booking(self, info: Info, id: strawberry.ID) -> BookingNode:
        found = await info.context.app.bookings.get(info.context.principal, booking_ref(id, "id"))
        return BookingNode(booking=found)

    @strawberry.field(description="Bookings you created or are invited to.")
    async def my_bookings(
        self,
        info: Info,
        filter: BookingFilter | None = None,
        first: int = DEFAULT_PAGE,
        after: str | None = None,
    ) -> Connection[BookingNode]:
        return await _bookings(info, filter, first, after, mine=True)

    @strawberry.field(description="All bookings for admins; your own for everybody else.")
    async def bookings(
        self,
        info: Info,
        filter: BookingFilter | None = None,
        first: int = DEFAULT_PAGE,
        after: str | None = None,
    ) -> Connection[BookingNode]:
        return await _bookings(info, filter, first, after, mine=False)

    @strawberry.field(description="Free parts of a room's bookable hours on a site-local day.")
    async def available_slots(
        self, info: Info, room_id: strawberry.ID, date: date
    ) -> list[TimeSlot]:
        slots = await info.context.app.bookings.available_slots(
            info.context.principal, room_ref(room_id), date
        )
        return [TimeSlot.of(s) for s in slots]


async def _bookings(
    info: Info, filter: BookingFilter | None, first: int, after: str | None, *, mine: bool
) -> Connection[BookingNode]:
    page = await info.context.app.bookings.search(
        info.context.principal,
        (filter or BookingFilter()).to_search(),
        page_request(info, first, after),
        mine=mine,
    )
    return Connection.of(page, lambda b: BookingNode(booking=b))
