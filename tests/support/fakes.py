"""In-memory fakes of the service ports, for testing use cases without a database.

FakeDatabase keeps one committed `State`. A unit of work copies it on entry and works on
the copy; `commit()` swaps the copy in, and leaving without `commit()` drops it, so a
rollback is real. A committed state is never changed again, so a reference to one is a
snapshot. Writing units of work hold a lock, like the SQL store's write lock.
"""

from __future__ import annotations

import asyncio
import copy
import json
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self, TypeVar

import pytest

from domain.addresses import AllowedAddress, LoginAddresses
from domain.api_tokens import ApiToken, TokenScope
from domain.audit import AuditEvent, encode
from domain.bookings import Attendee, Booking, BookingSource, BookingStatus
from domain.calendar import BookableHours, SiteCalendar, parse_time_zone
from domain.errors import DomainError, ErrorCode, invalid
from domain.history import HourRollup
from domain.images import OwnerKind
from domain.intervals import Interval
from domain.locations import Location, LocationKind, OccupancyLimits
from domain.logins import CodePurpose
from domain.notifications import Notification, NotificationSettings
from domain.occupancy import LeafState
from domain.office_hours import OfficeHours
from domain.presence import Closing, PresenceSession
from domain.profiles import Profile
from domain.readings import Reading, VisitEnd
from domain.rooms import Room
from domain.users import Actor, Role, User
from gateway.services.audit_records import AuditQuery, NewAuditEvent
from gateway.services.authz import Principal
from gateway.services.events import Event
from gateway.services.image_records import ImageRecord
from gateway.services.notification_records import DueReminder, NewNotification, NotificationCounts
from gateway.services.ports import Clock, TimetableRepository
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
    decode_cursor,
    encode_cursor,
)
from gateway.services.views import PrivateParts, SecuritySettings

T = TypeVar("T")
MAX_MAIL_ATTEMPTS = 5


@dataclass(frozen=True)
class RoomRow:
    """A room's own columns; its name and floor live on its location, like in SQL."""

    code: str
    number: str
    description: str
    limits: OccupancyLimits
    resources: tuple[str, ...]


@dataclass(frozen=True)
class MailRow:
    mail: OutgoingMail
    queued_at: datetime
    attempts: int = 0
    sent_at: datetime | None = None
    last_error: str | None = None
    locked_until: datetime | None = None

    def claimable(self, now: datetime) -> bool:
        return (
            self.sent_at is None
            and self.attempts < MAX_MAIL_ATTEMPTS
            and (self.locked_until is None or self.locked_until <= now)
        )


@dataclass(frozen=True)
class ReminderRow:
    booking_id: int
    user_id: int
    due_at: datetime
    state: str = "pending"
    done_at: datetime | None = None


@dataclass
class State:
    """Everything stored. Rows are frozen values; ids come from one sequence."""

    last_id: int = 0
    users: dict[int, User] = field(default_factory=dict)
    password_hashes: dict[int, str] = field(default_factory=dict)
    locations: dict[int, Location] = field(default_factory=dict)
    rooms: dict[int, RoomRow] = field(default_factory=dict)
    bookings: dict[int, Booking] = field(default_factory=dict)
    cancelled_by: dict[int, int] = field(default_factory=dict)
    codes: dict[int, OneTimeCode] = field(default_factory=dict)
    outbox: dict[int, MailRow] = field(default_factory=dict)
    tokens_valid_from: dict[int, datetime] = field(default_factory=dict)
    login_failures: dict[int, tuple[ThrottleKey, datetime]] = field(default_factory=dict)
    allowed_addresses: dict[tuple[int, str], AllowedAddress] = field(default_factory=dict)
    # (user id, address) -> (confirmed at, last seen)
    confirmed_addresses: dict[tuple[int, str], tuple[datetime, datetime]] = field(
        default_factory=dict
    )
    blocked_addresses: dict[tuple[int, str], tuple[int, datetime]] = field(default_factory=dict)
    block_anonymous: set[int] = field(default_factory=set)
    office_hours: dict[int, OfficeHours] = field(default_factory=dict)
    presence: dict[int, PresenceSession] = field(default_factory=dict)
    images: dict[str, ImageRecord] = field(default_factory=dict)
    profiles: dict[int, Profile] = field(default_factory=dict)
    mfa: set[int] = field(default_factory=set)
    notifications: dict[int, NewNotification] = field(default_factory=dict)
    # (notification row id, user id) -> read_at, deleted_at
    inbox: dict[tuple[int, int], tuple[datetime | None, datetime | None]] = field(
        default_factory=dict
    )
    notification_settings: dict[int, NotificationSettings] = field(default_factory=dict)
    push_tokens: dict[int, tuple[int, str, datetime]] = field(default_factory=dict)
    reminders: dict[int, ReminderRow] = field(default_factory=dict)
    pending_registrations: dict[str, PendingRegistration] = field(default_factory=dict)
    api_tokens: dict[int, tuple[str, ApiToken]] = field(default_factory=dict)
    occupancy_now: dict[int, LeafState] = field(default_factory=dict)
    # (reading, sample, received at)
    readings: list[tuple[Reading, int | None, datetime]] = field(default_factory=list)
    occupancy_hours: dict[tuple[int, datetime], HourRollup] = field(default_factory=dict)
    visit_ends: dict[int, tuple[int, VisitEnd]] = field(default_factory=dict)
    audit_events: list[AuditEvent] = field(default_factory=list)

    def new_id(self) -> int:
        self.last_id += 1
        return self.last_id

    def lineage(self, location_id: int) -> list[Location]:
        """The location and its ancestors, up to its site."""
        chain = [self.locations[location_id]]
        while (parent := chain[-1].parent_id) is not None:
            chain.append(self.locations[parent])
        return chain

    def booking(self, code: str) -> Booking | None:
        return next((b for b in self.bookings.values() if b.code == code), None)

    @property
    def mails(self) -> list[OutgoingMail]:
        return [row.mail for _, row in sorted(self.outbox.items())]


