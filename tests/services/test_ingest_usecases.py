"""Ingest and history through the use cases, on the fakes and on the real SQL store over
the migrated database: scopes, refusals with their index, duplicates, out-of-order
readings, passages and visits, one commit per request, retention, and history answers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from domain.api_tokens import TokenScope
from domain.errors import ErrorCode
from gateway.services.ingest import IngestPolicy, Rejection
from gateway.services.ports import Database
from gateway.store.engine import create_engine
from gateway.store.uow import SqlDatabase
from tests.support.clock import MutableClock
from tests.support.fakes import FakeDatabase, rejected
from tests.support.occupancy import Tree, build_tree

READ, INGEST = TokenScope.READ, TokenScope.INGEST
NOW = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)  # a Wednesday; 13:00 in Zurich


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def count(location: int, minutes_ago: float, value: int) -> dict[str, Any]:
    return {
        "locationId": location,
        "time": iso(NOW - timedelta(minutes=minutes_ago)),
        "count": value,
    }


def passage(
    location: int, minutes_ago: float, direction: str, visitor: str | None = None
) -> dict[str, Any]:
    item: dict[str, Any] = {
        "locationId": location,
        "time": iso(NOW - timedelta(minutes=minutes_ago)),
        "direction": direction,
    }
    if visitor:
        item["visitor"] = visitor
    return item


@pytest.fixture(params=["fakes", "sql"])
async def db(
    request: pytest.FixtureRequest, clock: MutableClock, database_url: str
) -> AsyncIterator[Database]:
    clock.set(NOW)
    if request.param == "fakes":
        yield FakeDatabase(clock)
        return
    sql = SqlDatabase(create_engine(database_url), clock)
    yield sql
    await sql.dispose()


@pytest.fixture
async def tree(db: Database, clock: MutableClock) -> Tree:
    return await build_tree(db, clock, IngestPolicy(max_readings=50, retention=timedelta(days=2)))


async def test_counts_roll_up_the_tree_and_notify_once_per_request(tree: Tree) -> None:
    sensor = await tree.token(INGEST, location=tree.floor)
    report = await tree.ingest.submit(
        sensor, [count(tree.lobby.id, 5, 12), count(tree.reading_room.id, 1, 30)]
    )
    assert (report.accepted, report.duplicates, report.rejected) == (2, 0, [])
    above = {tree.floor.id, tree.floor.parent_id, tree.site.id}
    assert tree.events.changes == [frozenset({tree.lobby.id, tree.reading_room.id, *above})]
    floor = (await tree.occupancy.of(tree.basic, tree.floor.id)).target
    assert (floor.count, floor.capacity, floor.percentage, floor.is_active) == (42, 100, 0.42, True)
    assert floor.timestamp == NOW - timedelta(minutes=1)
    assert floor.earliest_at == NOW - timedelta(minutes=5)
    site = (await tree.occupancy.of(tree.basic, tree.site.id)).target
    assert site.count == 42


async def test_each_refused_reading_has_its_index_and_reason(tree: Tree) -> None:
    sensor = await tree.token(INGEST, location=tree.floor)
    report = await tree.ingest.submit(
        sensor,
        [
            count(tree.lobby.id, 1, 3),
            count(tree.other_floor.id, 1, 3),
            {"locationId": tree.lobby.id},
            count(tree.floor.id, 1, 3),
            count(999_999, 1, 3),
            count(tree.lobby.id, 1, -2),
        ],
    )
    assert report.accepted == 1
    assert report.rejected == [
        Rejection(1, f"location {tree.other_floor.id} is not accessible with this token"),
        Rejection(2, "time must be an ISO 8601 string with an offset"),
        Rejection(3, f"location {tree.floor.id} has children; its count is theirs"),
        Rejection(4, "location 999999 is not accessible with this token"),
        Rejection(5, "count must be between 0 and 1000000"),
    ]


async def test_duplicates_are_acknowledged_once_and_late_readings_are_history(
    tree: Tree, clock: MutableClock
) -> None:
    sensor = await tree.token(INGEST)
    first = [count(tree.lobby.id, 10, 8), count(tree.lobby.id, 2, 10)]
    assert (await tree.ingest.submit(sensor, first)).accepted == 2
    again = await tree.ingest.submit(sensor, [*first, count(tree.lobby.id, 2, 10)])
    assert (again.accepted, again.duplicates) == (3, 3)
    late = await tree.ingest.submit(sensor, [count(tree.lobby.id, 6, 30)])
    assert (late.accepted, late.duplicates) == (1, 0)
    lobby = (await tree.occupancy.of(tree.basic, tree.lobby.id)).target
    assert (lobby.count, lobby.timestamp) == (10, NOW - timedelta(minutes=2))
    clock.advance(timedelta(hours=1))
    history = await tree.history.of(tree.basic, tree.lobby.id, date(2026, 3, 4), date(2026, 3, 4))
    [day] = history.history.daily_occupancy()
    assert (day.avg, day.peak) == (16.0, 30)  # 8, 10 and the late 30, once each


async def test_passages_count_visitors_and_dwell_and_never_go_negative(
    tree: Tree, clock: MutableClock
) -> None:
    sensor = await tree.token(INGEST)
    lobby = tree.lobby.id
    readings = [
        passage(lobby, 60, "out"),
        passage(lobby, 50, "in", "a"),
        passage(lobby, 49, "in", "b"),
        passage(lobby, 48, "out", "b"),  # one minute: not a visit
        passage(lobby, 40, "in", "c"),
        passage(lobby, 20, "out", "a"),  # 30 minutes
        passage(lobby, 10, "in"),
    ]
    report = await tree.ingest.submit(sensor, readings)
    assert report.accepted == 7
    # c is still inside. d's exit arrives before d's entry: they still pair.
    await tree.ingest.submit(sensor, [passage(lobby, 5, "out", "d")])
    await tree.ingest.submit(sensor, [passage(lobby, 15, "in", "d")])  # a 10 minute visit
    now = (await tree.occupancy.of(tree.basic, lobby)).target
    # 0 (an exit from empty), a 1, b 2, b 1, c 2, a 1, someone 2, d 1; d's late entry is
    # already inside the count d's exit left.
    assert now.count == 1
    clock.set(datetime(2026, 3, 5, 1, tzinfo=UTC))
    found = await tree.history.of(tree.basic, lobby, date(2026, 3, 4), date(2026, 3, 4))
    assert [v.visitors for v in found.history.daily_visitors()] == [5]
    [dwell] = found.history.daily_dwell(clock.now())
    assert (dwell.avg_minutes, dwell.peak_minutes) == (20.0, 30.0)


async def test_ingest_needs_an_ingest_token_or_an_admin(tree: Tree) -> None:
    reader = await tree.token(READ)
    error = await rejected(tree.ingest.submit(reader, [count(tree.lobby.id, 1, 1)]))
    assert error.code is ErrorCode.UNAUTHENTICATED
    forbidden = await rejected(tree.ingest.submit(tree.basic, [count(tree.lobby.id, 1, 1)]))
    assert forbidden.code is ErrorCode.FORBIDDEN
    assert (await tree.ingest.submit(tree.admin, [count(tree.lobby.id, 1, 1)])).accepted == 1


async def test_a_request_is_bounded(tree: Tree) -> None:
    sensor = await tree.token(INGEST)
    too_many = [count(tree.lobby.id, n / 10, 1) for n in range(51)]
    error = await rejected(tree.ingest.submit(sensor, too_many))
    assert (error.code, error.field) == (ErrorCode.INVALID_INPUT, "readings")


async def test_one_commit_per_request(db: Database, tree: Tree) -> None:
    if not isinstance(db, FakeDatabase):
        pytest.skip("commits are counted on the fakes")
    sensor = await tree.token(INGEST)
    before = db.commits
    batch = [count(tree.lobby.id, n / 10, n) for n in range(40)]
    await tree.ingest.submit(sensor, [*batch, passage(tree.lobby.id, 0, "in", "v")])
    assert db.commits == before + 1


async def test_raw_readings_older_than_the_retention_are_dropped(
    db: Database, tree: Tree, clock: MutableClock
) -> None:
    sensor = await tree.token(INGEST)
    await tree.ingest.submit(sensor, [count(tree.lobby.id, 10, 5)])
    clock.advance(timedelta(days=3))
    await tree.ingest.submit(
        sensor, [{"locationId": tree.lobby.id, "time": iso(clock.now()), "count": 6}]
    )
    async with db.reading() as uow:
        spans = {tree.lobby.id: (NOW - timedelta(days=10), clock.now())}
        assert len(await uow.occupancy.received(spans)) == 1
    found = await tree.history.of(tree.basic, tree.lobby.id, date(2026, 3, 4), date(2026, 3, 7))
    assert [d.day for d in found.history.daily_occupancy()] == [date(2026, 3, 4), date(2026, 3, 7)]


async def test_history_is_scoped_and_explains_missing_data(tree: Tree) -> None:
    sensor = await tree.token(INGEST)
    await tree.ingest.submit(sensor, [count(tree.lobby.id, 10, 5)])
    reader = await tree.token(READ, location=tree.lobby)
    ok = await tree.history.of(reader, tree.lobby.id, date(2026, 3, 4), date(2026, 3, 4))
    assert ok.message == "OK"
    partial = await tree.history.of(reader, tree.lobby.id, date(2026, 3, 1), date(2026, 3, 4))
    assert partial.message == "Data unavailable before 2026-03-04"
    before = await tree.history.of(reader, tree.lobby.id, date(2026, 2, 1), date(2026, 2, 2))
    assert before.message == "RANGE MISSING"
    assert before.history.daily_occupancy() == []
    error = await rejected(
        tree.history.of(reader, tree.floor.id, date(2026, 3, 4), date(2026, 3, 4))
    )
    assert error.code is ErrorCode.UNAUTHENTICATED
    floor = await tree.history.of(tree.basic, tree.floor.id, date(2026, 3, 4), date(2026, 3, 4))
    assert [(d.avg, d.peak) for d in floor.history.daily_occupancy()] == [(5.0, 5)]
