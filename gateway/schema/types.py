"""Object types named after the domain. Each wraps a view or domain value that a use case
returned; nested lists go through the operation's DataLoaders. Users, rooms, bookings and
locations are Relay nodes: `id` is a global id, and `node(id:)` fetches any of them."""

from __future__ import annotations

from collections.abc import Awaitable, Iterable
from datetime import date, datetime
from typing import Self

import strawberry
from strawberry import relay

import gateway.schema.enums  # noqa: F401  (registers the enums)
from domain.addresses import AllowedAddress
from domain.bookings import Attendee, BookingSource, BookingStatus
from domain.images import OwnerKind
from domain.intervals import Interval
from domain.locations import Location, LocationKind
from domain.rooms import Room
from domain.users import Role
from gateway.schema.context import Info
from gateway.schema.ids import number
from gateway.schema.image_types import Image, image_of
from gateway.schema.lookahead import Missing, asks_for, cached, now_or_later
from gateway.schema.nodes import fetch_nodes
from gateway.schema.office_hours import OfficeHours
from gateway.schema.profiles import ProfileDetailsType, SecuritySettingsType
from gateway.schema.room_prefetch import attendee_accounts, prefetch_rooms
from gateway.services.views import BookingDetails, BookingView, PersonView

_OWN = "Null unless this is you or you are an admin."


@strawberry.type(name="User")
class UserNode(relay.Node):
    user: strawberry.Private[PersonView]

    @classmethod
    def resolve_id(cls, root: Self, *, info: Info) -> str:
        return str(root.user.id)

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[UserNode | None]:
        return await fetch_nodes(info, node_ids, _user)

    @strawberry.field(description=_OWN)
    def email(self) -> str | None:
        return self.user.email

    @strawberry.field
    def name(self) -> str:
        return self.user.name

    @strawberry.field(description=_OWN)
    def role(self) -> Role | None:
        return self.user.role

    @strawberry.field(description=_OWN)
    async def details(self, info: Info) -> ProfileDetailsType | None:
        found = await info.context.loaders.private_parts.load(self.user.id)
        return ProfileDetailsType.of(found.profile) if found else None

    @strawberry.field(description=_OWN)
    async def security_settings(self, info: Info) -> SecuritySettingsType | None:
        found = await info.context.loaders.private_parts.load(self.user.id)
        return SecuritySettingsType.of(found.security) if found else None

    @strawberry.field(description="Addresses an admin allowed you to sign in from. " + _OWN)
    async def allowed_addresses(self, info: Info) -> list[AllowedAddressNode] | None:
        found = await info.context.app.addresses.allowed_addresses(
            info.context.principal, self.user.id
        )
        return None if found is None else [AllowedAddressNode(allowed=a) for a in found]

    @strawberry.field(
        description="Whether sign-ins from addresses that are neither allowed nor confirmed "
        "are refused (rather than confirmed with a mailed code). " + _OWN
    )
    async def block_anonymous_addresses(self, info: Info) -> bool | None:
        return await info.context.app.addresses.blocks_anonymous(
            info.context.principal, self.user.id
        )

    @strawberry.field(description="The profile image (the default one's URLs without one).")
    async def image(self, info: Info) -> Image | None:
        return await image_of(info, OwnerKind.PROFILE, self.user.id)


@strawberry.type(name="TimeSlot", description="A half-open interval [start, end).")
class TimeSlot:
    start: datetime
    end: datetime

    @classmethod
    def of(cls, interval: Interval) -> TimeSlot:
        return cls(start=interval.start, end=interval.end)


