"""The live occupancy hub on the fakes: one channel per location, the latest value only
for a subscriber that does not read, an error instead of a hang when the broker fails,
and an ended subscription when a token is revoked."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

import pytest

from domain.api_tokens import TokenScope
from domain.errors import DomainError, ErrorCode
from gateway.live.broker import InMemoryBroker
from gateway.live.occupancy import BrokerOccupancyEvents
from gateway.services.events import Event
from gateway.services.ingest import Ingest, IngestPolicy
from gateway.services.live_occupancy import LiveOccupancy
from gateway.services.occupancy import OccupancyView, Snapshot
from tests.support.clock import MutableClock
from tests.support.fakes import FakeDatabase
from tests.support.occupancy import Tree, build_tree

NOW = datetime(2026, 3, 4, 12, tzinfo=UTC)
WAIT = 5.0


class BrokenStream:
    @asynccontextmanager
    async def subscribe(self, topic: str) -> AsyncIterator[asyncio.Queue[Event]]:
        raise ConnectionError("the broker is down")
        yield asyncio.Queue()  # pragma: no cover


@pytest.fixture
def db(clock: MutableClock) -> FakeDatabase:
    clock.set(NOW)
    return FakeDatabase(clock)


@pytest.fixture
async def tree(db: FakeDatabase, clock: MutableClock) -> Tree:
    return await build_tree(db, clock)


def hub(
    tree: Tree,
    clock: MutableClock,
    broker: InMemoryBroker,
    *,
    recheck: timedelta = timedelta(seconds=15),
    tick: float = 1.0,
) -> LiveOccupancy:
    return LiveOccupancy(
        broker,
        tree.occupancy,
        clock,
        tree.tokens.authenticate,
        coalesce=timedelta(0),
        recheck=recheck,
        tick=tick,
    )


def feeding(db: FakeDatabase, broker: InMemoryBroker, clock: MutableClock) -> Ingest:
    return Ingest(db, clock, BrokerOccupancyEvents(broker, clock), IngestPolicy())


async def step(watch: AsyncIterator[OccupancyView]) -> OccupancyView:
    return await asyncio.wait_for(anext(watch), WAIT)


async def test_two_subscribers_share_one_channel_and_a_lagging_one_gets_the_newest(
    db: FakeDatabase, tree: Tree, clock: MutableClock
) -> None:
    broker = InMemoryBroker()
    live = hub(tree, clock, broker)
    ingest = feeding(db, broker, clock)
    fast = live.watch(tree.basic, tree.lobby.id)
    slow = live.watch(tree.basic, tree.lobby.id)
    assert (await step(fast)).target.count == 0
    assert (await step(slow)).target.count == 0
    assert live.channel_count() == 1
    for count in (3, 4, 5):
        clock.advance(timedelta(seconds=1))
        await ingest.submit(
            tree.admin,
            [{"locationId": tree.lobby.id, "time": clock.now().isoformat(), "count": count}],
        )
        assert (await step(fast)).target.count == count
    assert (await step(slow)).target.count == 5  # 3 and 4 were overtaken: never queued
    await fast.aclose()
    await slow.aclose()
    assert live.channel_count() == 0


async def test_a_failing_broker_ends_subscriptions_with_an_error(
    tree: Tree, clock: MutableClock
) -> None:
    live = LiveOccupancy(BrokenStream(), tree.occupancy, clock, tree.tokens.authenticate)
    with pytest.raises(RuntimeError, match="unavailable"):
        await step(live.watch(tree.basic, tree.lobby.id))


async def test_a_revoked_token_ends_its_subscription_at_the_recheck(
    tree: Tree, clock: MutableClock
) -> None:
    broker = InMemoryBroker()
    live = hub(tree, clock, broker, recheck=timedelta(0), tick=0.01)
    issued = await tree.tokens.create(
        tree.admin, name="screen", location_id=None, scopes=frozenset({TokenScope.READ})
    )
    watch = live.watch(await tree.tokens.authenticate(issued.secret), tree.lobby.id)
    assert (await step(watch)).target.count == 0
    await tree.tokens.revoke(tree.admin, issued.token.id)
    with pytest.raises(DomainError) as ended:
        await step(watch)
    assert ended.value.message == "the API token was revoked"


async def test_many_subscribers_joining_at_once_cost_one_computation(
    tree: Tree, clock: MutableClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A thousand dashboards connecting together (after a restart, say) must not each
    read the database: that exhausted the connection pool in the fan-out benchmark."""
    computed = 0
    original = tree.occupancy.snapshot

    async def counted() -> Snapshot:
        nonlocal computed
        computed += 1
        return await original()

    monkeypatch.setattr(tree.occupancy, "snapshot", counted)
    live = hub(tree, clock, InMemoryBroker())
    watches = [live.watch(tree.basic, tree.lobby.id) for _ in range(200)]
    firsts = await asyncio.gather(*(step(w) for w in watches))
    assert {view.target.count for view in firsts} == {0}
    assert computed == 1
    outsider = await tree.token(TokenScope.READ, location=tree.other_floor)
    with pytest.raises(DomainError) as refused:
        await step(live.watch(outsider, tree.lobby.id))
    assert refused.value.code is ErrorCode.UNAUTHENTICATED
    assert computed == 1  # refused on the shared snapshot too
    for watch in watches:
        await watch.aclose()


async def test_authorising_many_joiners_at_once_costs_one_computation(
    tree: Tree, clock: MutableClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The served schema's shared executions authorise each joining subscriber: 5,000
    joining at once each read the tree and timed out on the pool in the benchmark."""
    computed = 0
    original = tree.occupancy.snapshot

    async def counted() -> Snapshot:
        nonlocal computed
        computed += 1
        return await original()

    monkeypatch.setattr(tree.occupancy, "snapshot", counted)
    live = hub(tree, clock, InMemoryBroker())
    outsider = await tree.token(TokenScope.READ, location=tree.other_floor)
    callers = [tree.basic] * 300 + [outsider]
    found = await asyncio.gather(
        *(live.authorise(caller, tree.lobby.id) for caller in callers), return_exceptions=True
    )
    assert found[:300] == [None] * 300
    assert isinstance(found[300], DomainError)
    assert found[300].code is ErrorCode.UNAUTHENTICATED
    assert computed == 1
    await live.authorise(tree.basic, tree.lobby.id)  # a later caller: the tree now
    assert computed == 2
