"""What the use cases need from the outside world. Adapters in gateway.store, gateway.auth,
gateway.live and gateway.mail implement these; tests may pass fakes."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import date, datetime, timedelta
from types import TracebackType
from typing import Protocol, Self

from domain.addresses import AllowedAddress, LoginAddresses
from domain.api_tokens import ApiToken, TokenScope
from domain.audit import AuditEvent
from domain.bookings import Attendee, Booking, BookingSource
from domain.calendar import BookableHours
from domain.history import HourRollup
from domain.images import OwnerKind, Quality
from domain.intervals import Interval
from domain.locations import Location, LocationKind, OccupancyLimits
from domain.logins import CodePurpose
from domain.notifications import Notification, NotificationSettings
from domain.occupancy import LeafState
from domain.office_hours import OfficeHours
from domain.presence import Closing, PresenceSession
from domain.profiles import Profile
from domain.rate import TokenRate
from domain.readings import Reading, VisitEnd
from domain.rooms import Room
from domain.timetables import (
    Course,
    RoomDetails,
    Semester,
    StudyPlan,
    Teacher,
    TimetableEvent,
    Unit,
)
from domain.users import Actor, Role, User
from gateway.services.audit_records import AuditQuery, NewAuditEvent
from gateway.services.authz import Principal
from gateway.services.events import Event
from gateway.services.image_records import ImageRecord, ProcessedImage, StoredVariant
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
    PendingRegistration,
    QueuedMail,
    RoomQuery,
    ThrottleKey,
    TokenClaims,
    TokenHolder,
    UserQuery,
)
from gateway.services.timetable_records import (
    CourseDetail,
    CourseInfo,
    RoomFacts,
    RoomFilter,
    RoomSchedule,
    StoredEvent,
    StoredSession,
    StudyPlanDetail,
    StudyPlanSummary,
    TeacherView,
)
from gateway.services.views import PrivateParts


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
        capacity: int | None = None,
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
    """Hashes of mailed one-time codes; the newest per address and purpose is the one
    that counts. `user_id` names the account a code was sent for (None: registration)."""

    async def add(
        self,
        *,
        email: str,
        code_hash: str,
        created_at: datetime,
        expires_at: datetime,
        purpose: CodePurpose = CodePurpose.REGISTRATION,
        user_id: int | None = None,
    ) -> None: ...

    async def latest(
        self, email: str, purpose: CodePurpose = CodePurpose.REGISTRATION
    ) -> OneTimeCode | None: ...

    async def latest_for_user(self, user_id: int, purpose: CodePurpose) -> OneTimeCode | None:
        """The newest code of `purpose` sent for the account, to whichever address."""
        ...

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


class AddressRepository(Protocol):
    """Per-user sign-in address rules (allowed, confirmed, blocked, and the account's
    block-anonymous flag). Addresses are in canonical form (domain.addresses); user ids
    passed to the changes exist (the caller checked, in the same unit of work)."""

    async def rules(self, user_id: int) -> LoginAddresses: ...

    async def allowed(self, user_id: int) -> list[AllowedAddress]:
        """The user's allowed addresses, oldest first."""
        ...

    async def users_allowing(self, address: str) -> list[User]:
        """The users who allow `address`, by e-mail address."""
        ...

    async def people(self, user_ids: Sequence[int]) -> Mapping[int, User]:
        """Those of `user_ids` that have an account, in one statement."""
        ...

    async def allow(
        self, user_ids: Sequence[int], address: str, *, by: int, at: datetime
    ) -> set[int]:
        """Allow `address` to the users and lift any block of it; the answer: those who
        did not allow it before."""
        ...

    async def disallow(
        self, user_ids: Sequence[int], address: str, *, by: int, at: datetime
    ) -> set[int]:
        """Forget `address` as allowed or confirmed, and block it, for the users; the
        answer: those whose rules changed."""
        ...

    async def set_block_anonymous(self, user_ids: Sequence[int], block: bool) -> set[int]:
        """Set the flag; the answer: those whose flag changed."""
        ...

    async def remember(self, user_id: int, address: str, at: datetime) -> None:
        """Record a sign-in from `address` as confirmed (first time) or seen again. The
        caller holds `address_key(user_id)`."""


class OfficeHoursRepository(Protocol):
    """Sites' weekly office hours; a site never given any keeps the default."""

    async def of_site(self, site_id: int) -> OfficeHours | None:
        """The site's table, or None when it keeps the default."""
        ...

    async def of_sites(self, site_ids: Sequence[int]) -> Mapping[int, OfficeHours]:
        """The tables of those sites that have one, in one statement."""
        ...

    async def replace(self, site_id: int, hours: OfficeHours) -> None:
        """Store the whole week: days left out of `hours` are stored as closed."""
        ...


