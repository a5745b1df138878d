"""Object types named after the domain. Each wraps a domain value; nested lists go through
the request's DataLoaders."""

from __future__ import annotations

from datetime import date, datetime

import strawberry

import gateway.schema.enums  # noqa: F401  (registers the enums)
from domain.bookings import Attendee, BookingSource, BookingStatus
from domain.intervals import Interval
from domain.locations import Location, LocationKind
from domain.rooms import Room
from domain.users import Role
from gateway.schema.context import Info
from gateway.services.views import BookingDetails, BookingView, PersonView

_OWN = "Null unless this is you or you are an admin."


@strawberry.type(name="User")
class UserNode:
    user: strawberry.Private[PersonView]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.user.id))

    @strawberry.field(description=_OWN)
    def email(self) -> str | None:
        return self.user.email

    @strawberry.field
    def name(self) -> str:
        return self.user.name

    @strawberry.field(description=_OWN)
    def role(self) -> Role | None:
        return self.user.role


@strawberry.type(name="TimeSlot", description="A half-open interval [start, end).")
class TimeSlot:
    start: datetime
    end: datetime

    @classmethod
    def of(cls, interval: Interval) -> TimeSlot:
        return cls(start=interval.start, end=interval.end)


@strawberry.type(name="Location", description="A site, building, floor or room.")
class LocationNode:
    location: strawberry.Private[Location]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.location.id))

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
        return [RoomNode(room=r) for r in found]


@strawberry.type(name="Room")
class RoomNode:
    room: strawberry.Private[Room]

    @strawberry.field(description="The room id, RM…")
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.room.code)

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

    @strawberry.field
    async def floor(self, info: Info) -> LocationNode | None:
        floor = await info.context.loaders.locations.load(self.room.floor_id)
        return LocationNode(location=floor) if floor else None

    @strawberry.field(description="Active bookings on a site-local day (default: today).")
    async def bookings(self, info: Info, date: date | None = None) -> list[BookingNode]:
        day = await info.context.loaders.room_days.load((self.room, date))
        return [BookingNode(booking=b) for b in day.bookings]

    @strawberry.field(description="Free parts of the bookable hours of a site-local day.")
    async def available_slots(self, info: Info, date: date) -> list[TimeSlot]:
        day = await info.context.loaders.room_days.load((self.room, date))
        return [TimeSlot.of(s) for s in day.slots]


@strawberry.type(name="Attendee")
class AttendeeNode:
    attendee: strawberry.Private[Attendee]

    @strawberry.field
    def email(self) -> str:
        return self.attendee.email

    @strawberry.field
    def checked_in_at(self) -> datetime | None:
        return self.attendee.checked_in_at

    @strawberry.field(description="The attendee's account, when they have one.")
    async def user(self, info: Info) -> UserNode | None:
        if self.attendee.user_id is None:
            return None
        user = await info.context.loaders.people.load(self.attendee.user_id)
        return UserNode(user=user) if user else None


_PRIVATE = "Null unless you are part of the booking or an admin."


@strawberry.type(name="Booking")
class BookingNode:
    booking: strawberry.Private[BookingView]

    @strawberry.field(description="The booking id (BOOKOCCUPI…), as the legacy clients know it.")
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.booking.code)

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