def _page(
    items: Sequence[T],
    page: PageRequest,
    collection: str,
    key: Callable[[T], list[str | int]],
    size: int = 1,
) -> Page[T]:
    """Keyset or offset paging over `items` (already in `key` order), like the SQL store."""
    rest = list(items)
    if page.after is not None:
        after = decode_cursor(page.after, collection, size)
        rest = [item for item in rest if key(item) > after]
    else:
        rest = rest[page.offset :]
    shown = rest[: page.first]
    return Page(
        items=shown,
        has_next=len(rest) > page.first,
        total=len(items) if page.with_total else None,
        offset=page.offset,
        cursors=[encode_cursor(collection, key(item)) for item in shown],
        has_previous=page.after is not None or page.offset > 0,
    )


class _Repository:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow


class FakeUsers(_Repository):
    async def get(self, user_id: int) -> User | None:
        return self._uow.state.users.get(user_id)

    async def by_email(self, email: str) -> User | None:
        return next((u for u in self._uow.state.users.values() if u.email == email), None)

    async def by_emails(self, emails: Iterable[str]) -> Mapping[str, User]:
        wanted = set(emails)
        return {u.email: u for u in self._uow.state.users.values() if u.email in wanted}

    async def password_hash(self, user_id: int) -> str:
        hashed = self._uow.state.password_hashes.get(user_id)
        if hashed is None:
            raise DomainError(ErrorCode.NOT_FOUND, f"no user with id {user_id}")
        return hashed

    async def token_holder(self, user_id: int) -> TokenHolder | None:
        user = self._uow.state.users.get(user_id)
        if user is None:
            return None
        return TokenHolder(user, self._uow.state.tokens_valid_from.get(user_id))

    async def set_password_hash(self, user_id: int, password_hash: str) -> None:
        self._uow.write().password_hashes[user_id] = password_hash

    async def revoke_tokens(self, user_id: int, valid_from: datetime) -> None:
        self._uow.write().tokens_valid_from[user_id] = valid_from

    async def add(self, *, email: str, name: str, role: Role, password_hash: str) -> User:
        state = self._uow.write()
        if await self.by_email(email) is not None:
            raise DomainError(
                ErrorCode.EMAIL_TAKEN, f"{email} already has an account", field="email"
            )
        user = User(id=state.new_id(), email=email, name=name, role=role)
        state.users[user.id] = user
        state.password_hashes[user.id] = password_hash
        return user

    async def list(self, query: UserQuery, page: PageRequest) -> Page[User]:
        needle = (query.search or "").lower()
        found = [
            u
            for u in sorted(self._uow.state.users.values(), key=lambda u: u.email)
            if (query.role is None or u.role is query.role)
            and (needle in u.email.lower() or needle in u.name.lower())
            and (query.department is None or self._in_department(u.id, query.department))
            and (query.emails is None or u.email in query.emails)
            and (query.on_site is None or self._on_site(u.id) is query.on_site)
        ]
        return _page(found, page, "users", lambda u: [u.email])

    def _on_site(self, user_id: int) -> bool:
        stays = self._uow.state.presence.values()
        return any(p.user_id == user_id and p.exited_at is None for p in stays)

    def _in_department(self, user_id: int, department: str) -> bool:
        own = self._uow.state.profiles.get(user_id, Profile()).department
        return own is not None and own.lower() == department.lower()


class FakeLocations(_Repository):
    async def get(self, location_id: int) -> Location | None:
        return self._uow.state.locations.get(location_id)

    async def add(
        self,
        *,
        parent_id: int | None,
        kind: LocationKind,
        name: str,
        time_zone: str | None = None,
        bookable_hours: BookableHours | None = None,
        capacity: int | None = None,
    ) -> Location:
        state = self._uow.write()
        assert parent_id is None or parent_id in state.locations, "foreign key: parent_id"
        if kind is LocationKind.SITE and bookable_hours is None:
            bookable_hours = BookableHours()
        location = Location(
            state.new_id(), parent_id, kind, name, time_zone, bookable_hours, capacity
        )
        state.locations[location.id] = location
        return location

    async def list(
        self, kind: LocationKind | None, parent_id: int | None, page: PageRequest
    ) -> Page[Location]:
        found = [
            loc
            for loc in sorted(self._uow.state.locations.values(), key=lambda x: (x.name, x.id))
            if (kind is None or loc.kind is kind) and (parent_id in (None, loc.parent_id))
        ]
        return _page(found, page, "locations", lambda loc: [loc.name, loc.id], 2)


class FakeRooms(_Repository):
    def _room(self, room_id: int) -> Room:
        state = self._uow.state
        row, lineage = state.rooms[room_id], state.lineage(room_id)
        site, floor_id = lineage[-1], lineage[0].parent_id
        assert site.time_zone is not None, "a site carries a time zone"
        assert site.bookable_hours is not None, "a site carries bookable hours"
        assert floor_id is not None, "a room sits on a floor"
        return Room(
            id=room_id,
            code=row.code,
            name=lineage[0].name,
            number=row.number,
            description=row.description,
            floor_id=floor_id,
            limits=row.limits,
            resources=row.resources,
            calendar=SiteCalendar(parse_time_zone(site.time_zone), site.bookable_hours),
        )

    async def by_code(self, code: str) -> Room | None:
        found = [i for i, row in self._uow.state.rooms.items() if row.code == code]
        return self._room(found[0]) if found else None

    async def by_id(self, room_id: int) -> Room | None:
        return self._room(room_id) if room_id in self._uow.state.rooms else None

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
        if await self.by_code(code) is not None:
            raise invalid(f"room code {code!r} is already taken", "code")
        location = await self._uow.locations.add(
            parent_id=floor_id, kind=LocationKind.ROOM, name=name
        )
        row = RoomRow(code, number, description, limits, tuple(resources))
        self._uow.write().rooms[location.id] = row
        return self._room(location.id)

    async def list(self, query: RoomQuery, page: PageRequest) -> Page[Room]:
        state, needle = self._uow.state, (query.search or "").lower()
        rooms = sorted((self._room(i) for i in state.rooms), key=lambda r: r.code)
        found = [
            r
            for r in rooms
            if (
                query.under_location_id is None
                or query.under_location_id in {loc.id for loc in state.lineage(r.id)}
            )
            and (
                query.min_capacity is None
                or r.limits.maximum is None
                or r.limits.maximum >= query.min_capacity
            )
            and (needle in r.name.lower() or needle in r.code.lower())
            and (query.codes is None or r.code in query.codes)
        ]
        return _page(found, page, "rooms", lambda r: [r.code])


