"""Notifications, settings, push tokens and booking reminders through the use cases, on
the in-memory fakes and on the real SQL store over the migrated database (SQLite, or
PostgreSQL under `make test-pg`)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from domain.errors import ErrorCode
from domain.locations import LocationKind, OccupancyLimits
from domain.notifications import MAX_PUSH_TOKENS, NotificationKind, NotificationSettings
from domain.users import Role, User
from gateway.services.authz import Principal
from gateway.services.bookings import BookingPolicy, BookingRequest, Bookings
from gateway.services.events import MailQueued, NotificationEvent
from gateway.services.notifications import Notifications
from gateway.services.notify import notify, notify_ip_rule_changed, notify_role_changed
from gateway.services.ports import Database
from gateway.services.reads import Reads
from gateway.services.records import MailKind, OutgoingMail, PageRequest
from gateway.services.reminders import ReminderWorker
from gateway.store.readers import SqlBatchReader
from gateway.store.uow import SqlDatabase
from tests.support.clock import MutableClock
from tests.support.fakes import (
    FakeBatchReader,
    FakeDatabase,
    RecordingPublisher,
    rejected,
    signed_in,
)

ZONE = ZoneInfo("Africa/Johannesburg")
TOMORROW = date(2026, 11, 24)
TOKEN = "ExponentPushToken[aaaaaaaaaaaaaaaaaaaaaa]"


def local(hhmm: str, day: date = TOMORROW) -> datetime:
    return datetime.combine(day, time.fromisoformat(hhmm), tzinfo=ZONE).astimezone(UTC)


@dataclass
class Env:
    db: Database
    clock: MutableClock
    publisher: RecordingPublisher
    notifications: Notifications
    bookings: Bookings
    worker: ReminderWorker
    people: dict[str, User] = field(default_factory=dict)

    def as_(self, handle: str) -> Principal:
        return signed_in(self.people[handle])

    def id(self, handle: str) -> int:
        return self.people[handle].id

    async def book(self, handle: str, start: str, end: str, *attendees: str) -> str:
        request = BookingRequest("RM001", local(start), local(end), attendees)
        return (await self.bookings.book(self.as_(handle), request)).code

    async def titles(self, handle: str, *, unread_only: bool = False) -> list[str]:
        page = await self.notifications.list(
            self.as_(handle), PageRequest(first=100), unread_only=unread_only
        )
        return [n.title for n in page.items]

    async def queued(self) -> list[OutgoingMail]:
        async with self.db.writing() as uow:  # never committed: a look without a lease
            claimed = await uow.outbox.claim(1000, now=self.clock.now(), lease=timedelta(0))
            return [queued.mail for queued in claimed]

    async def say(
        self, handle: str, title: str, kind: NotificationKind = NotificationKind.ROLE_CHANGED
    ) -> None:
        async with self.db.writing() as uow:
            await notify(uow, [self.id(handle)], title, f"about {title}", kind, self.clock.now())
            await uow.commit()


@pytest.fixture
async def env(db: Database, clock: MutableClock) -> Env:
    publisher = RecordingPublisher()
    assert isinstance(db, FakeDatabase | SqlDatabase)
    reader = (
        FakeBatchReader(db) if isinstance(db, FakeDatabase) else SqlBatchReader(db.read_sessions())
    )
    reads = Reads(reader, clock)
    found = Env(
        db,
        clock,
        publisher,
        Notifications(db, clock),
        Bookings(db, clock, publisher, reads, BookingPolicy(reminder_lead=timedelta(minutes=15))),
        ReminderWorker(db, clock, publisher, batch=2),
    )
    async with db.writing() as uow:
        for handle in ("admin", "alice", "bob", "carol"):
            found.people[handle] = await uow.users.add(
                email=f"{handle}@example.com",
                name=handle.title(),
                role=Role.ADMIN if handle == "admin" else Role.BASIC,
                password_hash="x",
            )
        site = await uow.locations.add(
            parent_id=None, kind=LocationKind.SITE, name="HQ", time_zone=ZONE.key
        )
        building = await uow.locations.add(parent_id=site.id, kind=LocationKind.BUILDING, name="B")
        floor = await uow.locations.add(parent_id=building.id, kind=LocationKind.FLOOR, name="G")
        await uow.rooms.add(
            floor_id=floor.id,
            code="RM001",
            name="Boardroom",
            number="1",
            description="",
            limits=OccupancyLimits(1, 10),
            resources=(),
        )
        await uow.commit()
    return found


# --- reading, marking, deleting -----------------------------------------------------------


async def test_notifications_are_listed_newest_first_and_paged(env: Env) -> None:
    for n in range(5):
        await env.say("alice", f"n{n}")
    first = await env.notifications.list(env.as_("alice"), PageRequest(first=2))
    rest = await env.notifications.list(
        env.as_("alice"), PageRequest(first=10, after=first.cursors[-1])
    )
    assert [n.title for n in first.items] == ["n4", "n3"]
    assert (first.has_next, first.total) == (True, 5)
    assert [n.title for n in rest.items] == ["n2", "n1", "n0"]
    assert not rest.has_next
    assert await env.titles("bob") == []


async def test_marking_some_read_filters_and_counts(env: Env) -> None:
    for n in range(3):
        await env.say("alice", f"n{n}")
    page = await env.notifications.list(env.as_("alice"), PageRequest())
    n2 = page.items[0]
    assert n2.unread

    marked = await env.notifications.mark_read(env.as_("alice"), [n2.id, "not-an-id"])
    again = await env.notifications.mark_read(env.as_("alice"), [n2.id])

    assert (marked, again) == (1, 0)
    assert await env.titles("alice", unread_only=True) == ["n1", "n0"]
    counts = await env.notifications.counts(env.as_("alice"))
    assert (counts.unread, counts.total) == (2, 3)
    read = (await env.notifications.list(env.as_("alice"), PageRequest())).items[0]
    assert read.read_at == env.clock.now()


async def test_marking_all_read_touches_only_the_callers_own(env: Env) -> None:
    await env.say("alice", "a")
    await env.say("bob", "b")
    assert await env.notifications.mark_read(env.as_("alice"), None) == 1
    assert (await env.notifications.counts(env.as_("alice"))).unread == 0
    assert (await env.notifications.counts(env.as_("bob"))).unread == 1


async def test_somebody_elses_notification_cannot_be_marked_through_its_id(env: Env) -> None:
    await env.say("bob", "b")
    (theirs,) = (await env.notifications.list(env.as_("bob"), PageRequest())).items
    assert await env.notifications.mark_read(env.as_("alice"), [theirs.id]) == 0
    assert (await env.notifications.counts(env.as_("bob"))).unread == 1


async def test_deleting_removes_a_shared_notification_for_the_caller_only(env: Env) -> None:
    async with env.db.writing() as uow:
        await notify(
            uow,
            [env.id("alice"), env.id("bob")],
            "Both",
            "for both",
            NotificationKind.ROLE_CHANGED,
            env.clock.now(),
        )
        await uow.commit()
    (shared,) = (await env.notifications.list(env.as_("alice"), PageRequest())).items

    await env.notifications.delete(env.as_("alice"), shared.id)
    again = await rejected(env.notifications.delete(env.as_("alice"), shared.id))

    assert await env.titles("alice") == []
    assert await env.titles("bob") == ["Both"]
    assert (await env.notifications.counts(env.as_("alice"))).total == 0
    assert (again.code, again.message, again.field) == (
        ErrorCode.NOT_FOUND,
        f"no notification with id {shared.id!r}",
        "id",
    )


async def test_a_basic_user_cannot_name_another_person_and_an_admin_can(env: Env) -> None:
    await env.say("bob", "b")
    bob = env.id("bob")
    calls = [
        env.notifications.list(env.as_("alice"), PageRequest(), user_id=bob),
        env.notifications.counts(env.as_("alice"), user_id=bob),
        env.notifications.mark_read(env.as_("alice"), None, user_id=bob),
        env.notifications.settings(env.as_("alice"), user_id=bob),
        env.notifications.update_settings(env.as_("alice"), invites=False, user_id=bob),
    ]
    for call in calls:
        refused = await rejected(call)
        assert (refused.code, refused.field) == (ErrorCode.FORBIDDEN, "user")

    seen = await env.notifications.list(env.as_("admin"), PageRequest(), user_id=bob)
    assert [n.title for n in seen.items] == ["b"]
    assert await env.notifications.mark_read(env.as_("admin"), None, user_id=bob) == 1
    await env.notifications.update_settings(env.as_("admin"), invites=False, user_id=bob)
    assert not (await env.notifications.settings(env.as_("bob"))).invites
    missing = await rejected(env.notifications.counts(env.as_("admin"), user_id=99999))
    assert (missing.code, missing.field) == (ErrorCode.NOT_FOUND, "user")


# --- settings and push tokens -------------------------------------------------------------


async def test_settings_default_on_and_change_one_at_a_time(env: Env) -> None:
    me = env.as_("alice")
    assert await env.notifications.settings(me) == NotificationSettings(True, True)
    after = await env.notifications.update_settings(me, booking_reminders=False)
    assert after == NotificationSettings(invites=True, booking_reminders=False)
    after = await env.notifications.update_settings(me, invites=False)
    assert await env.notifications.settings(me) == after == NotificationSettings(False, False)


async def test_push_tokens_are_bounded_and_move_between_people(env: Env) -> None:
    tokens = [f"ExponentPushToken[device{n}]" for n in range(MAX_PUSH_TOKENS + 2)]
    for token in tokens:
        env.clock.advance(timedelta(seconds=1))
        await env.notifications.register_push_token(env.as_("alice"), token)
    await env.notifications.register_push_token(env.as_("bob"), tokens[-1])

    async with env.db.reading() as uow:
        held = await uow.notifications.push_tokens([env.id("alice"), env.id("bob")])
    assert held[env.id("alice")] == tokens[2:-1]
    assert held[env.id("bob")] == [tokens[-1]]
    assert not await env.notifications.remove_push_token(env.as_("alice"), tokens[-1])
    assert await env.notifications.remove_push_token(env.as_("bob"), tokens[-1])
    bad = await rejected(env.notifications.register_push_token(env.as_("bob"), "nope"))
    assert (bad.code, bad.field) == (ErrorCode.INVALID_INPUT, "token")


async def test_admins_get_the_devices_of_people_with_invitations_on(env: Env) -> None:
    await env.notifications.register_push_token(env.as_("bob"), "ExponentPushToken[bob]")
    await env.notifications.register_push_token(env.as_("carol"), "ExponentPushToken[carol]")
    await env.notifications.update_settings(env.as_("carol"), invites=False)
    emails = ["Bob@Example.com", "carol@example.com", "nobody@example.com"]

    found = await env.notifications.push_tokens_of(env.as_("admin"), emails)
    refused = await rejected(env.notifications.push_tokens_of(env.as_("alice"), emails))
    bad = await rejected(env.notifications.push_tokens_of(env.as_("admin"), ["x", "no-at"]))

    assert found == ("ExponentPushToken[bob]",)
    assert refused.code is ErrorCode.FORBIDDEN
    assert (bad.code, bad.field) == (ErrorCode.INVALID_INPUT, "emails[0]")


# --- what bookings cause ------------------------------------------------------------------


async def test_a_booking_invites_people_with_accounts_who_want_invitations(env: Env) -> None:
    await env.notifications.update_settings(env.as_("carol"), invites=False)
    code = await env.book(
        "alice", "09:00", "10:00", "bob@example.com", "carol@example.com", "guest@example.org"
    )

    (invite,) = (await env.notifications.list(env.as_("bob"), PageRequest())).items
    assert (invite.title, invite.kind, invite.booking_code) == (
        "Booking Invitation",
        NotificationKind.INVITATION,
        code,
    )
    assert "alice@example.com invited you" in invite.message
    assert await env.titles("carol") == []
    assert await env.titles("alice") == []
    events = [e for e in env.publisher.events if isinstance(e, NotificationEvent)]
    assert [e.notification.recipient_id for e in events] == [env.id("bob")]


async def test_a_cancellation_tells_the_bookings_other_people(env: Env) -> None:
    code = await env.book("alice", "09:00", "10:00", "bob@example.com", "carol@example.com")
    await env.bookings.cancel(env.as_("alice"), code)

    assert await env.titles("bob") == ["Booking Cancelled", "Booking Invitation"]
    assert await env.titles("carol") == ["Booking Cancelled", "Booking Invitation"]
    assert await env.titles("alice") == []


async def test_a_failed_booking_leaves_no_notification(env: Env) -> None:
    await env.book("alice", "09:00", "10:00")
    await rejected(
        env.bookings.book(
            env.as_("carol"),
            BookingRequest("RM001", local("09:30"), local("10:30"), ["bob@example.com"]),
        )
    )
    assert await env.titles("bob") == []


async def test_notifications_roll_back_with_the_change_that_caused_them(env: Env) -> None:
    async with env.db.writing() as uow:
        made = await notify(
            uow,
            [env.id("bob")],
            "Lost",
            "never committed",
            NotificationKind.ROLE_CHANGED,
            env.clock.now(),
        )
    assert len(made) == 1
    assert await env.titles("bob") == []


# --- reminders ----------------------------------------------------------------------------


async def test_reminders_go_out_once_at_the_lead_before_the_start(env: Env) -> None:
    await env.notifications.update_settings(env.as_("carol"), booking_reminders=False)
    code = await env.book("alice", "09:00", "10:00", "bob@example.com", "carol@example.com")
    env.clock.set(local("08:44"))
    assert await env.worker.run_once() == 0

    env.clock.set(local("08:45"))
    env.publisher.events.clear()
    sent = await env.worker.run_once()
    again = await env.worker.run_once()

    assert (sent, again) == (2, 0)
    for handle in ("alice", "bob"):
        (latest, *_) = (await env.notifications.list(env.as_(handle), PageRequest())).items
        assert (latest.title, latest.kind, latest.booking_code) == (
            "Booking starting soon",
            NotificationKind.REMINDER,
            code,
        )
    assert await env.titles("carol") == ["Booking Invitation"]
    reminders = [m for m in await env.queued() if m.kind is MailKind.BOOKING_REMINDER]
    assert sorted(m.to for m in reminders) == [("alice@example.com",), ("bob@example.com",)]
    assert all(m.subject == "Booking starting soon: Boardroom" for m in reminders)
    assert env.publisher.events[0] == MailQueued(local("08:45"))
    assert {
        e.notification.recipient_id
        for e in env.publisher.events[1:]
        if isinstance(e, NotificationEvent)
    } == {env.id("alice"), env.id("bob")}


async def test_a_cancelled_bookings_reminders_never_go_out(env: Env) -> None:
    code = await env.book("alice", "09:00", "10:00", "bob@example.com")
    await env.bookings.cancel(env.as_("alice"), code)
    env.clock.set(local("09:00"))
    assert await env.worker.run_once() == 0
    assert "Booking starting soon" not in await env.titles("alice")


async def test_a_booking_starting_within_the_lead_is_reminded_of_at_once(env: Env) -> None:
    env.clock.set(local("08:50"))
    await env.book("alice", "09:00", "10:00")
    assert await env.worker.run_once() == 1
    assert await env.titles("alice") == ["Booking starting soon"]


async def test_reminders_turned_off_after_booking_are_skipped(env: Env) -> None:
    await env.book("alice", "09:00", "10:00")
    await env.notifications.update_settings(env.as_("alice"), booking_reminders=False)
    env.clock.set(local("09:00"))
    assert await env.worker.run_once() == 0
    assert await env.titles("alice") == []


async def test_two_workers_at_once_send_each_reminder_once(env: Env) -> None:
    for start in ("09:00", "10:00", "11:00"):
        await env.book("alice", start, f"{int(start[:2]) + 1}:00", "bob@example.com")
    env.clock.set(local("12:00"))
    other = ReminderWorker(env.db, env.clock, env.publisher, batch=2)

    sent = await asyncio.gather(env.worker.run_once(), other.run_once())

    assert sum(sent) == 6
    assert (await env.titles("alice")).count("Booking starting soon") == 3
    assert (await env.titles("bob")).count("Booking starting soon") == 3
    reminders = [m for m in await env.queued() if m.kind is MailKind.BOOKING_REMINDER]
    assert len(reminders) == 6


# --- helpers for the other areas ----------------------------------------------------------


async def test_role_and_ip_notifications_reach_the_person_and_the_admin(env: Env) -> None:
    async with env.db.writing() as uow:
        told = await notify_role_changed(
            uow,
            admin_id=env.id("admin"),
            admin_email="admin@example.com",
            user_id=env.id("bob"),
            role="admin",
            now=env.clock.now(),
        )
        told += await notify_ip_rule_changed(
            uow,
            admin_id=env.id("admin"),
            admin_email="admin@example.com",
            user_ids=[env.id("bob"), env.id("carol")],
            user_emails=["bob@example.com", "carol@example.com"],
            ip="192.0.2.1",
            added=True,
            now=env.clock.now(),
        )
        await uow.commit()
    bob = (await env.notifications.list(env.as_("bob"), PageRequest())).items
    admin = (await env.notifications.list(env.as_("admin"), PageRequest())).items
    assert [n.message for n in bob] == [
        "admin@example.com has added 192.0.2.1 to the list of allowed IP addresses for you. "
        "Check your email for more details.",
        "admin@example.com has changed your role to admin.",
    ]
    assert [n.message for n in admin] == [
        "You have successfully added 192.0.2.1 to the list of allowed IP addresses for "
        "bob@example.com,carol@example.com.",
        "You have successfully changed the role of the user to admin.",
    ]
    assert len(told) == 5
