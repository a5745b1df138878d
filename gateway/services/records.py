"""Plain values that cross the service boundary: queries, pages, mails, issued tokens."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Generic, TypeVar

from domain.bookings import BookingSource, BookingStatus
from domain.errors import invalid
from domain.ids import MAX_ROW_ID
from domain.logins import CodePurpose
from domain.text import text_problem
from domain.users import Actor, Role, User

T = TypeVar("T")
U = TypeVar("U")
MAX_PAGE_SIZE = 100
MAX_CURSOR_LENGTH = 1024


@dataclass(frozen=True)
class PageRequest:
    """`first` items after the cursor `after` (keyset paging), or after skipping `offset`
    items (page numbers, for the legacy APIs). `with_total` asks for the total count,
    which costs a statement of its own, so it is only computed when someone reads it."""

    first: int = 20
    after: str | None = None
    offset: int = 0
    with_total: bool = True

    def __post_init__(self) -> None:
        if not 0 <= self.first <= MAX_PAGE_SIZE:
            raise invalid(f"first must be between 0 and {MAX_PAGE_SIZE}", "first")
        if self.offset < 0:
            raise invalid("offset cannot be negative", "offset")
        if self.after is not None and self.offset:
            raise invalid("page by a cursor or by an offset, not both", "after")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page; `cursors[i]` is the cursor that continues after `items[i]`."""

    items: Sequence[T]
    has_next: bool
    total: int | None = None
    offset: int = 0
    cursors: Sequence[str] = ()
    has_previous: bool = False

    def map(self, convert: Callable[[T], U]) -> Page[U]:
        return Page(
            [convert(item) for item in self.items],
            self.has_next,
            self.total,
            self.offset,
            self.cursors,
            self.has_previous,
        )


def encode_cursor(collection: str, key: Sequence[str | int]) -> str:
    """An opaque cursor: the collection's name and the sort key of the last item seen."""
    raw = json.dumps([collection, *key], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, collection: str, size: int) -> list[str | int]:
    """The sort key inside a cursor of `collection`; a precise error for anything else."""
    bad = invalid(f"{cursor[:80]!r} is not a cursor this API issued", "after")
    if len(cursor) > MAX_CURSOR_LENGTH:
        raise bad
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        decoded = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
    except (ValueError, UnicodeError, binascii.Error):
        raise bad from None
    if not isinstance(decoded, list) or len(decoded) != size + 1 or decoded[0] != collection:
        raise bad
    key = decoded[1:]
    # Keys are ids and other 32-bit integers (PostgreSQL's int4) or text a store can hold.
    if not all(
        (isinstance(v, str) and text_problem(v) is None)
        or (type(v) is int and abs(v) <= MAX_ROW_ID)
        for v in key
    ):
        raise bad
    return key


def _storable(value: object) -> bool:
    if isinstance(value, str):
        return text_problem(value) is None
    return type(value) is int and abs(value) <= MAX_ROW_ID


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
    codes: tuple[str, ...] | None = None
    """Only rooms with one of these ids (RM…); the legacy filter `roomId`."""


@dataclass(frozen=True)
class UserQuery:
    role: Role | None = None
    search: str | None = None
    department: str | None = None
    emails: tuple[str, ...] | None = None
    """Only these addresses, exactly (normalised); the legacy filter `email`."""
    on_site: bool | None = None
    """Only people on site (True) or not (False) now: an open presence session."""


class MailKind(StrEnum):
    """Why a mail is sent. Every kind but a confirmation to the person who acted is sent
    on somebody else's behalf, and so rationed per recipient."""

    BOOKING_CONFIRMATION = "booking_confirmation"
    INVITATION = "invitation"
    CANCELLATION = "cancellation"
    REGISTRATION_CODE = "registration_code"
    ALREADY_REGISTERED = "already_registered"
    LOGIN_CODE = "login_code"
    EMAIL_CHANGE_CODE = "email_change_code"
    EMAIL_CHANGED = "email_changed"
    ADDRESS_CODE = "address_code"
    ADDRESS_ADDED = "address_added"
    ADDRESS_REMOVED = "address_removed"
    BOOKING_REMINDER = "booking_reminder"
    RESET_CODE = "reset_code"

    @property
    def on_behalf(self) -> bool:
        # A reminder is the person's own booking's, and they can turn reminders off.
        return self not in (MailKind.BOOKING_CONFIRMATION, MailKind.BOOKING_REMINDER)

    @property
    def rationed_with(self) -> tuple[MailKind, ...]:
        """The kinds that share this kind's ration: booking mail and registration mail
        are counted apart, so invitations can never use up an address's registration."""
        for group in _RATION_GROUPS:
            if self in group:
                return group
        return (self,)


_RATION_GROUPS = (
    (MailKind.INVITATION, MailKind.CANCELLATION),
    (MailKind.REGISTRATION_CODE, MailKind.ALREADY_REGISTERED),
    (MailKind.ADDRESS_ADDED, MailKind.ADDRESS_REMOVED),
    # One cooldown for sign-in codes, whichever the reason.
    (MailKind.LOGIN_CODE, MailKind.ADDRESS_CODE),
)


@dataclass(frozen=True)
class OutgoingMail:
    to: tuple[str, ...]
    subject: str
    body: str
    bcc: tuple[str, ...] = field(default=())
    kind: MailKind = MailKind.BOOKING_CONFIRMATION

    @property
    def recipients(self) -> tuple[str, ...]:
        return (*self.to, *self.bcc)


@dataclass(frozen=True)
class QueuedMail:
    """A mail as one claim leased it: the claim may record the mail's outcome only while
    its lease, ending at `leased_until`, has not passed to another claim."""

    id: int
    mail: OutgoingMail
    attempts: int
    leased_until: datetime


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_at: datetime


@dataclass(frozen=True)
class TokenClaims:
    """`issued_at` has the token's own resolution: whole seconds for a JWT's `iat`."""

    user_id: int
    email: str
    role: Role
    expires_at: datetime
    issued_at: datetime


@dataclass(frozen=True)
class TokenHolder:
    """An account as token checks see it: tokens issued before `tokens_valid_from`
    (None: never revoked) are refused."""

    user: User
    tokens_valid_from: datetime | None


class ThrottleScope(StrEnum):
    ACCOUNT = "account"  # the typed address, normalised, whether or not it has an account
    CLIENT = "client"  # the client's network address


@dataclass(frozen=True)
class ThrottleKey:
    scope: ThrottleScope
    key: str


@dataclass(frozen=True)
class FailureTally:
    """Failed sign-ins for one key within the policy's window, and the latest of them."""

    count: int
    last_at: datetime


@dataclass(frozen=True)
class OneTimeCode:
    id: int
    email: str
    code_hash: str
    expires_at: datetime
    attempts: int
    consumed: bool
    created_at: datetime
    purpose: CodePurpose = CodePurpose.REGISTRATION
    user_id: int | None = None


@dataclass(frozen=True)
class PendingRegistration:
    """A legacy registration waiting for its code: only the password's hash is kept."""

    email: str
    password_hash: str
    push_token: str | None
    created_at: datetime
    expires_at: datetime