class FakeBookings(_Repository):
    async def by_code(self, code: str) -> Booking | None:
        return self._uow.state.booking(code)

    async def active_intervals(self, room_id: int, within: Interval) -> list[Interval]:
        return [
            b.interval
            for b in self._uow.state.bookings.values()
            if b.room_id == room_id and b.is_active and b.interval.overlaps(within)
        ]

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
    ) -> Booking:
        state = self._uow.write()
        assert state.booking(code) is None, "unique: bookings.code"
        assert room_id in state.rooms, "foreign key: room_id"
        assert creator_id in state.users, "foreign key: creator_id"
        booking = Booking(
            id=state.new_id(),
            code=code,
            room_id=room_id,
            creator_id=creator_id,
            interval=interval,
            status=BookingStatus.ACTIVE,
            source=source,
            attendees=tuple(attendees),
            created_at=created_at,
            title=title,
        )
        state.bookings[booking.id] = booking
        return booking

    async def save_cancellation(self, booking: Booking) -> None:
        state = self._uow.write()
        stored = state.bookings[booking.id]
        state.bookings[booking.id] = replace(
            stored,
            status=booking.status,
            cancelled_at=booking.cancelled_at,
            cancelled_by=booking.cancelled_by,
        )
        assert booking.cancelled_by is not None
        state.cancelled_by[booking.id] = booking.cancelled_by

    async def save_check_ins(self, booking: Booking) -> None:
        state = self._uow.write()
        stored = state.bookings[booking.id]
        times = {a.email: a.checked_in_at for a in booking.attendees}
        attendees = tuple(
            replace(a, checked_in_at=times.get(a.email)) if a.checked_in_at is None else a
            for a in stored.attendees
        )
        state.bookings[booking.id] = replace(stored, attendees=attendees)

    async def list(self, query: BookingQuery, page: PageRequest) -> Page[Booking]:
        def wanted(b: Booking) -> bool:
            return (
                (query.room_ids is None or b.room_id in query.room_ids)
                and (query.involving is None or b.involves(query.involving))
                and b.status in query.statuses
                and (query.sources is None or b.source in query.sources)
                and (query.ends_after is None or b.interval.end > query.ends_after)
                and (query.starts_before is None or b.interval.start < query.starts_before)
            )

        bookings = self._uow.state.bookings.values()
        found = sorted(filter(wanted, bookings), key=lambda b: (b.interval.start, b.id))
        return _page(found, page, "bookings", lambda b: [b.interval.start.isoformat(), b.id], 2)

    async def invited_since(self, creator_id: int, since: datetime) -> set[str]:
        return {
            a.email
            for b in self._uow.state.bookings.values()
            if b.creator_id == creator_id and b.created_at >= since
            for a in b.attendees[1:]
        }


class FakeCodes(_Repository):
    async def add(
        self,
        *,
        email: str,
        code_hash: str,
        created_at: datetime,
        expires_at: datetime,
        purpose: CodePurpose = CodePurpose.REGISTRATION,
        user_id: int | None = None,
    ) -> None:
        state = self._uow.write()
        code_id = state.new_id()
        state.codes[code_id] = OneTimeCode(
            code_id, email, code_hash, expires_at, 0, False, created_at, purpose, user_id
        )

    async def latest(
        self, email: str, purpose: CodePurpose = CodePurpose.REGISTRATION
    ) -> OneTimeCode | None:
        mine = [
            c for c in self._uow.state.codes.values() if c.email == email and c.purpose is purpose
        ]
        return max(mine, key=lambda c: c.id, default=None)

    async def latest_for_user(self, user_id: int, purpose: CodePurpose) -> OneTimeCode | None:
        mine = [
            c
            for c in self._uow.state.codes.values()
            if c.user_id == user_id and c.purpose is purpose
        ]
        return max(mine, key=lambda c: c.id, default=None)

    async def record_attempt(self, code_id: int) -> None:
        codes = self._uow.write().codes
        codes[code_id] = replace(codes[code_id], attempts=codes[code_id].attempts + 1)

    async def consume(self, code_id: int) -> None:
        codes = self._uow.write().codes
        codes[code_id] = replace(codes[code_id], consumed=True)


class FakeOutbox(_Repository):
    async def add(self, mail: OutgoingMail) -> None:
        state = self._uow.write()
        state.outbox[state.new_id()] = MailRow(mail, queued_at=self._uow.db.clock.now())

    async def deliveries_since(
        self,
        addresses: Sequence[str],
        since: datetime,
        kinds: Sequence[MailKind] | None,
    ) -> Mapping[str, int]:
        counts: dict[str, int] = {}
        for row in self._uow.state.outbox.values():
            kind = row.mail.kind
            if not kind.on_behalf or row.queued_at <= since or (kinds and kind not in kinds):
                continue
            for address in dict.fromkeys(row.mail.recipients):
                if address in addresses:
                    counts[address] = counts.get(address, 0) + 1
        return counts

    async def claim(self, limit: int, *, now: datetime, lease: timedelta) -> list[QueuedMail]:
        # write(): a claim needs the writing unit of work, whose lock serialises claims
        # like the SQL store's; the lease is seen by others only once it commits.
        outbox = self._uow.write().outbox
        claimed = [(i, row) for i, row in sorted(outbox.items()) if row.claimable(now)][:limit]
        for mail_id, row in claimed:
            outbox[mail_id] = replace(row, locked_until=now + lease)
        return [QueuedMail(i, row.mail, row.attempts, now + lease) for i, row in claimed]

    async def mark_sent(self, claimed: QueuedMail, at: datetime) -> bool:
        return self._record(claimed, sent_at=at, locked_until=None)

    async def mark_failed(
        self, claimed: QueuedMail, error: str, at: datetime, retry_at: datetime
    ) -> bool:
        return self._record(claimed, last_error=f"{at.isoformat()}: {error}", locked_until=retry_at)

    def _record(self, claimed: QueuedMail, **outcome: Any) -> bool:
        """Like the SQL outbox: only the claim that still holds the lease records."""
        outbox = self._uow.write().outbox
        row = outbox[claimed.id]
        if (row.locked_until, row.attempts) != (claimed.leased_until, claimed.attempts):
            return False
        outbox[claimed.id] = replace(row, attempts=row.attempts + 1, **outcome)
        return True


