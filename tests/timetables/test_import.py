"""The timetable import on the real store (migrated SQLite, or PostgreSQL under
`make test-pg`): sessions and events become bookings of their rooms, a re-import is
idempotent, a changed file updates and withdraws, a bad file writes nothing, and ad-hoc
bookings in the way are reported and handled by the policy."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime, time
from typing import Any

import pytest

from domain.bookings import BookingChange, BookingSource
from domain.errors import DomainError, ErrorCode
from domain.rooms import Room
from domain.timetable_format import parse_timetable
from gateway.services.bookings import BookingRequest, BookingSearch
from gateway.services.events import BookingEvent
from gateway.services.records import PageRequest
from gateway.services.timetable_import import TimetableImport
from gateway.services.timetable_records import CollisionPolicy, ImportReport
from tests.support.bookings import JOHANNESBURG
from tests.support.world import World
from tests.timetables.support import EVENTS, SESSIONS, document, snapshot


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A wall-clock time in Johannesburg in November 2026."""
    return datetime.combine(date(2026, 11, day), time(hour, minute), JOHANNESBURG)


async def run(world: World, doc: object, policy: CollisionPolicy | None = None) -> ImportReport:
    importer = world.gateway.app.timetable_import
    if policy is not None:
        importer = TimetableImport(world.gateway.db, world.gateway.app.clock, Sink(), policy)
    return await importer.run(world.principal(world.admin), parse_timetable(json.dumps(doc)))


class Sink:
    def __init__(self) -> None:
        self.events: list[object] = []

    async def publish(self, event: object) -> None:
        self.events.append(event)


async def timetabled(world: World) -> list[tuple[str, str, datetime]]:
    found = await world.gateway.app.bookings.search(
        world.principal(world.admin),
        BookingSearch(sources=(BookingSource.TIMETABLE, BookingSource.EXTERNAL)),
        PageRequest(first=100),
        mine=False,
    )
    codes = {r.id: r.code for r in [await room(world, c) for c in world.rooms]}
    return sorted((codes[b.room_id], b.source.value, b.interval.start) for b in found.items)


async def room(world: World, code: str) -> Room:
    return await world.gateway.app.directory.room(world.principal(world.admin), code)


async def book(world: World, code: str, start: datetime, end: datetime) -> str:
    booked = await world.gateway.app.bookings.book(
        world.principal(world.alice),
        BookingRequest(room_code=code, start=start, end=end, attendees=[world.bob.email]),
    )
    return booked.code


async def test_sessions_and_events_become_bookings_that_block_ad_hoc_ones(world: World) -> None:
    report = await run(world, document())
    assert (report.sessions_added, report.events_added) == (SESSIONS, EVENTS)
    assert report.collisions == []
    found = await timetabled(world)
    # The CS-320 exercise holds both rooms: one booking per room.
    assert len(found) == 3 + 2 * 2 + 1
    assert ("RM000", "timetable", at(24, 10)) in found
    assert ("RM001", "external", at(27, 9)) in found
    assert not any(start.date() == date(2026, 12, 2) for _, _, start in found)
    with pytest.raises(DomainError) as raised:
        await book(world, "RM000", at(24, 11), at(24, 13))
    assert raised.value.code is ErrorCode.SLOT_TAKEN
    # Back to back with the lecture is free.
    assert await book(world, "RM000", at(24, 12), at(24, 13))


async def test_importing_the_same_file_again_changes_nothing(world: World) -> None:
    await run(world, document())
    before = await snapshot(world.gateway)
    report = await run(world, document())
    assert not report.changed
    assert await snapshot(world.gateway) == before


async def test_a_changed_file_updates_and_withdraws_and_a_restore_reuses_the_rows(
    world: World,
) -> None:
    await run(world, document())
    changed = document()
    changed["schedules"][1]["rooms"] = ["RM001"]  # the exercise gives up RM000
    changed["courses"][0]["name"] = "Software engineering II"
    changed["events"] = []
    report = await run(world, changed)
    assert (report.sessions_withdrawn, report.events_withdrawn) == (0, 1)
    found = await timetabled(world)
    assert ("RM000", "timetable", at(25, 14)) not in found
    assert ("RM001", "timetable", at(25, 14)) in found
    assert ("RM001", "external", at(27, 9)) not in found
    assert await book(world, "RM000", at(25, 14), at(25, 15))  # the slot is free again
    fewer = document()
    fewer["schedules"] = fewer["schedules"][:1]
    fewer["events"] = []
    report = await run(world, fewer)
    assert report.sessions_withdrawn == 2
    assert all(start.weekday() == 1 for _, _, start in await timetabled(world))
    rows = len((await snapshot(world.gateway))["course_sessions"])
    await run(world, changed)
    again = await snapshot(world.gateway)
    assert len(again["course_sessions"]) == rows  # restored, not duplicated
    assert all(available for *_, available in again["course_sessions"])