class PresenceRepository(Protocol):
    """Presence sessions; at most one open per person (the database refuses a second)."""

    async def open_of(self, user_id: int) -> PresenceSession | None: ...

    async def open_at_sites(self, site_ids: Sequence[int]) -> list[PresenceSession]:
        """The open sessions on any of these sites, in one statement."""
        ...

    async def all_open(self) -> list[PresenceSession]: ...

    async def enter(self, *, user_id: int, site_id: int, at: datetime) -> PresenceSession: ...

    async def close(self, closing: Closing) -> None: ...

    async def entered_between(
        self, user_id: int | None, since: datetime, until: datetime
    ) -> list[PresenceSession]:
        """Sessions entered in [since, until), of one person or (None) everyone."""


class ImageRepository(Protocol):
    """Image records: at most one per profile and one per room (the store refuses a
    second). The variants' bytes live in the ImageStore, keyed by the record's id."""

    async def get(self, image_id: str) -> ImageRecord | None: ...

    async def for_owners(
        self, kind: OwnerKind, owner_ids: Sequence[int]
    ) -> Mapping[int, ImageRecord]:
        """The image of each owner that has one, by owner id."""
        ...

    async def add(self, record: ImageRecord) -> None: ...

    async def remove(self, image_id: str) -> None:
        """Forget the record; a missing one is fine."""
        ...


class ProfileRepository(Protocol):
    """Profile details, security settings, the address and the role of accounts."""

    async def get(self, user_id: int) -> Profile | None:
        """None: no such account."""
        ...

    async def save(self, user_id: int, profile: Profile) -> None:
        """EMPLOYEE_ID_TAKEN when another account has the profile's employee id."""
        ...

    async def employee_id_taken(self, employee_id: str) -> bool: ...

    async def mfa_enabled(self, user_id: int) -> bool: ...

    async def set_mfa(self, user_id: int, enabled: bool) -> None: ...

    async def set_email(self, user_id: int, email: str) -> None:
        """EMAIL_TAKEN when another account has the address."""
        ...

    async def set_role(self, user_id: int, role: Role) -> None: ...

    async def set_name(self, user_id: int, name: str) -> None: ...

    async def count_admins(self) -> int: ...


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
    def addresses(self) -> AddressRepository: ...

    @property
    def office_hours(self) -> OfficeHoursRepository: ...

    @property
    def presence(self) -> PresenceRepository: ...

    @property
    def images(self) -> ImageRepository: ...

    @property
    def profiles(self) -> ProfileRepository: ...

    @property
    def notifications(self) -> NotificationRepository: ...

    @property
    def reminders(self) -> ReminderRepository: ...

    @property
    def pending_registrations(self) -> PendingRegistrationRepository: ...

    @property
    def timetables(self) -> TimetableRepository: ...

    @property
    def api_tokens(self) -> ApiTokenRepository: ...

    @property
    def occupancy(self) -> OccupancyRepository: ...

    @property
    def audit(self) -> AuditRepository: ...

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

    def glancing(self) -> UnitOfWork:
        """For exactly one read statement: no transaction around it (one statement sees
        one consistent state by itself), so it costs no BEGIN and no ROLLBACK. Two reads
        that must agree use `reading()`."""
        ...


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

    async def private_parts(self, ids: Sequence[int]) -> Mapping[int, PrivateParts]:
        """Profile details and security settings of these accounts."""
        ...


class ImageStore(Protocol):
    """Where variant bytes live (the database by default, or a directory), by image id and
    quality. Each call is complete on its own: it is not part of a unit of work."""

    async def put(self, image_id: str, variants: Mapping[Quality, bytes]) -> None:
        """Store all variants of one image, replacing any under the same id."""
        ...

    async def get(self, image_id: str, quality: Quality) -> StoredVariant | None: ...

    async def delete(self, image_id: str) -> None:
        """Drop every variant of the image; a missing one is fine."""
        ...


class ImageProcessor(Protocol):
    """Turns uploaded bytes into the four variants, oriented and without metadata.
    CPU-bound and synchronous: callers run it off the event loop. Refuses anything but a
    whole JPEG or PNG of acceptable size with DomainError(INVALID_INPUT, field="image")."""

    def __call__(self, data: bytes) -> ProcessedImage: ...


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