class FakeLoginFailures(_Repository):
    async def tally(
        self, keys: Sequence[ThrottleKey], since: datetime
    ) -> Mapping[ThrottleKey, FailureTally]:
        found: dict[ThrottleKey, FailureTally] = {}
        for key, at in self._uow.state.login_failures.values():
            if key in keys and at > since:
                seen = found.get(key)
                found[key] = (
                    FailureTally(seen.count + 1, max(seen.last_at, at))
                    if seen
                    else FailureTally(1, at)
                )
        return found

    async def add(self, key: ThrottleKey, at: datetime) -> int:
        state = self._uow.write()
        failure_id = state.new_id()
        state.login_failures[failure_id] = (key, at)
        return failure_id

    async def forget(self, failure_ids: Sequence[int]) -> None:
        failures = self._uow.write().login_failures
        for failure_id in failure_ids:
            failures.pop(failure_id, None)

    async def clear(self, key: ThrottleKey) -> None:
        failures = self._uow.write().login_failures
        for failure_id in [i for i, (k, _) in failures.items() if k == key]:
            del failures[failure_id]

    async def purge(self, before: datetime) -> None:
        failures = self._uow.write().login_failures
        for failure_id in [i for i, (_, at) in failures.items() if at <= before]:
            del failures[failure_id]


class FakeAddresses(_Repository):
    async def rules(self, user_id: int) -> LoginAddresses:
        state = self._uow.state

        def of(table: Mapping[tuple[int, str], object]) -> frozenset[str]:
            return frozenset(a for (u, a) in table if u == user_id)

        return LoginAddresses(
            allowed=of(state.allowed_addresses),
            confirmed=of(state.confirmed_addresses),
            blocked=of(state.blocked_addresses),
            block_anonymous=user_id in state.block_anonymous,
        )

    async def allowed(self, user_id: int) -> list[AllowedAddress]:
        mine = [a for (u, _), a in self._uow.state.allowed_addresses.items() if u == user_id]
        return sorted(mine, key=lambda a: (a.added_at, a.address))

    async def users_allowing(self, address: str) -> list[User]:
        state = self._uow.state
        found = [state.users[u] for (u, a) in state.allowed_addresses if a == address]
        return sorted(found, key=lambda u: u.email)

    async def people(self, user_ids: Sequence[int]) -> Mapping[int, User]:
        users = self._uow.state.users
        return {i: users[i] for i in user_ids if i in users}

    async def allow(
        self, user_ids: Sequence[int], address: str, *, by: int, at: datetime
    ) -> set[int]:
        state = self._uow.write()
        fresh = {i for i in user_ids if (i, address) not in state.allowed_addresses}
        for i in fresh:
            assert i in state.users, "foreign key: user_id"
            state.allowed_addresses[(i, address)] = AllowedAddress(address, at, by)
        for i in user_ids:
            state.blocked_addresses.pop((i, address), None)
        return fresh

    async def disallow(
        self, user_ids: Sequence[int], address: str, *, by: int, at: datetime
    ) -> set[int]:
        state = self._uow.write()
        changed: set[int] = set()
        for i in user_ids:
            assert i in state.users, "foreign key: user_id"
            had = state.allowed_addresses.pop((i, address), None)
            seen = state.confirmed_addresses.pop((i, address), None)
            if had or seen or (i, address) not in state.blocked_addresses:
                changed.add(i)
            state.blocked_addresses.setdefault((i, address), (by, at))
        return changed

    async def set_block_anonymous(self, user_ids: Sequence[int], block: bool) -> set[int]:
        state = self._uow.write()
        flagged = state.block_anonymous
        changed = {i for i in user_ids if i in state.users and (i in flagged) != block}
        if block:
            flagged |= changed
        else:
            flagged -= changed
        return changed

    async def remember(self, user_id: int, address: str, at: datetime) -> None:
        confirmed = self._uow.write().confirmed_addresses
        first, _ = confirmed.get((user_id, address), (at, at))
        confirmed[(user_id, address)] = (first, at)


class FakeOfficeHours(_Repository):
    async def of_site(self, site_id: int) -> OfficeHours | None:
        return self._uow.state.office_hours.get(site_id)

    async def of_sites(self, site_ids: Sequence[int]) -> Mapping[int, OfficeHours]:
        stored = self._uow.state.office_hours
        return {s: stored[s] for s in site_ids if s in stored}

    async def replace(self, site_id: int, hours: OfficeHours) -> None:
        self._uow.write().office_hours[site_id] = hours


