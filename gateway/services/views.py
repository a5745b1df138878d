"""What a caller may see of bookings and people: the one place visibility is decided.

Every API renders these views and nothing else, so GraphQL, the REST shim and
subscriptions can never show more to one caller than to another.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.bookings import Attendee, Booking, BookingSource, BookingStatus
from domain.intervals import Interval
from domain.profiles import Profile
from domain.users import Actor, Role, User


@dataclass(frozen=True)
class BookingDetails:
    """The private part of a booking: for its people and admins only."""

    title: str
    creator_id: int
    attendees: tuple[Attendee, ...]
    created_at: datetime
    checked_in: bool


@dataclass(frozen=True)
class BookingView:
    """A booking as one caller may see it: `details` is None for outsiders."""

    code: str
    room_id: int
    interval: Interval
    status: BookingStatus
    source: BookingSource
    cancelled_at: datetime | None
    details: BookingDetails | None

    @classmethod
    def of(cls, booking: Booking, viewer: Actor) -> BookingView:
        details = None
        if booking.details_visible_to(viewer):
            details = BookingDetails(
                title=booking.title,
                creator_id=booking.creator_id,
                attendees=booking.attendees,
                created_at=booking.created_at,
                checked_in=booking.checked_in,
            )
        return cls(
            code=booking.code,
            room_id=booking.room_id,
            interval=booking.interval,
            status=booking.status,
            source=booking.source,
            cancelled_at=booking.cancelled_at,
            details=details,
        )


def private_to(viewer: Actor, user_id: int) -> bool:
    """Whether `viewer` may see the private part of a person: address, role, profile
    details and security settings. Themselves and admins only."""
    return viewer.is_admin or viewer.user_id == user_id


@dataclass(frozen=True)
class PersonView:
    """A person as one caller may see them: others see the name only; the address and
    the role are shown to the person themselves and to admins."""

    id: int
    name: str
    email: str | None
    role: Role | None

    @classmethod
    def of(cls, user: User, viewer: Actor) -> PersonView:
        full = private_to(viewer, user.id)
        return cls(
            id=user.id,
            name=user.name,
            email=user.email if full else None,
            role=user.role if full else None,
        )


@dataclass(frozen=True)
class SecuritySettings:
    """An account's security settings: shown to the person themselves and to admins."""

    mfa: bool


@dataclass(frozen=True)
class PrivateParts:
    """What only the person themselves and admins see of them (see `private_to`)."""

    profile: Profile
    security: SecuritySettings