@strawberry.type(name="Location", description="A site, building, floor or room.")
class LocationNode(relay.Node):
    location: strawberry.Private[Location]

    @classmethod
    def resolve_id(cls, root: Self, *, info: Info) -> str:
        return str(root.location.id)

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[LocationNode | None]:
        return await fetch_nodes(info, node_ids, _location)

    @strawberry.field(description="The location's number, as the legacy APIs show it.")
    def number(self) -> int:
        return self.location.id

    @strawberry.field
    def kind(self) -> LocationKind:
        return self.location.kind

    @strawberry.field
    def name(self) -> str:
        return self.location.name

    @strawberry.field(description="IANA time zone; set on sites only.")
    def time_zone(self) -> str | None:
        return self.location.time_zone

    @strawberry.field
    async def parent(self, info: Info) -> LocationNode | None:
        if self.location.parent_id is None:
            return None
        parent = await info.context.loaders.locations.load(self.location.parent_id)
        return LocationNode(location=parent) if parent else None

    @strawberry.field
    async def children(self, info: Info) -> list[LocationNode]:
        found = await info.context.loaders.children.load(self.location.id)
        return [LocationNode(location=c) for c in found]

    @strawberry.field(description="The rooms on this floor (empty for other kinds).")
    async def rooms(self, info: Info) -> list[RoomNode]:
        found = await info.context.loaders.floor_rooms.load(self.location.id)
        await prefetch_rooms(info, found)
        return [RoomNode(room=r) for r in found]

    @strawberry.field(description="Sites only: the weekly office hours; null for other kinds.")
    async def office_hours(self, info: Info) -> OfficeHours | None:
        found = await info.context.loaders.office_hours.load(self.location)
        return OfficeHours.of(found) if found else None

    @strawberry.field(description="Sites only: how many people are on site now; null otherwise.")
    async def people_on_site(self, info: Info) -> int | None:
        return await info.context.loaders.people_on_site.load(self.location)


_PRIVATE = "Null unless you are part of the booking or an admin."


@strawberry.type(name="Booking")
class BookingNode(relay.Node):
    booking: strawberry.Private[BookingView]

    @classmethod
    def resolve_id(cls, root: Self, *, info: Info) -> str:
        return root.booking.code

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[BookingNode | None]:
        return await fetch_nodes(info, node_ids, _booking)

    @strawberry.field(description="The booking's code, BOOKOCCUPI…, as the legacy clients know it.")
    def code(self) -> str:
        return self.booking.code

    @strawberry.field(description=_PRIVATE)
    def title(self) -> str | None:
        return self._details.title if self._details else None

    @strawberry.field
    def start(self) -> datetime:
        return self.booking.interval.start

    @strawberry.field
    def end(self) -> datetime:
        return self.booking.interval.end

    @strawberry.field
    def status(self) -> BookingStatus:
        return self.booking.status

    @strawberry.field
    def source(self) -> BookingSource:
        return self.booking.source

    @strawberry.field(description=_PRIVATE)
    def created_at(self) -> datetime | None:
        return self._details.created_at if self._details else None

    @strawberry.field
    def cancelled_at(self) -> datetime | None:
        return self.booking.cancelled_at

    @strawberry.field(description=f"Whether anybody has checked in. {_PRIVATE}")
    def checked_in(self) -> bool | None:
        return self._details.checked_in if self._details else None

    @strawberry.field
    async def room(self, info: Info) -> RoomNode | None:
        room = await info.context.loaders.rooms.load(self.booking.room_id)
        return RoomNode(room=room) if room else None

    @strawberry.field(description=_PRIVATE)
    async def created_by(self, info: Info) -> UserNode | None:
        if self._details is None:
            return None
        user = await info.context.loaders.people.load(self._details.creator_id)
        return UserNode(user=user) if user else None

    @strawberry.field(description=_PRIVATE)
    def attendees(self) -> list[AttendeeNode] | None:
        if self._details is None:
            return None
        return [AttendeeNode(attendee=a) for a in self._details.attendees]

    @property
    def _details(self) -> BookingDetails | None:
        return self.booking.details