class FakePresence(_Repository):
    def _all(self, wanted: Callable[[PresenceSession], bool]) -> list[PresenceSession]:
        return [s for _, s in sorted(self._uow.state.presence.items()) if wanted(s)]

    async def open_of(self, user_id: int) -> PresenceSession | None:
        found = self._all(lambda s: s.is_open and s.user_id == user_id)
        return found[0] if found else None

    async def open_at_sites(self, site_ids: Sequence[int]) -> list[PresenceSession]:
        return self._all(lambda s: s.is_open and s.site_id in site_ids)

    async def all_open(self) -> list[PresenceSession]:
        return self._all(lambda s: s.is_open)

    async def enter(self, *, user_id: int, site_id: int, at: datetime) -> PresenceSession:
        if await self.open_of(user_id) is not None:
            raise DomainError(
                ErrorCode.ALREADY_ON_SITE, "already on site; toggle off first", field="onSite"
            )
        state = self._uow.write()
        found = PresenceSession(state.new_id(), user_id, site_id, at)
        state.presence[found.id] = found
        return found

    async def close(self, closing: Closing) -> None:
        sessions = self._uow.write().presence
        found = sessions.get(closing.session_id)
        if found is not None and found.is_open:
            sessions[found.id] = replace(found, exited_at=closing.at, closed_by=closing.by)

    async def entered_between(
        self, user_id: int | None, since: datetime, until: datetime
    ) -> list[PresenceSession]:
        return self._all(lambda s: since <= s.entered_at < until and user_id in (None, s.user_id))


class FakeImages(_Repository):
    async def get(self, image_id: str) -> ImageRecord | None:
        return self._uow.state.images.get(image_id)

    async def for_owners(
        self, kind: OwnerKind, owner_ids: Sequence[int]
    ) -> Mapping[int, ImageRecord]:
        wanted = set(owner_ids)
        return {
            r.owner_id: r
            for r in self._uow.state.images.values()
            if r.owner_kind is kind and r.owner_id in wanted
        }

    async def add(self, record: ImageRecord) -> None:
        state = self._uow.write()
        if any(
            (r.owner_kind, r.owner_id) == (record.owner_kind, record.owner_id)
            for r in state.images.values()
        ):
            raise AssertionError("one image per owner: the store's unique key refuses this")
        state.images[record.id] = record

    async def remove(self, image_id: str) -> None:
        self._uow.write().images.pop(image_id, None)


class FakeProfiles(_Repository):
    async def get(self, user_id: int) -> Profile | None:
        if user_id not in self._uow.state.users:
            return None
        return self._uow.state.profiles.get(user_id, Profile())

    async def save(self, user_id: int, profile: Profile) -> None:
        state = self._uow.write()
        wanted = profile.employee_id
        if wanted is not None and any(
            p.employee_id == wanted for i, p in state.profiles.items() if i != user_id
        ):
            raise DomainError(
                ErrorCode.EMPLOYEE_ID_TAKEN,
                f"{wanted} is another person's employee id",
                field="employeeId",
            )
        state.profiles[user_id] = profile

    async def employee_id_taken(self, employee_id: str) -> bool:
        return any(p.employee_id == employee_id for p in self._uow.state.profiles.values())

    async def mfa_enabled(self, user_id: int) -> bool:
        return user_id in self._uow.state.mfa

    async def set_mfa(self, user_id: int, enabled: bool) -> None:
        mfa = self._uow.write().mfa
        if enabled:
            mfa.add(user_id)
        else:
            mfa.discard(user_id)

    async def set_email(self, user_id: int, email: str) -> None:
        state = self._uow.write()
        if any(u.email == email for i, u in state.users.items() if i != user_id):
            raise DomainError(
                ErrorCode.EMAIL_TAKEN, f"{email} already has an account", field="newEmail"
            )
        state.users[user_id] = replace(state.users[user_id], email=email)

    async def set_role(self, user_id: int, role: Role) -> None:
        users = self._uow.write().users
        users[user_id] = replace(users[user_id], role=role)

    async def set_name(self, user_id: int, name: str) -> None:
        users = self._uow.write().users
        users[user_id] = replace(users[user_id], name=name)

    async def count_admins(self) -> int:
        return sum(u.role is Role.ADMIN for u in self._uow.state.users.values())


class FakeNotifications(_Repository):
    async def add(self, notification: NewNotification, recipient_ids: Sequence[int]) -> None:
        state = self._uow.write()
        row_id = state.new_id()
        state.notifications[row_id] = notification
        for user_id in dict.fromkeys(recipient_ids):
            state.inbox[(row_id, user_id)] = (None, None)

    def _mine(self, user_id: int) -> list[tuple[int, datetime | None]]:
        """The recipient's undeleted notifications as (row id, read_at), newest first."""
        return sorted(
            (
                (row_id, read_at)
                for (row_id, u), (read_at, deleted_at) in self._uow.state.inbox.items()
                if u == user_id and deleted_at is None
            ),
            reverse=True,
        )

    async def list_for(
        self, user_id: int, page: PageRequest, *, unread_only: bool
    ) -> Page[Notification]:
        rows = [(i, r) for i, r in self._mine(user_id) if not (unread_only and r is not None)]
        # Newest first: the fake keys on the negated row id so _page can page upwards.
        found = _page(rows, page, "notifications", lambda row: [-row[0]])
        notes = self._uow.state.notifications

        def seen(row: tuple[int, datetime | None]) -> Notification:
            n = notes[row[0]]
            return Notification(
                n.id, n.title, n.message, n.kind, n.created_at, user_id, n.booking_code, row[1]
            )

        return found.map(seen)

    async def counts(self, user_id: int) -> NotificationCounts:
        mine = self._mine(user_id)
        return NotificationCounts(sum(1 for _, r in mine if r is None), len(mine))

    async def mark_read(self, user_id: int, ids: Sequence[str] | None, at: datetime) -> int:
        state = self._uow.write()
        changed = 0
        for row_id, read_at in self._mine(user_id):
            if read_at is None and (ids is None or state.notifications[row_id].id in ids):
                state.inbox[(row_id, user_id)] = (at, None)
                changed += 1
        return changed

    async def delete_for(self, user_id: int, notification_id: str, at: datetime) -> bool:
        state = self._uow.write()
        for row_id, read_at in self._mine(user_id):
            if state.notifications[row_id].id == notification_id:
                state.inbox[(row_id, user_id)] = (read_at, at)
                return True
        return False

    async def settings(self, user_ids: Sequence[int]) -> Mapping[int, NotificationSettings]:
        chosen = self._uow.state.notification_settings
        return {u: chosen.get(u, NotificationSettings()) for u in user_ids}

    async def save_settings(self, user_id: int, settings: NotificationSettings) -> None:
        self._uow.write().notification_settings[user_id] = settings

    async def push_tokens(self, user_ids: Sequence[int]) -> Mapping[int, list[str]]:
        found: dict[int, list[str]] = {}
        for _, (user_id, token, _at) in sorted(self._uow.state.push_tokens.items()):
            if user_id in user_ids:
                found.setdefault(user_id, []).append(token)
        return found

    async def add_push_token(self, user_id: int, token: str, at: datetime, keep: int) -> None:
        tokens = self._uow.write().push_tokens
        for token_id in [i for i, (_, t, _) in tokens.items() if t == token]:
            del tokens[token_id]
        tokens[self._uow.state.new_id()] = (user_id, token, at)
        theirs = sorted(i for i, (u, _, _) in tokens.items() if u == user_id)
        for token_id in theirs[:-keep] if keep else theirs:
            del tokens[token_id]

    async def remove_push_token(self, user_id: int, token: str) -> bool:
        tokens = self._uow.write().push_tokens
        for token_id, (u, t, _) in list(tokens.items()):
            if (u, t) == (user_id, token):
                del tokens[token_id]
                return True
        return False


