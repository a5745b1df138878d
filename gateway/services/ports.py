"""What the use cases need from the outside world. Adapters in gateway.store, gateway.auth,
gateway.live and gateway.mail implement these; tests may pass fakes."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import datetime, timedelta
from types import TracebackType
from typing import Protocol, Self

from domain.bookings import Attendee, Booking, BookingSource
from domain.calendar import BookableHours
from domain.intervals import Interval
from domain.locations import Location, LocationKind, OccupancyLimits
from domain.notifications import Notification, NotificationSettings
from domain.rooms import Room
from domain.users import Actor, Role, User
from gateway.services.authz import Principal
from gateway.services.events import Event
from gateway.services.notification_records import (
    DueReminder,
    NewNotification,
    NotificationCounts,
    PushMessage,
)
from gateway.services.records import (
    BookingQuery,
    FailureTally,
    IssuedToken,
    MailKind,
    OneTimeCode,
    OutgoingMail,
    Page,
    PageRequest,
    QueuedMail,
    RoomQuery,
    ThrottleKey,
    TokenClaims,
    TokenHolder,
    UserQuery,
)


class Clock(Protocol):
    """The current instant, always timezone-aware (UTC)."""

    def now(self) -> datetime: ...


class PasswordHasher(Protocol):
    """One-way password hashing. `verify` never raises on a mismatch; it returns False."""

    def hash(self, password: str) -> str: ...

    def verify(self, hashed: str, password: str) -> bool: ...


class TokenCodec(Protocol):
    """Signs and verifies access tokens.

    `decode` raises DomainError(UNAUTHENTICATED) with a precise message for an expired,
    forged or malformed token.
    """

    def issue(self, actor: Actor, now: datetime) -> IssuedToken: ...

    def decode(self, token: str, now: datetime) -> TokenClaims: ...


class Authenticator(Protocol):
    """Turns a credential as presented (`Bearer <jwt>` or a raw token) into a principal;
    never raises: a bad credential gives a principal carrying the rejection."""

    async def __call__(self, credential: str) -> Principal: ...


class EventPublisher(Protocol):
    """Receives events after the transaction that caused them has committed."""

    async def publish(self, event: Event) -> None: ...


class EventStream(Protocol):
    """Live events by topic, for subscriptions. Leaving the context unsubscribes."""

    def subscribe(self, topic: str) -> AbstractAsyncContextManager[asyncio.Queue[Event]]: ...


class UserRepository(Protocol):
    """Accounts; addresses are stored normalised (trimmed, lower-case)."""

    async def get(self, user_id: int) -> User | None: ...

    async def by_email(self, email: str) -> User | None: ...

    async def by_emails(self, emails: Iterable[str]) -> Mapping[str, User]: ...

    async def password_hash(self, user_id: int) -> str: ...

    async def token_holder(self, user_id: int) -> TokenHolder | None:
        """The account and the instant its tokens are valid from, in one look-up."""
        ...

    async def set_password_hash(self, user_id: int, password_hash: str) -> None: ...

    async def revoke_tokens(self, user_id: int, valid_from: datetime) -> None:
        """Tokens of the account issued before `valid_from` are refused from now on."""
        ...

    async def add(self, *, email: str, name: str, role: Role, password_hash: str) -> User:
        """Raises DomainError(EMAIL_TAKEN) when the address already has an account."""
        ...

    async def list(self, query: UserQuery, page: PageRequest) -> Page[User]: ...


class LocationRepository(Protocol):
    """The location tree. Rooms are added through RoomRepository."""

    async def get(self, location_id: int) -> Location | None: ...

    async def add(
        self,
        *,
        parent_id: int | None,
        kind: LocationKind,
        name: str,
        time_zone: str | None = None,
        bookable_hours: BookableHours | None = None,
    ) -> Location: ...

    async def list(
        self, kind: LocationKind | None, parent_id: int | None, page: PageRequest
    ) -> Page[Location]: ...


class RoomRepository(Protocol):
    """Rooms, each returned with the calendar (zone, bookable hours) of its site."""

    async def by_code(self, code: str) -> Room | None: ...

    async def by_id(self, room_id: int) -> Room | None: ...

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
        """Raises DomainError(INVALID_INPUT, field code) when the code is taken."""
        ...

    async def list(self, query: RoomQuery, page: PageRequest) -> Page[Room]: ...


class BookingRepository(Protocol):
    """Bookings with their attendees, creator first, in invitation order."""

    async def by_code(self, code: str) -> Booking | None: ...

    async def active_intervals(self, room_id: int, within: Interval) -> list[Interval]:
        """Intervals of the room's active bookings that overlap `within`."""
        ...

    async def add(
        self,
        *,
        code: str,
        room_id: int,
        creator_id: int,
        interval: Interval,
        source: BookingSource,
        title: str,
        attendees: Sequence[Attendee],
        created_at: datetime,
    ) -> Booking: ...

    async def save_cancellation(self, booking: Booking) -> None:
        """Store the status, time and canceller the aggregate decided."""
        ...

    async def save_check_ins(self, booking: Booking) -> None:
        """Store the attendees' check-in times the aggregate holds; stored times stay."""
        ...

    async def list(self, query: BookingQuery, page: PageRequest) -> Page[Booking]: ...

    async def invited_since(self, creator_id: int, since: datetime) -> set[str]:
        """The addresses, other than the creator's own, invited to bookings that the
        person created since `since` (cancelled bookings included: their mail went out)."""
        ...


