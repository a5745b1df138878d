"""Subscription fan-out: N subscribers of one location's live occupancy in one process,
through the gateway's hub (one upstream subscription and one computation per change)
next to plain Strawberry (each subscriber's own generator listens to the broker and
recomputes the occupancy itself), measured in the same run on the same data.

Both go through Strawberry's `schema.subscribe` with the same selection, and each
result is serialised with json.dumps, as a WebSocket handler would; the latency of one
subscriber is from just before the ingest that changes the count to the moment its
serialised update is in hand.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from typing import Any

import strawberry
from strawberry.types import Info

from gateway.schema.occupancy import LocationOccupancy
from gateway.services.application import Application
from gateway.services.authz import Principal
from gateway.services.events import occupancy_topic

SELECTION = "{ number count percentage isActive timestamp childCounts { number count } }"


@dataclass
class BenchContext:
    app: Application
    principal: Principal


@strawberry.type
class BenchQuery:
    ping: bool = True


@strawberry.type
class BenchSubscription:
    @strawberry.subscription
    async def hub(
        self, info: Info[BenchContext, None], location_id: int
    ) -> AsyncGenerator[LocationOccupancy, None]:
        context = info.context
        async for view in context.app.live_occupancy.watch(context.principal, location_id):
            yield LocationOccupancy(view=view)

    @strawberry.subscription
    async def plain(
        self, info: Info[BenchContext, None], location_id: int
    ) -> AsyncGenerator[LocationOccupancy, None]:
        app, principal = info.context.app, info.context.principal
        async with app.live_occupancy.stream.subscribe(occupancy_topic(location_id)) as queue:
            yield LocationOccupancy(view=await app.occupancy.of(principal, location_id))
            while True:
                await queue.get()
                yield LocationOccupancy(view=await app.occupancy.of(principal, location_id))


SCHEMA = strawberry.Schema(query=BenchQuery, subscription=BenchSubscription)


@dataclass(frozen=True)
class FanOut:
    subject: str
    subscribers: int
    p50_ms: float
    p99_ms: float
    computations: int


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def measure(
    app: Application,
    principal: Principal,
    ingest: Any,
    location_id: int,
    subject: str,
    subscribers: int,
    updates: int,
) -> FanOut:
    """`ingest(count)` changes the location's count; `subscribers` listen to `subject`."""
    query = f"subscription {{ {subject}(locationId: {location_id}) {SELECTION} }}"
    context = BenchContext(app, principal)
    received: list[asyncio.Queue[float]] = [asyncio.Queue() for _ in range(subscribers)]

    async def listen(mailbox: asyncio.Queue[float]) -> None:
        stream = await SCHEMA.subscribe(query, context_value=context)
        assert not isinstance(stream, strawberry.types.ExecutionResult)
        async for result in stream:
            assert not result.errors, result.errors
            json.dumps(result.data)
            mailbox.put_nowait(time.perf_counter())

    tasks = [asyncio.create_task(listen(box)) for box in received]
    try:
        await asyncio.gather(*(box.get() for box in received))  # the first values
        before = app.live_occupancy.updates(location_id)
        latencies: list[float] = []
        for step in range(updates):
            started = time.perf_counter()
            await ingest(step + 1)
            arrivals = await asyncio.gather(*(box.get() for box in received))
            latencies += [(arrived - started) * 1000 for arrived in arrivals]
        computed = (
            app.live_occupancy.updates(location_id) - before
            if subject == "hub"
            else (updates * subscribers)
        )
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    return FanOut(
        subject, subscribers, percentile(latencies, 0.5), percentile(latencies, 0.99), computed
    )