class FakeReminders(_Repository):
    async def schedule(self, booking_id: int, user_ids: Sequence[int], due_at: datetime) -> None:
        state = self._uow.write()
        for user_id in dict.fromkeys(user_ids):
            state.reminders[state.new_id()] = ReminderRow(booking_id, user_id, due_at)

    async def cancel(self, booking_id: int, at: datetime) -> None:
        reminders = self._uow.write().reminders
        for i, row in list(reminders.items()):
            if row.booking_id == booking_id and row.state == "pending":
                reminders[i] = replace(row, state="cancelled", done_at=at)

    async def due(self, now: datetime, limit: int) -> list[DueReminder]:
        state = self._uow.write()
        pending = sorted(
            (row.due_at, i)
            for i, row in state.reminders.items()
            if row.state == "pending" and row.due_at <= now
        )[:limit]
        return [
            DueReminder(
                i,
                state.bookings[state.reminders[i].booking_id].code,
                state.reminders[i].user_id,
                state.users[state.reminders[i].user_id].email,
                due,
            )
            for due, i in pending
        ]

    async def settle(self, reminder_id: int, state: str, at: datetime) -> bool:
        reminders = self._uow.write().reminders
        row = reminders[reminder_id]
        if row.state != "pending":
            return False
        reminders[reminder_id] = replace(row, state=state, done_at=at)
        return True


class FakePendingRegistrations(_Repository):
    async def get(self, email: str) -> PendingRegistration | None:
        return self._uow.state.pending_registrations.get(email)

    async def put(self, pending: PendingRegistration) -> None:
        self._uow.write().pending_registrations[pending.email] = pending

    async def remove(self, email: str) -> None:
        self._uow.write().pending_registrations.pop(email, None)


class FakeUnitOfWork:
    # The timetable import and reads are tested on the real SQL store only (tests/store/
    # test_timetable_import.py and the schema and shim tests); no fake stands in for them.
    timetables: TimetableRepository

    def __init__(self, db: FakeDatabase, *, writing: bool) -> None:
        self._db = db
        self._writing = writing
        self._state: State | None = None
        # Plain attributes satisfy the read-only properties of the UnitOfWork protocol.
        self.users, self.locations = FakeUsers(self), FakeLocations(self)
        self.rooms, self.bookings = FakeRooms(self), FakeBookings(self)
        self.codes, self.outbox = FakeCodes(self), FakeOutbox(self)
        self.login_failures = FakeLoginFailures(self)
        self.addresses = FakeAddresses(self)
        self.office_hours, self.presence = FakeOfficeHours(self), FakePresence(self)
        self.images = FakeImages(self)
        self.profiles = FakeProfiles(self)
        self.notifications, self.reminders = FakeNotifications(self), FakeReminders(self)
        self.pending_registrations = FakePendingRegistrations(self)
        self.api_tokens, self.occupancy = FakeApiTokens(self), FakeOccupancy(self)
        self.audit = FakeAuditLog(self)

    @property
    def db(self) -> FakeDatabase:
        return self._db

    @property
    def state(self) -> State:
        assert self._state is not None, "the unit of work is used outside its block"
        return self._state

    def write(self) -> State:
        assert self._writing, "a reading unit of work must not change anything"
        return self.state

    async def __aenter__(self) -> Self:
        assert self._state is None, "a unit of work is entered once"
        if self._writing:
            await self._db.write_lock.acquire()
        self._state = copy.deepcopy(self._db.state)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._state = None  # uncommitted changes are dropped: a rollback
        if self._writing:
            self._db.write_lock.release()

    async def lock(self, *keys: str) -> None:
        """Nothing to do: a writing unit of work already holds the one write lock."""

    async def commit(self) -> None:
        state = self.write()
        self._db.state = state
        self._db.commits += 1
        self._state = copy.deepcopy(state)  # later changes must not touch the committed one


class FakeDatabase:
    """`clock` stamps queued mail, as the SQL outbox does; without one, mail is stamped
    at the epoch, so it never counts against a ration."""

    def __init__(self, clock: Clock | None = None) -> None:
        self.state = State()
        self.commits = 0
        self.write_lock = asyncio.Lock()
        self.clock: Clock = clock or _EpochClock()

    def reading(self) -> FakeUnitOfWork:
        return FakeUnitOfWork(self, writing=False)

    def writing(self) -> FakeUnitOfWork:
        return FakeUnitOfWork(self, writing=True)

    def glancing(self) -> FakeUnitOfWork:
        return FakeUnitOfWork(self, writing=False)


