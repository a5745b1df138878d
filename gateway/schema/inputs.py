"""Input and filter types; each converts itself to the service's own value."""

from __future__ import annotations

from datetime import datetime, time

import strawberry

import gateway.schema.enums  # noqa: F401  (registers the enums)
from domain.bookings import BookingSource, BookingStatus
from domain.calendar import BookableHours
from domain.errors import invalid
from domain.locations import LocationKind
from domain.notifications import NotificationSettings
from domain.profiles import MAX_DEPARTMENT_LENGTH
from domain.users import Role
from gateway.schema.ids import booking_ref, location_ref, room_ref
from gateway.schema.profiles import UserDetailsInput
from gateway.services.bookings import BookingRequest, BookingSearch
from gateway.services.directory import NewRoom
from gateway.services.records import RoomQuery, UserQuery


@strawberry.input
class BookRoomInput:
    room_id: strawberry.ID = strawberry.field(description="The room's id (or its code, RM…).")
    start: datetime
    end: datetime
    attendees: list[str] = strawberry.field(
        default_factory=list, description="E-mail addresses to invite; you are always included."
    )
    title: str = ""

    def to_request(self) -> BookingRequest:
        return BookingRequest(
            room_code=room_ref(self.room_id),
            start=self.start,
            end=self.end,
            attendees=self.attendees,
            title=self.title,
        )


@strawberry.input
class BookingFilter:
    room_id: strawberry.ID | None = None
    ends_after: datetime | None = None
    starts_before: datetime | None = None
    statuses: list[BookingStatus] = strawberry.field(default_factory=lambda: [BookingStatus.ACTIVE])
    sources: list[BookingSource] | None = None

    def to_search(self) -> BookingSearch:
        if not self.statuses:
            raise invalid("statuses cannot be empty", "statuses")
        return BookingSearch(
            room_code=room_ref(self.room_id) if self.room_id is not None else None,
            ends_after=self.ends_after,
            starts_before=self.starts_before,
            statuses=tuple(self.statuses),
            sources=tuple(self.sources) if self.sources is not None else None,
        )


@strawberry.input
class RoomFilter:
    location_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only rooms at or under this location."
    )
    min_capacity: int | None = None
    search: str | None = None

    def to_query(self) -> RoomQuery:
        return RoomQuery(
            under_location_id=(
                location_ref(self.location_id, "locationId") if self.location_id else None
            ),
            min_capacity=self.min_capacity,
            search=self.search,
        )


@strawberry.input
class LocationFilter:
    kind: LocationKind | None = None
    parent_id: strawberry.ID | None = None

    def parent(self) -> int | None:
        return location_ref(self.parent_id, "parentId") if self.parent_id else None


@strawberry.input
class UserFilter:
    role: Role | None = None
    search: str | None = strawberry.field(
        default=None, description="A part of the name or the e-mail address."
    )
    department: str | None = strawberry.field(
        default=None, description="The department, whole (case-insensitive)."
    )

    def to_query(self) -> UserQuery:
        search = bounded(self.search, "search", MAX_USER_SEARCH)
        department = bounded(self.department, "department", MAX_DEPARTMENT_LENGTH)
        return UserQuery(role=self.role, search=search, department=department)


MAX_USER_SEARCH = 254


def bounded(raw: str | None, field: str, limit: int) -> str | None:
    """Trimmed; None when blank; INVALID_INPUT when longer than `limit`."""
    text = None if raw is None else raw.strip()
    if text and len(text) > limit:
        raise invalid(f"{field} must be at most {limit} characters", field)
    return text or None


@strawberry.input
class RegisterInput:
    email: str
    code: str
    password: str
    name: str


@strawberry.input
class CreateUserInput:
    email: str
    name: str
    password: str
    role: Role = Role.BASIC
    details: UserDetailsInput | None = None
    notification_settings: NewNotificationSettingsInput | None = strawberry.field(
        default=None, description="Both on when left out."
    )
    push_token: str | None = strawberry.field(
        default=None, description="A first device for pushes: ExponentPushToken[…]."
    )
    block_anonymous_addresses: bool = strawberry.field(
        default=False,
        description="Sign-ins only from allowed and confirmed addresses (see allowAddress).",
    )


@strawberry.input
class NewNotificationSettingsInput:
    invites: bool = True
    booking_reminders: bool = True

    def settings(self) -> NotificationSettings:
        return NotificationSettings(invites=self.invites, booking_reminders=self.booking_reminders)


@strawberry.input
class AddLocationInput:
    kind: LocationKind
    name: str
    parent_id: strawberry.ID | None = None
    time_zone: str | None = strawberry.field(default=None, description="Sites only: IANA name.")
    opens_at: time | None = strawberry.field(default=None, description="Sites only; 08:00.")
    closes_at: time | None = strawberry.field(default=None, description="Sites only; 17:00.")
    capacity: int | None = strawberry.field(
        default=None, description="People it holds; a parent sums its children's instead."
    )

    def parent(self) -> int | None:
        return location_ref(self.parent_id, "parentId") if self.parent_id else None

    def bookable_hours(self) -> BookableHours | None:
        if self.opens_at is None and self.closes_at is None:
            return None
        defaults = BookableHours()
        return BookableHours(self.opens_at or defaults.opens, self.closes_at or defaults.closes)


@strawberry.input
class AddRoomInput:
    floor_id: strawberry.ID
    code: str = strawberry.field(
        description="The new room's code: RM followed by letters or digits."
    )
    name: str
    number: str = ""
    description: str = ""
    min_occupancy: int = 1
    max_occupancy: int | None = None
    resources: list[str] = strawberry.field(default_factory=list)

    def to_new_room(self) -> NewRoom:
        return NewRoom(
            floor_id=location_ref(self.floor_id, "floorId"),
            code=self.code,
            name=self.name,
            number=self.number,
            description=self.description,
            min_occupancy=self.min_occupancy,
            max_occupancy=self.max_occupancy,
            resources=self.resources,
        )


@strawberry.input
class LoginInput:
    email: str
    password: str


@strawberry.input
class ChangePasswordInput:
    current_password: str
    new_password: str
    new_password_confirm: str


@strawberry.input
class RequestRegistrationCodeInput:
    email: str


@strawberry.input
class CancelBookingInput:
    booking_id: strawberry.ID = strawberry.field(
        description="The booking's id (or its code, BOOKOCCUPI…)."
    )

    def code(self) -> str:
        return booking_ref(self.booking_id)


@strawberry.input
class CheckInInput:
    booking_id: strawberry.ID = strawberry.field(
        description="The booking's id (or its code, BOOKOCCUPI…)."
    )

    def code(self) -> str:
        return booking_ref(self.booking_id)