class PendingRegistrationRepository(Protocol):
    """Legacy registrations waiting for their mailed code, one per address; only the
    password's hash is stored."""

    async def get(self, email: str) -> PendingRegistration | None: ...

    async def put(self, pending: PendingRegistration) -> None:
        """Store it, replacing the address's previous one."""
        ...

    async def remove(self, email: str) -> None: ...


class TimetableRepository(Protocol):
    """Timetable records, for the import inside one writing unit of work.

    Each `sync_*` makes the stored records match the given ones by their natural key
    (name or code): missing ones are added, changed ones updated, and stored ones not
    given are withdrawn (`available` false, kept for history). They return the ids by key.
    """

    async def rooms_by_code(self, codes: Sequence[str]) -> Mapping[str, Room]: ...

    async def save_room_details(self, room_id: int, details: RoomDetails) -> None: ...

    async def sync_semesters(self, semesters: Sequence[Semester]) -> Mapping[str, int]: ...

    async def sync_teachers(self, teachers: Sequence[Teacher]) -> Mapping[str, int]: ...

    async def sync_courses(
        self, courses: Sequence[Course], teacher_ids: Mapping[str, int]
    ) -> Mapping[str, int]:
        """Also replaces each course's teachers, in the order given."""
        ...

    async def sync_units(self, units: Sequence[Unit]) -> Mapping[str, int]: ...

    async def sync_study_plans(
        self,
        plans: Sequence[StudyPlan],
        unit_ids: Mapping[str, int],
        semester_ids: Mapping[str, int],
        course_ids: Mapping[str, int],
    ) -> None:
        """Also replaces each plan's courses."""
        ...

    async def sessions(self) -> list[StoredSession]:
        """Every stored session, withdrawn ones too, with its room bookings."""
        ...

    async def add_session(self, course_id: int, label: str, interval: Interval) -> int: ...

    async def set_session_available(self, session_id: int, available: bool) -> None: ...

    async def add_session_room(self, session_id: int, room_id: int, booking_id: int) -> None: ...

    async def set_session_room_available(
        self, session_id: int, room_id: int, available: bool
    ) -> None: ...

    async def events(self) -> list[StoredEvent]:
        """Every stored event, withdrawn ones too."""
        ...

    async def add_event(self, event: TimetableEvent, room_id: int, booking_id: int) -> None: ...

    async def set_event_available(self, event_id: int, available: bool) -> None: ...

    async def set_bookings_active(
        self, booking_ids: Sequence[int], active: bool, at: datetime, by: int
    ) -> list[Booking]:
        """Withdraw (cancel) or restore the timetable's own bookings; returns them."""
        ...

    async def clashing(self, room_id: int, interval: Interval) -> list[Booking]:
        """The room's active bookings that overlap `interval`, with their attendees."""
        ...

    async def has_courses(self) -> bool: ...


class RoomSearchReader(Protocol):
    """Rooms as the timetable reads show them, and the busy time that decides free-room
    search and soonest bookings (bookings of every source). Each call opens and closes
    its own short read session; the cost does not grow with a room's booking history."""

    async def rooms(self, where: RoomFilter) -> list[RoomFacts]:
        """Available rooms matching `where` (but `resources`), by code."""
        ...

    async def free_rooms(self, slots: Sequence[Interval], where: RoomFilter) -> list[RoomFacts]:
        """Those of `rooms(where)` with no active booking overlapping any slot."""
        ...

    async def soonest(
        self, after: datetime, where: RoomFilter
    ) -> list[tuple[RoomFacts, Interval | None]]:
        """Each of `rooms(where)` with its current or next block after `after`
        (domain.free_rooms.soonest_block), or None."""
        ...


class TimetableCatalogue(Protocol):
    """Available courses, teachers, study plans and rooms' timetables (withdrawn records
    left out), each call in its own short read session."""

    async def courses(self, codes: Sequence[str] | None = None) -> list[CourseInfo]:
        """By code; all of them, or these."""
        ...

    async def course(self, code: str, plans_ending_after: date) -> CourseDetail | None:
        """With its sessions and the study plans whose semester ends after the date."""
        ...

    async def study_plans(self, ending_after: date | None) -> list[StudyPlanSummary]: ...

    async def study_plan(self, plan_id: int) -> StudyPlanDetail | None: ...

    async def teachers(self) -> list[TeacherView]: ...

    async def room_schedule(self, code: str) -> RoomSchedule | None:
        """An available room with its sessions and events."""
        ...

    async def first_site_zone(self) -> str | None:
        """The IANA zone of the first site created, if there is one."""
        ...