class FakeBatchReader:
    """The batch reads over a FakeDatabase: each call reads one committed snapshot."""

    def __init__(self, db: FakeDatabase) -> None:
        self._db = db
        self.calls: list[tuple[str, tuple[int, ...]]] = []

    def _record(self, name: str, ids: Sequence[int]) -> State:
        self.calls.append((name, tuple(ids)))
        return self._db.state

    async def users_by_id(self, ids: Sequence[int]) -> Mapping[int, User]:
        users = self._record("users_by_id", ids).users
        return {i: users[i] for i in ids if i in users}

    async def sharing_a_booking(self, viewer: Actor, ids: Sequence[int]) -> set[int]:
        state = self._record("sharing_a_booking", ids)
        shared: set[int] = set()
        for booking in state.bookings.values():
            if booking.involves(viewer):
                people = {booking.creator_id, *(a.user_id for a in booking.attendees)}
                shared |= {i for i in ids if i in people}
        return shared

    async def locations_by_id(self, ids: Sequence[int]) -> Mapping[int, Location]:
        locations = self._record("locations_by_id", ids).locations
        return {i: locations[i] for i in ids if i in locations}

    async def children_of(self, ids: Sequence[int]) -> Mapping[int, list[Location]]:
        state = self._record("children_of", ids)
        found: dict[int, list[Location]] = {}
        for loc in sorted(state.locations.values(), key=lambda x: (x.name, x.id)):
            if loc.parent_id is not None and loc.parent_id in ids:
                found.setdefault(loc.parent_id, []).append(loc)
        return found

    async def rooms_by_location(self, ids: Sequence[int]) -> Mapping[int, list[Room]]:
        self._record("rooms_by_location", ids)
        found: dict[int, list[Room]] = {}
        for room in sorted(await self._all_rooms(), key=lambda r: r.code):
            if room.floor_id in ids:
                found.setdefault(room.floor_id, []).append(room)
        return found

    async def rooms_by_id(self, ids: Sequence[int]) -> Mapping[int, Room]:
        self._record("rooms_by_id", ids)
        return {room.id: room for room in await self._all_rooms() if room.id in ids}

    async def _all_rooms(self) -> list[Room]:
        async with self._db.reading() as uow:
            return [room for i in uow.state.rooms if (room := await uow.rooms.by_id(i))]

    async def bookings_by_room(
        self, room_ids: Sequence[int], within: Interval
    ) -> Mapping[int, list[Booking]]:
        bookings = self._record("bookings_by_room", room_ids).bookings.values()
        found: dict[int, list[Booking]] = {}
        for b in sorted(bookings, key=lambda b: (b.interval.start, b.id)):
            if b.room_id in room_ids and b.is_active and b.interval.overlaps(within):
                found.setdefault(b.room_id, []).append(b)
        return found

    async def private_parts(self, ids: Sequence[int]) -> Mapping[int, PrivateParts]:
        state = self._record("private_parts", ids)
        return {
            i: PrivateParts(state.profiles.get(i, Profile()), SecuritySettings(i in state.mfa))
            for i in ids
            if i in state.users
        }


class _EpochClock:
    def now(self) -> datetime:
        return datetime(1970, 1, 1, tzinfo=UTC)


class FakeHasher:
    """`hash` prefixes; `verify` compares. Both calls are recorded."""

    def __init__(self) -> None:
        self.hashed: list[str] = []
        self.verified: list[tuple[str, str]] = []

    def hash(self, password: str) -> str:
        self.hashed.append(password)
        return f"hashed:{password}"

    def verify(self, hashed: str, password: str) -> bool:
        self.verified.append((hashed, password))
        return hashed == f"hashed:{password}"


class FakeTokens:
    """Opaque tokens that decode only on this codec, and only until they expire."""

    def __init__(self, lifetime: timedelta = timedelta(hours=1)) -> None:
        self.lifetime = lifetime
        self.issued: dict[str, tuple[TokenClaims, datetime]] = {}

    def issue(self, actor: Actor, now: datetime) -> IssuedToken:
        token = f"token-{len(self.issued) + 1}"
        expires = now + self.lifetime
        # Whole seconds, like a JWT's iat, so revocation meets the same resolution.
        issued_at = now.replace(microsecond=0)
        claims = TokenClaims(actor.user_id, actor.email, actor.role, expires, issued_at)
        self.issued[token] = (claims, expires)
        return IssuedToken(token=token, expires_at=expires)

    def decode(self, token: str, now: datetime) -> TokenClaims:
        if token not in self.issued:
            raise DomainError(ErrorCode.UNAUTHENTICATED, "the token's signature is invalid")
        claims, expires = self.issued[token]
        if expires <= now:
            raise DomainError(ErrorCode.UNAUTHENTICATED, "the token has expired; sign in again")
        return claims


class RecordingPublisher:
    """Keeps the events and, with a database, the committed state as each one arrived."""

    def __init__(self, db: FakeDatabase | None = None) -> None:
        self.events: list[Event] = []
        self.seen: list[State] = []
        self._db = db

    async def publish(self, event: Event) -> None:
        self.events.append(event)
        if self._db is not None:
            self.seen.append(self._db.state)


def signed_in(user: User) -> Principal:
    return Principal(actor=user.as_actor())


async def rejected(call: Awaitable[object]) -> DomainError:
    """The DomainError `call` raises; fails the test when it raises none."""
    with pytest.raises(DomainError) as caught:
        await call
    return caught.value


if TYPE_CHECKING:  # the fakes satisfy the ports structurally
    from gateway.services import ports

    _PORTS: tuple[
        ports.Database,
        ports.PasswordHasher,
        ports.TokenCodec,
        ports.EventPublisher,
        ports.BatchReader,
    ]
    _PORTS = (
        FakeDatabase(),
        FakeHasher(),
        FakeTokens(),
        RecordingPublisher(),
        FakeBatchReader(FakeDatabase()),
    )


