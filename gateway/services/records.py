"""Plain values that cross the service boundary: queries, pages, mails, issued tokens."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Generic, TypeVar

from domain.bookings import BookingSource, BookingStatus
from domain.errors import invalid
from domain.users import Actor, Role

T = TypeVar("T")
U = TypeVar("U")
MAX_PAGE_SIZE = 100


@dataclass(frozen=True)
class PageRequest:
    """`first` items after `offset`; cursors are encoded by the delivery layer."""

    first: int = 20
    offset: int = 0

    def __post_init__(self) -> None:
        if not 0 <= self.first <= MAX_PAGE_SIZE:
            raise invalid(f"first must be between 0 and {MAX_PAGE_SIZE}", "first")
        if self.offset < 0:
            raise invalid("offset cannot be negative", "after")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: Sequence[T]
    total: int
    offset: int

    @property
    def has_next(self) -> bool:
        return self.offset + len(self.items) < self.total

    def map(self, convert: Callable[[T], U]) -> Page[U]:
        return Page([convert(item) for item in self.items], self.total, self.offset)


@dataclass(frozen=True)
class BookingQuery:
    """Which bookings to list; every set field narrows the result."""

    room_ids: tuple[int, ...] | None = None
    involving: Actor | None = None
    """Only bookings this person created or is an attendee of (as `Attendee.is_`)."""
    statuses: tuple[BookingStatus, ...] = (BookingStatus.ACTIVE,)
    sources: tuple[BookingSource, ...] | None = None
    ends_after: datetime | None = None
    starts_before: datetime | None = None


@dataclass(frozen=True)
class RoomQuery:
    under_location_id: int | None = None
    min_capacity: int | None = None
    search: str | None = None


@dataclass(frozen=True)
class UserQuery:
    role: Role | None = None
    search: str | None = None


@dataclass(frozen=True)
class OutgoingMail:
    to: tuple[str, ...]
    subject: str
    body: str
    bcc: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class QueuedMail:
    id: int
    mail: OutgoingMail
    attempts: int


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_at: datetime


@dataclass(frozen=True)
class TokenClaims:
    user_id: int
    email: str
    role: Role
    expires_at: datetime


@dataclass(frozen=True)
class OneTimeCode:
    id: int
    email: str
    code_hash: str
    expires_at: datetime
    attempts: int
    consumed: bool
    created_at: datetime