class ApiTokenRepository(Protocol):
    """Hashes of API tokens; a token is found by its hash only."""

    async def add(
        self,
        *,
        name: str,
        token_hash: str,
        location_id: int | None,
        scopes: frozenset[TokenScope],
        created_at: datetime,
        created_by: int | None,
    ) -> ApiToken: ...

    async def by_hash(self, token_hash: str) -> ApiToken | None: ...

    async def list(self) -> list[ApiToken]:
        """Every token, revoked ones too, oldest first."""
        ...

    async def revoke(self, token_id: int, at: datetime) -> ApiToken | None:
        """Revoke it (once: a second revocation keeps the first time); None: no such id."""
        ...


class OccupancyRepository(Protocol):
    """The whole location tree with capacities, and the latest count of every leaf."""

    async def tree(self) -> list[Location]:
        """Every location (trees are hundreds of nodes, not millions)."""
        ...

    async def leaves(self) -> Mapping[int, LeafState]:
        """The latest state of every location that ever reported."""
        ...

    async def set_capacity(self, location_id: int, capacity: int | None) -> None: ...

    async def states(self, location_ids: Sequence[int]) -> Mapping[int, LeafState]:
        """The latest state of these leaves (those that ever reported)."""
        ...

    async def save_states(self, states: Mapping[int, LeafState]) -> None:
        """Insert or replace the state of each leaf."""
        ...

    async def received(
        self, spans: Mapping[int, tuple[datetime, datetime]]
    ) -> set[tuple[int, datetime, str, int | None, str | None]]:
        """The identities (Reading.identity) of the stored readings of each location
        between the two instants (inclusive)."""
        ...

    async def add_readings(
        self, readings: Sequence[tuple[Reading, int | None]], received_at: datetime
    ) -> None:
        """Keep the raw readings, each with the occupancy sample it gave (or None)."""
        ...

    async def add_to_hours(self, deltas: Mapping[tuple[int, datetime], HourRollup]) -> None:
        """Merge these rollups into the stored ones of the same location and hour."""
        ...

    async def hours(
        self, location_ids: Sequence[int], start: datetime, end: datetime
    ) -> Mapping[int, Mapping[datetime, HourRollup]]:
        """The rollups of these locations for hours starting in [start, end)."""
        ...

    async def waiting_visits(
        self, keys: Iterable[tuple[int, str]]
    ) -> Mapping[tuple[int, str], list[VisitEnd]]:
        """The halves of visits waiting, per (location, visitor)."""
        ...

    async def save_visit_ends(
        self, added: Sequence[tuple[int, VisitEnd]], removed: Sequence[int]
    ) -> None:
        """Store new waiting halves (per location) and drop the completed ones by id."""
        ...

    async def purge(self, before: datetime) -> int:
        """Drop raw readings and waiting halves older than `before`; returns how many
        readings went."""
        ...


class OccupancyEvents(Protocol):
    """Told, after an ingest commits, which leaves' live counts changed (live occupancy
    subscriptions listen here); a failure must not fail the ingest, so implementations
    log it."""

    async def counts_changed(self, location_ids: frozenset[int]) -> None: ...


class IgnoredOccupancyEvents:
    """The default `OccupancyEvents`: nobody listens."""

    async def counts_changed(self, location_ids: frozenset[int]) -> None:
        return None


class AuditRepository(Protocol):
    """The audit log's events. Only `add` writes, inside the unit of work of the change
    it records; events are never updated, only purged by age."""

    async def add(self, event: NewAuditEvent) -> None:
        """Store the event with its snapshots passed through `domain.audit.snapshot`."""
        ...

    async def list(self, query: AuditQuery, page: PageRequest) -> Page[AuditEvent]:
        """Matching events, newest first (by id, which grows with every insert)."""
        ...

    async def purge(self, before: datetime) -> int:
        """Drop events recorded before `before`; returns how many went."""
        ...


class RateBuckets(Protocol):
    """Token buckets by key (domain.rate), shared by every gateway process that uses the
    same store: in memory for one process, Redis for several. Taking is atomic per key."""

    async def take(self, key: str, rate: TokenRate, now: datetime) -> float:
        """Take one token from `key`'s bucket at `now`: 0.0 when taken, else the seconds
        until one is there (nothing is taken then)."""
        ...

    async def close(self) -> None:
        """Let go of connections, at shutdown."""
        ...