class OneTimeCodeRepository(Protocol):
    """Hashes of mailed one-time codes; the newest per address is the one that counts."""

    async def add(
        self, *, email: str, code_hash: str, created_at: datetime, expires_at: datetime
    ) -> None: ...

    async def latest(self, email: str) -> OneTimeCode | None: ...

    async def record_attempt(self, code_id: int) -> None: ...

    async def consume(self, code_id: int) -> None: ...


class LoginFailureRepository(Protocol):
    """Failed sign-ins by throttle key. Rows older than the policy's window no longer
    count and are purged; a key holds only the few failures its throttle lets through."""

    async def tally(
        self, keys: Sequence[ThrottleKey], since: datetime
    ) -> Mapping[ThrottleKey, FailureTally]:
        """Failures after `since` for each key, in one statement; keys with none are
        left out."""
        ...

    async def add(self, key: ThrottleKey, at: datetime) -> int:
        """Record a failure; the answer identifies it for `forget`."""
        ...

    async def forget(self, failure_ids: Sequence[int]) -> None: ...

    async def clear(self, key: ThrottleKey) -> None:
        """Forget every failure of the key."""
        ...

    async def purge(self, before: datetime) -> None:
        """Forget failures at or before `before`, of every key."""
        ...


class Outbox(Protocol):
    """Mail queued inside the business transaction; a relay sends it after commit."""

    async def add(self, mail: OutgoingMail) -> None:
        """Queue the mail; mail sent on somebody's behalf is also counted per recipient."""
        ...

    async def deliveries_since(
        self,
        addresses: Sequence[str],
        since: datetime,
        kinds: Sequence[MailKind] | None,
    ) -> Mapping[str, int]:
        """How many mails on somebody's behalf (of `kinds`, or any) were queued for each
        address after `since`; addresses with none are left out."""
        ...

    async def claim(self, limit: int, *, now: datetime, lease: timedelta) -> list[QueuedMail]:
        """Lease up to `limit` mails to the caller, oldest first, and return them.

        Only in a writing unit of work; the lease takes effect when it commits. A mail is
        claimable while unsent, with attempts left, and not leased (or backing off) past
        `now`. Claimed, it stays invisible to every other claim, in any process, until
        `now + lease`, so however many relays run, each mail goes to one of them. A relay
        that dies holding a lease loses it when it ends, and the mail goes out again: once
        per relay that lives, at least once across crashes.
        """
        ...

    async def mark_sent(self, claimed: QueuedMail, at: datetime) -> bool:
        """The mail went out: it counts an attempt and is never claimed again.

        Only while `claimed` still holds the mail's lease: once another claim has taken
        the mail, or this claim has recorded an outcome, nothing changes and the answer
        is False. Only in a writing unit of work; it takes effect when that commits.
        """
        ...

    async def mark_failed(
        self, claimed: QueuedMail, error: str, at: datetime, retry_at: datetime
    ) -> bool:
        """The attempt failed with `error`: it counts, and the mail is not claimed before
        `retry_at` (nor ever, once its attempts run out). Like `mark_sent`, only while
        `claimed` still holds the lease; False when it does not."""
        ...


class UnitOfWork(Protocol):
    """One transaction. Leaving the block without `commit()` rolls back.

    A check followed by a write inside a writing unit of work cannot race another writer
    that `lock`s the same key first: on SQLite every writer holds the database's write
    lock from its first statement; on PostgreSQL writers run side by side, and `lock`
    takes transaction-scoped locks on the keys (double booking is refused by the
    database's exclusion constraint besides).
    """

    async def lock(self, *keys: str) -> None:
        """Hold these keys until the unit of work ends; callers that lock several keys
        get them in one fixed order, so two of them never deadlock."""
        ...

    @property
    def users(self) -> UserRepository: ...

    @property
    def locations(self) -> LocationRepository: ...

    @property
    def rooms(self) -> RoomRepository: ...

    @property
    def bookings(self) -> BookingRepository: ...

    @property
    def codes(self) -> OneTimeCodeRepository: ...

    @property
    def outbox(self) -> Outbox: ...

    @property
    def login_failures(self) -> LoginFailureRepository: ...

    @property
    def notifications(self) -> NotificationRepository: ...

    @property
    def reminders(self) -> ReminderRepository: ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None: ...


