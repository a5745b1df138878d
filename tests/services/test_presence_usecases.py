"""Presence use cases, run twice: on the in-memory fakes and on the real SQL store over
the migrated database (SQLite, or PostgreSQL under `make test-pg`)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from domain.errors import DomainError, ErrorCode
from domain.locations import LocationKind
from domain.presence import ClosedBy
from domain.users import Role, User
from gateway.services.ports import Database
from gateway.services.presence import Presence
from tests.support.clock import MutableClock
from tests.support.fakes import rejected, signed_in

ZONE = "Africa/Johannesburg"

JOBURG = ZoneInfo("Africa/Johannesburg")


def local(day: int, clock: str) -> datetime:
    """November 2026, day `day`, at `clock` in Johannesburg (UTC+2), as UTC."""
    hours, minutes = map(int, clock.split(":"))
    return datetime(2026, 11, day, hours, minutes, tzinfo=JOBURG).astimezone(UTC)


@dataclass
class Scene:
    db: Database
    presence: Presence
    clock: MutableClock
    admin: User
    alice: User
    bob: User
    site_id: int

    async def sessions(self, user: User) -> list[tuple[datetime, datetime | None, ClosedBy | None]]:
        far = datetime(2100, 1, 1, tzinfo=UTC)
        async with self.db.reading() as uow:
            found = await uow.presence.entered_between(
                user.id, datetime(2000, 1, 1, tzinfo=UTC), far
            )
        return [(s.entered_at, s.exited_at, s.closed_by) for s in found]


@pytest.fixture
async def scene(db: Database, clock: MutableClock) -> Scene:
    async with db.writing() as uow:
        people = [
            await uow.users.add(email=f"{n}@example.com", name=n, role=r, password_hash="x")
            for n, r in (("admin", Role.ADMIN), ("alice", Role.BASIC), ("bob", Role.BASIC))
        ]
        site = await uow.locations.add(
            parent_id=None, kind=LocationKind.SITE, name="HQ", time_zone=ZONE
        )
        await uow.commit()
    admin, alice, bob = people
    return Scene(db, Presence(db, clock), clock, admin, alice, bob, site.id)


async def test_toggle_on_then_off_inside_office_hours(scene: Scene) -> None:
    alice = signed_in(scene.alice)
    scene.clock.set(local(23, "09:00"))
    status = await scene.presence.toggle(alice, on_site=True)
    assert status.on_site
    assert await scene.presence.people_on_site(signed_in(scene.bob)) == 1
    scene.clock.set(local(23, "12:30"))
    assert not (await scene.presence.toggle(alice, on_site=False)).on_site
    assert await scene.sessions(scene.alice) == [
        (local(23, "09:00"), local(23, "12:30"), ClosedBy.USER)
    ]
    assert await scene.presence.counts_on_site([scene.site_id]) == {scene.site_id: 0}


async def test_repeated_toggles_and_hours_are_refused(scene: Scene) -> None:
    alice = signed_in(scene.alice)
    scene.clock.set(local(23, "07:59"))
    early = await rejected(scene.presence.toggle(alice, on_site=True))
    assert early.code is ErrorCode.OUTSIDE_OFFICE_HOURS
    scene.clock.set(local(23, "08:00"))
    off = await rejected(scene.presence.toggle(alice, on_site=False))
    assert (off.code, off.field) == (ErrorCode.ALREADY_OFF_SITE, "onSite")
    await scene.presence.toggle(alice, on_site=True)
    again = await rejected(scene.presence.toggle(alice, on_site=True))
    assert again.code is ErrorCode.ALREADY_ON_SITE
    assert len(await scene.sessions(scene.alice)) == 1


async def test_a_forgotten_session_closes_lazily_and_the_next_day_on_works(scene: Scene) -> None:
    alice = signed_in(scene.alice)
    scene.clock.set(local(23, "10:00"))
    await scene.presence.toggle(alice, on_site=True)
    scene.clock.set(local(23, "18:00"))
    assert not (await scene.presence.status(alice)).on_site  # its day has ended
    scene.clock.set(local(24, "08:30"))
    assert (await scene.presence.toggle(alice, on_site=True)).on_site
    assert await scene.sessions(scene.alice) == [
        (local(23, "10:00"), local(23, "17:00"), ClosedBy.LAZY),
        (local(24, "08:30"), None, None),
    ]


async def test_a_refused_toggle_keeps_the_lazy_close(scene: Scene) -> None:
    alice = signed_in(scene.alice)
    scene.clock.set(local(23, "10:00"))
    await scene.presence.toggle(alice, on_site=True)
    scene.clock.set(local(24, "08:30"))
    refused = await rejected(scene.presence.toggle(alice, on_site=False))
    assert refused.code is ErrorCode.ALREADY_OFF_SITE
    assert await scene.sessions(scene.alice) == [
        (local(23, "10:00"), local(23, "17:00"), ClosedBy.LAZY)
    ]


async def test_the_sweep_closes_sessions_whose_day_has_ended(scene: Scene) -> None:
    scene.clock.set(local(27, "16:00"))  # a Friday
    await scene.presence.toggle(signed_in(scene.alice), on_site=True)
    await scene.presence.toggle(signed_in(scene.bob), on_site=True)
    assert await scene.presence.sweep() == 0
    scene.clock.set(local(28, "02:00"))
    assert await scene.presence.sweep() == 2
    assert await scene.presence.sweep() == 0
    assert await scene.sessions(scene.bob) == [
        (local(27, "16:00"), local(27, "17:00"), ClosedBy.SWEEP)
    ]


async def test_only_admins_toggle_others_and_set_hours(scene: Scene) -> None:
    scene.clock.set(local(23, "09:00"))
    refused = await rejected(
        scene.presence.toggle(signed_in(scene.alice), on_site=True, user_id=scene.bob.id)
    )
    assert refused.code is ErrorCode.FORBIDDEN
    assert (await rejected(scene.presence.status(signed_in(scene.alice), scene.bob.id))).code is (
        ErrorCode.FORBIDDEN
    )
    admin = signed_in(scene.admin)
    await scene.presence.toggle(admin, on_site=True, user_id=scene.bob.id)
    assert (await scene.presence.status(admin, scene.bob.id)).on_site
    days = [(6, time(9), time(12))]
    denied = await rejected(
        scene.presence.set_office_hours(signed_in(scene.alice), scene.site_id, days)
    )
    assert denied.code is ErrorCode.FORBIDDEN
    await scene.presence.set_office_hours(admin, scene.site_id, days)
    hours = await scene.presence.office_hours(signed_in(scene.alice), scene.site_id)
    assert hours.describe() == "Saturday 09:00-12:00"
    scene.clock.set(local(24, "10:00"))  # Tuesday: now closed
    closed = await rejected(scene.presence.toggle(signed_in(scene.alice), on_site=True))
    assert closed.code is ErrorCode.OUTSIDE_OFFICE_HOURS


async def test_site_is_required_when_there_are_several(scene: Scene) -> None:
    async with scene.db.writing() as uow:
        other = await uow.locations.add(
            parent_id=None, kind=LocationKind.SITE, name="Annex", time_zone="Europe/London"
        )
        await uow.commit()
    scene.clock.set(local(23, "10:00"))  # 08:00 in London
    alice = signed_in(scene.alice)
    which = await rejected(scene.presence.toggle(alice, on_site=True))
    assert (which.code, which.message, which.field) == (
        ErrorCode.INVALID_INPUT,
        "there are several sites: say which one",
        "site",
    )
    assert (await scene.presence.toggle(alice, on_site=True, site_id=other.id)).on_site
    assert await scene.presence.counts_on_site([other.id, scene.site_id]) == {
        other.id: 1,
        scene.site_id: 0,
    }


async def test_analytics_from_sessions(scene: Scene) -> None:
    alice, bob = signed_in(scene.alice), signed_in(scene.bob)
    for day, enter, leave in (
        (23, "08:00", "12:00"),
        (23, "13:00", "16:00"),
        (24, "10:00", "16:30"),
    ):
        scene.clock.set(local(day, enter))
        await scene.presence.toggle(alice, on_site=True)
        scene.clock.set(local(day, leave))
        await scene.presence.toggle(alice, on_site=False)
    scene.clock.set(local(30, "09:00"))  # the next Monday, ISO week 49, still on site at noon
    await scene.presence.toggle(bob, on_site=True)
    scene.clock.set(local(30, "12:00"))
    mine = await scene.presence.analytics(alice, first=date(2026, 11, 23), last=date(2026, 11, 30))
    assert mine.hours_by_day[date(2026, 11, 23)] == 7.0
    assert mine.hours_by_day[date(2026, 11, 24)] == 6.5
    assert mine.hours_by_week == {(2026, 48): 13.5, (2026, 49): 0.0}
    assert (mine.average_arrival, mine.average_departure) == (time(9), time(16, 15))
    everyone = await scene.presence.analytics(
        signed_in(scene.admin), first=date(2026, 11, 23), last=date(2026, 11, 30), everyone=True
    )
    assert everyone.hours_by_week == {(2026, 48): 13.5, (2026, 49): 3.0}
    assert everyone.total_hours == 16.5
    for call in (
        scene.presence.analytics(
            alice, first=date(2026, 11, 23), last=date(2026, 11, 30), user_id=scene.bob.id
        ),
        scene.presence.analytics(
            alice, first=date(2026, 11, 23), last=date(2026, 11, 30), everyone=True
        ),
    ):
        assert (await rejected(call)).code is ErrorCode.FORBIDDEN
    too_long = await rejected(
        scene.presence.analytics(alice, first=date(2026, 1, 1), last=date(2027, 1, 2))
    )
    assert (too_long.code, too_long.field) == (ErrorCode.INVALID_INPUT, "to")
    admin_view = await scene.presence.analytics(
        signed_in(scene.admin),
        first=date(2026, 11, 30),
        last=date(2026, 11, 30),
        user_id=scene.bob.id,
    )
    assert admin_view.hours_by_day == {date(2026, 11, 30): 3.0}


async def test_concurrent_toggles_open_one_session(scene: Scene) -> None:
    scene.clock.set(local(23, "09:00"))
    alice = signed_in(scene.alice)
    results = await asyncio.gather(
        *(scene.presence.toggle(alice, on_site=True) for _ in range(4)), return_exceptions=True
    )
    refused = [r for r in results if isinstance(r, DomainError)]
    assert [e.code for e in refused] == [ErrorCode.ALREADY_ON_SITE] * 3
    assert len(await scene.sessions(scene.alice)) == 1