@strawberry.type(name="Room")
class RoomNode(relay.Node):
    room: strawberry.Private[Room]

    @classmethod
    def resolve_id(cls, root: Self, *, info: Info) -> str:
        return root.room.code

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[RoomNode | None]:
        return await fetch_nodes(info, node_ids, _room)

    @strawberry.field(description="The room's code, RM…, as the legacy clients know it.")
    def code(self) -> str:
        return self.room.code

    @strawberry.field
    def name(self) -> str:
        return self.room.name

    @strawberry.field
    def number(self) -> str:
        return self.room.number

    @strawberry.field
    def description(self) -> str:
        return self.room.description

    @strawberry.field
    def min_occupancy(self) -> int:
        return self.room.limits.minimum

    @strawberry.field
    def max_occupancy(self) -> int | None:
        return self.room.limits.maximum

    @strawberry.field
    def resources(self) -> list[str]:
        return list(self.room.resources)

    @strawberry.field(description="The IANA time zone of the room's site.")
    def time_zone(self) -> str:
        return self.room.calendar.zone.key

    @strawberry.field(graphql_type=LocationNode | None)
    def floor(self, info: Info) -> LocationNode | Awaitable[LocationNode | None] | None:
        return now_or_later(info.context.loaders.locations, self.room.floor_id, _location_node)

    @strawberry.field(
        description="Active bookings on a site-local day (default: today).",
        graphql_type=list[BookingNode],
    )
    def bookings(
        self, info: Info, date: date | None = None
    ) -> list[BookingNode] | Awaitable[list[BookingNode]]:
        day = cached(info.context.loaders.room_days, (self.room, date))
        if isinstance(day, Missing):  # no page of rooms loaded it ahead (room_prefetch)
            return self._bookings_later(info, date)
        return [BookingNode(booking=b) for b in day.bookings]

    async def _bookings_later(self, info: Info, date: date | None) -> list[BookingNode]:
        day = await info.context.loaders.room_days.load((self.room, date))
        if asks_for(info, "attendees", "user"):
            await info.context.loaders.people.load_many(attendee_accounts(day.bookings))
        return [BookingNode(booking=b) for b in day.bookings]

    @strawberry.field(description="Free parts of the bookable hours of a site-local day.")
    async def available_slots(self, info: Info, date: date) -> list[TimeSlot]:
        day = await info.context.loaders.room_days.load((self.room, date))
        return [TimeSlot.of(s) for s in day.slots]

    @strawberry.field(description="The room's image (the default one's URLs without one).")
    async def image(self, info: Info) -> Image | None:
        return await image_of(info, OwnerKind.ROOM, self.room.id)


@strawberry.type(name="Attendee")
class AttendeeNode:
    attendee: strawberry.Private[Attendee]

    @strawberry.field
    def email(self) -> str:
        return self.attendee.email

    @strawberry.field
    def checked_in_at(self) -> datetime | None:
        return self.attendee.checked_in_at

    @strawberry.field(
        description="The attendee's account, when they have one.", graphql_type=UserNode | None
    )
    def user(self, info: Info) -> UserNode | Awaitable[UserNode | None] | None:
        if self.attendee.user_id is None:
            return None
        return now_or_later(info.context.loaders.people, self.attendee.user_id, _user_node)


def _user_node(found: PersonView | None) -> UserNode | None:
    return UserNode(user=found) if found else None


def _location_node(found: Location | None) -> LocationNode | None:
    return LocationNode(location=found) if found else None


async def _user(info: Info, key: str) -> UserNode | None:
    user_id = number(key)
    found = await info.context.loaders.people.load(user_id) if user_id else None
    return UserNode(user=found) if found else None


async def _location(info: Info, key: str) -> LocationNode | None:
    app, principal = info.context.app, info.context.principal
    location_id = number(key)
    location = await app.directory.location(principal, location_id) if location_id else None
    return LocationNode(location=location) if location else None


async def _room(info: Info, key: str) -> RoomNode | None:
    return RoomNode(room=await info.context.app.directory.room(info.context.principal, key))


async def _booking(info: Info, key: str) -> BookingNode | None:
    found = await info.context.app.bookings.get(info.context.principal, key)
    return BookingNode(booking=found)


@strawberry.type(name="AllowedAddress", description="An address you may sign in from.")
class AllowedAddressNode:
    allowed: strawberry.Private[AllowedAddress]

    @strawberry.field
    def address(self) -> str:
        return self.allowed.address

    @strawberry.field
    def added_at(self) -> datetime:
        return self.allowed.added_at

    @strawberry.field(description="The admin who added it; null once their account is gone.")
    async def added_by(self, info: Info) -> UserNode | None:
        if self.allowed.added_by is None:
            return None
        person = await info.context.loaders.people.load(self.allowed.added_by)
        return UserNode(user=person) if person else None