class Database(Protocol):
    """Opens units of work: `reading()` for queries, `writing()` for changes."""

    def reading(self) -> UnitOfWork: ...

    def writing(self) -> UnitOfWork: ...


class BatchReader(Protocol):
    """Batched look-ups for DataLoaders: one statement per call, whatever the key count.

    Each call opens and closes its own short read session, so concurrently resolved
    fields never share one.
    """

    async def users_by_id(self, ids: Sequence[int]) -> Mapping[int, User]: ...

    async def sharing_a_booking(self, viewer: Actor, ids: Sequence[int]) -> set[int]:
        """Those of `ids` who created or attend a booking that `viewer` created or
        attends (as `Attendee.is_`), whatever its status."""
        ...

    async def locations_by_id(self, ids: Sequence[int]) -> Mapping[int, Location]: ...

    async def children_of(self, ids: Sequence[int]) -> Mapping[int, list[Location]]: ...

    async def rooms_by_location(self, ids: Sequence[int]) -> Mapping[int, list[Room]]: ...

    async def rooms_by_id(self, ids: Sequence[int]) -> Mapping[int, Room]: ...

    async def bookings_by_room(
        self, room_ids: Sequence[int], within: Interval
    ) -> Mapping[int, list[Booking]]: ...


class NotificationRepository(Protocol):
    """Notifications per recipient, people's notification settings and push tokens.

    A recipient's notifications are listed newest first; one they deleted is gone for
    them (only), and a notification id (UUID) of somebody else's is unknown to them.
    """

    async def add(self, notification: NewNotification, recipient_ids: Sequence[int]) -> None:
        """Store the notification once, unread for each recipient."""
        ...

    async def list_for(
        self, user_id: int, page: PageRequest, *, unread_only: bool
    ) -> Page[Notification]: ...

    async def counts(self, user_id: int) -> NotificationCounts: ...

    async def mark_read(self, user_id: int, ids: Sequence[str] | None, at: datetime) -> int:
        """Mark the recipient's unread notifications with these ids (all, for None) read
        at `at`; returns how many changed."""
        ...

    async def delete_for(self, user_id: int, notification_id: str, at: datetime) -> bool:
        """Delete the notification for this recipient only; False if they had none such."""
        ...

    async def settings(self, user_ids: Sequence[int]) -> Mapping[int, NotificationSettings]:
        """Every one of `user_ids`, with the defaults for those who never chose."""
        ...

    async def save_settings(self, user_id: int, settings: NotificationSettings) -> None: ...

    async def push_tokens(self, user_ids: Sequence[int]) -> Mapping[int, list[str]]:
        """The devices of each person, oldest first; people without any are left out."""
        ...

    async def add_push_token(self, user_id: int, token: str, at: datetime, keep: int) -> None:
        """Register a device for the person (moving it from anybody else); only the `keep`
        newest of their devices are kept."""
        ...

    async def remove_push_token(self, user_id: int, token: str) -> bool: ...


class ReminderRepository(Protocol):
    """Booking reminders. Each leaves `pending` once: `settle` is conditional, so of two
    workers settling one reminder only one succeeds, and its unit of work alone commits."""

    async def schedule(self, booking_id: int, user_ids: Sequence[int], due_at: datetime) -> None:
        """A pending reminder per person (once per booking and person)."""
        ...

    async def cancel(self, booking_id: int, at: datetime) -> None:
        """The booking's pending reminders will never be sent."""
        ...

    async def due(self, now: datetime, limit: int) -> list[DueReminder]:
        """Up to `limit` pending reminders due at or before `now`, in due order. Only in a
        writing unit of work; on PostgreSQL rows other workers hold are skipped."""
        ...

    async def settle(self, reminder_id: int, state: str, at: datetime) -> bool:
        """Move a pending reminder to `state` (sent, cancelled, skipped); False when it was
        no longer pending."""
        ...


class PushSender(Protocol):
    """Delivers pushes to devices, best effort: failures are logged, never raised."""

    async def send(self, messages: Sequence[PushMessage]) -> None: ...
