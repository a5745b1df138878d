"""The demo simulator through the use cases, on the fakes and on SQL: it prepares the
demo once, feeds every leaf each round within its capacity, and revokes its token."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from gateway.services.ports import Database
from gateway.services.simulator import CAFETERIA, InProcessSink, Simulator, Tick
from gateway.store.engine import create_engine
from gateway.store.uow import SqlDatabase
from tests.support.clock import MutableClock
from tests.support.fakes import FakeDatabase
from tests.support.occupancy import Tree, build_tree

LUNCH = datetime(2026, 3, 4, 11, 30, tzinfo=UTC)  # 12:30 in Zurich, a Wednesday


@pytest.fixture(params=["fakes", "sql"])
async def db(
    request: pytest.FixtureRequest, clock: MutableClock, database_url: str
) -> AsyncIterator[Database]:
    clock.set(LUNCH)
    if request.param == "fakes":
        yield FakeDatabase(clock)
        return
    sql = SqlDatabase(create_engine(database_url), clock)
    yield sql
    await sql.dispose()


async def test_rounds_feed_every_leaf_and_the_token_is_revoked(
    db: Database, clock: MutableClock
) -> None:
    tree: Tree = await build_tree(db, clock)
    sink = InProcessSink(tree.ingest, tree.tokens)
    simulator = Simulator(db, clock, tree.tokens, sink, random.Random(7))
    ticks: list[Tick] = []

    def progress(tick: Tick) -> None:
        ticks.append(tick)
        clock.advance(timedelta(minutes=5))

    assert await simulator.run(interval=0.001, ticks=3, progress=progress) == 3
    # Lobby, Reading room and the new Cafeteria; the empty First floor is no room or zone.
    assert [(t.number, t.sent, t.accepted) for t in ticks] == [(1, 3, 3), (2, 3, 3), (3, 3, 3)]
    everything = await tree.occupancy.everything(tree.admin)
    cafe = next(o for o in everything if o.location.name == CAFETERIA)
    assert cafe.capacity == 40
    assert 0 < cafe.count <= 40  # lunch time in the cafeteria
    assert all(0 <= o.count <= (o.capacity or 0) for o in everything if not o.children)
    [token] = await tree.tokens.tokens(tree.admin)
    assert token.revoked_at is not None
    again = Simulator(db, clock, tree.tokens, sink, random.Random(7))
    await again.prepare()
    names = [o.location.name for o in await tree.occupancy.everything(tree.admin)]
    assert names.count(CAFETERIA) == 1