@pytest.mark.parametrize(
    ("spoil", "message"),
    [
        (lambda d: d["courses"][1].update(credits=-1), "$.courses[1].credits: cannot be"),
        (lambda d: d["schedules"][0].update(rooms=["RM999"]), "$.schedules[0]: unknown room"),
        (lambda d: d["rooms"][1].update(code="RM777"), "$.rooms[1].code: unknown room"),
        (lambda d: d["events"][0].update(end="soon"), "$.events[0].end: 'soon' is not"),
    ],
)
async def test_a_malformed_file_is_refused_and_leaves_the_database_unchanged(
    world: World, spoil: Callable[[dict[str, Any]], None], message: str
) -> None:
    await run(world, document())
    before = await snapshot(world.gateway)
    changed = document()
    changed["courses"][0]["name"] = "Renamed"  # a change that must not be written either
    spoil(changed)
    with pytest.raises(DomainError) as raised:
        await run(world, changed)
    assert raised.value.code is ErrorCode.INVALID_INPUT
    assert raised.value.message.startswith(message)
    assert await snapshot(world.gateway) == before


async def test_by_default_the_timetable_wins_and_the_booking_people_are_told(
    world: World,
) -> None:
    code = await book(world, "RM001", at(25, 14, 30), at(25, 15, 30))
    report = await run(world, document())
    assert [(c.origin, c.room_code, c.booking_code) for c in report.collisions] == [
        ("$.schedules[1]", "RM001", code)
    ]
    cancelled = await world.gateway.app.bookings.get(world.principal(world.alice), code)
    assert cancelled.status.value == "cancelled"
    for person in (world.alice, world.bob):
        notes = await world.gateway.app.notifications.list(
            world.principal(person), PageRequest(first=10)
        )
        assert any(code in n.message and "timetable" in n.message for n in notes.items)


async def test_the_refuse_policy_reports_every_collision_and_writes_nothing(
    world: World,
) -> None:
    first = await book(world, "RM001", at(25, 14, 30), at(25, 15, 30))
    second = await book(world, "RM001", at(27, 10), at(27, 11))
    before = await snapshot(world.gateway)
    with pytest.raises(DomainError) as raised:
        await run(world, document(), CollisionPolicy.REFUSE)
    assert raised.value.code is ErrorCode.TIMETABLE_COLLISION
    assert first in raised.value.message
    assert second in raised.value.message
    assert await snapshot(world.gateway) == before


async def test_only_an_admin_may_import(world: World) -> None:
    with pytest.raises(DomainError) as raised:
        await world.gateway.app.timetable_import.run(
            world.principal(world.alice), parse_timetable(json.dumps(document()))
        )
    assert raised.value.code is ErrorCode.FORBIDDEN


async def test_the_timetable_bookings_changes_are_announced_after_commit(world: World) -> None:
    sink = Sink()
    importer = TimetableImport(world.gateway.db, world.gateway.app.clock, sink)
    admin = world.principal(world.admin)
    await importer.run(admin, parse_timetable(json.dumps(document())))
    made = [e for e in sink.events if isinstance(e, BookingEvent)]
    assert len(made) == 3 + 2 * 2 + 1
    assert {e.change for e in made} == {BookingChange.CREATED}
    assert {e.room_code for e in made} == {"RM000", "RM001"}
    sink.events.clear()
    only_lectures = document()
    only_lectures["rooms"] = only_lectures["rooms"][:1]
    only_lectures["schedules"] = only_lectures["schedules"][:1]
    only_lectures["events"] = []
    await importer.run(admin, parse_timetable(json.dumps(only_lectures)))
    gone = [e for e in sink.events if isinstance(e, BookingEvent)]
    assert {e.change for e in gone} == {BookingChange.CANCELLED}
    # RM001 is no longer named in the file; its withdrawn bookings still name it.
    assert sorted(e.room_code for e in gone) == ["RM000", "RM000", "RM001", "RM001", "RM001"]