class FakeApiTokens(_Repository):
    async def add(
        self,
        *,
        name: str,
        token_hash: str,
        location_id: int | None,
        scopes: frozenset[TokenScope],
        created_at: datetime,
        created_by: int | None,
    ) -> ApiToken:
        state = self._uow.write()
        assert all(h != token_hash for h, _ in state.api_tokens.values()), "unique token_hash"
        assert location_id is None or location_id in state.locations, "foreign key"
        token = ApiToken(state.new_id(), name, location_id, scopes, created_at, created_by)
        state.api_tokens[token.id] = (token_hash, token)
        return token

    async def by_hash(self, token_hash: str) -> ApiToken | None:
        found = [t for h, t in self._uow.state.api_tokens.values() if h == token_hash]
        return found[0] if found else None

    async def list(self) -> list[ApiToken]:
        return [pair[1] for _, pair in sorted(self._uow.state.api_tokens.items())]

    async def revoke(self, token_id: int, at: datetime) -> ApiToken | None:
        state = self._uow.write()
        if token_id not in state.api_tokens:
            return None
        token_hash, token = state.api_tokens[token_id]
        if token.revoked_at is None:
            token = replace(token, revoked_at=at)
            state.api_tokens[token_id] = (token_hash, token)
        return token


class FakeOccupancy(_Repository):
    async def tree(self) -> list[Location]:
        return [loc for _, loc in sorted(self._uow.state.locations.items())]

    async def leaves(self) -> Mapping[int, LeafState]:
        return dict(self._uow.state.occupancy_now)

    async def set_capacity(self, location_id: int, capacity: int | None) -> None:
        state = self._uow.write()
        state.locations[location_id] = replace(state.locations[location_id], capacity=capacity)

    async def states(self, location_ids: Sequence[int]) -> Mapping[int, LeafState]:
        now = self._uow.state.occupancy_now
        return {i: now[i] for i in location_ids if i in now}

    async def save_states(self, states: Mapping[int, LeafState]) -> None:
        state = self._uow.write()
        assert all(i in state.locations for i in states), "foreign key: location_id"
        assert all(s.count >= 0 for s in states.values()), "check: count_not_negative"
        state.occupancy_now.update(states)

    async def received(
        self, spans: Mapping[int, tuple[datetime, datetime]]
    ) -> set[tuple[int, datetime, str, int | None, str | None]]:
        return {
            r.identity
            for r, _, _ in self._uow.state.readings
            if r.location_id in spans and spans[r.location_id][0] <= r.at <= spans[r.location_id][1]
        }

    async def add_readings(
        self, readings: Sequence[tuple[Reading, int | None]], received_at: datetime
    ) -> None:
        state = self._uow.write()
        state.readings.extend((r, sample, received_at) for r, sample in readings)

    async def add_to_hours(self, deltas: Mapping[tuple[int, datetime], HourRollup]) -> None:
        hours = self._uow.write().occupancy_hours
        for key, delta in deltas.items():
            hours[key] = hours[key].merge(delta) if key in hours else delta

    async def hours(
        self, location_ids: Sequence[int], start: datetime, end: datetime
    ) -> Mapping[int, Mapping[datetime, HourRollup]]:
        found: dict[int, dict[datetime, HourRollup]] = {i: {} for i in location_ids}
        for (location_id, hour), rollup in self._uow.state.occupancy_hours.items():
            if location_id in found and start <= hour < end:
                found[location_id][hour] = rollup
        return found

    async def waiting_visits(
        self, keys: Iterable[tuple[int, str]]
    ) -> Mapping[tuple[int, str], list[VisitEnd]]:
        found: dict[tuple[int, str], list[VisitEnd]] = {k: [] for k in keys}
        for location_id, end in sorted(
            self._uow.state.visit_ends.values(), key=lambda p: p[1].id or 0
        ):
            if (location_id, end.visitor) in found:
                found[(location_id, end.visitor)].append(end)
        return found

    async def save_visit_ends(
        self, added: Sequence[tuple[int, VisitEnd]], removed: Sequence[int]
    ) -> None:
        state = self._uow.write()
        for end_id in removed:
            del state.visit_ends[end_id]
        for location_id, end in added:
            end_id = state.new_id()
            state.visit_ends[end_id] = (location_id, replace(end, id=end_id))

    async def purge(self, before: datetime) -> int:
        state = self._uow.write()
        kept = [r for r in state.readings if r[0].at >= before]
        gone = len(state.readings) - len(kept)
        state.readings = kept
        state.visit_ends = {
            i: (loc, end)
            for i, (loc, end) in state.visit_ends.items()
            if (end.entered_at or end.left_at or before) >= before
        }
        return gone


def _audit_matches(event: AuditEvent, query: AuditQuery) -> bool:
    actor = query.actor
    return (
        (query.entity is None or event.entity is query.entity)
        and (query.entity_id is None or event.entity_id == query.entity_id)
        and (query.action is None or event.action == query.action)
        and (actor is None or event.actor == actor)
        and (query.since is None or event.at >= query.since)
        and (query.until is None or event.at < query.until)
    )


class FakeAuditLog(_Repository):
    """Snapshots go through the same JSON encoding as the SQL store's."""

    async def add(self, event: NewAuditEvent) -> None:
        state = self._uow.write()
        before, after = encode(event.before), encode(event.after)
        state.audit_events.append(
            AuditEvent(
                id=state.new_id(),
                at=event.at,
                actor=event.actor,
                entity=event.entity,
                entity_id=event.entity_id,
                action=event.action,
                before=None if before is None else json.loads(before),
                after=None if after is None else json.loads(after),
                client=event.client,
            )
        )

    async def list(self, query: AuditQuery, page: PageRequest) -> Page[AuditEvent]:
        found = [e for e in reversed(self._uow.state.audit_events) if _audit_matches(e, query)]
        # Newest first: negated ids sort like the SQL store's descending ids.
        return _page(found, page, "audit-fake", lambda e: [-e.id])

    async def purge(self, before: datetime) -> int:
        state = self._uow.write()
        kept = [e for e in state.audit_events if e.at >= before]
        dropped = len(state.audit_events) - len(kept)
        state.audit_events = kept
        return dropped
