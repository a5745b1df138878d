"""Subscription fan-out: N subscribers of one location's live occupancy in one process,
measured in the same run on the same data, three ways:

- `gateway`: the served schema's path: one shared execution per distinct selection
  (gateway.schema.shared_live) over the hub, each message encoded by the view's
  `encode_json`, which reuses the shared JSON;
- `hub`: Strawberry executing the subscription per subscriber over the hub (one
  computation per change), each result serialised with json.dumps;
- `plain`: plain Strawberry, each subscriber's own generator listening to the broker and
  recomputing the occupancy itself, serialised with json.dumps.

The latency of one subscriber is from just before the ingest that changes the count to
the moment its serialised update is in hand.
"""

from __future__ import annotations

import asyncio
import json
import math
import time
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from typing import Any

import strawberry
from starlette.requests import Request
from strawberry.types import Info

from gateway.schema.build import GatewayGraphQL
from gateway.schema.context import Context, CookiePolicy
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
    failures: int  # subscribers whose stream failed (e.g. no pool connection in time)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _served_view(app: Application) -> GatewayGraphQL:
    return GatewayGraphQL(app, CookiePolicy(), graphiql=False)


def _request() -> Request:
    return Request({"type": "http", "method": "GET", "path": "/graphql", "headers": []})


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
    received: list[asyncio.Queue[float]] = [asyncio.Queue() for _ in range(subscribers)]
    view = _served_view(app) if subject == "gateway" else None

    failed: list[str] = []

    async def listen(mailbox: asyncio.Queue[float]) -> None:
        try:
            await receive(mailbox)
        except Exception as error:  # counted in the table; the others go on
            failed.append(repr(error))
        for _ in range(updates + 1):  # a failed subscriber answers at once, unmeasured
            mailbox.put_nowait(math.nan)

    async def receive(mailbox: asyncio.Queue[float]) -> None:
        if view is not None:
            query = f"subscription {{ liveOccupancy(locationId: {location_id}) {SELECTION} }}"
            context = Context(_request(), None, principal, app, CookiePolicy())
            stream = await view.schema.subscribe(query, context_value=context)
        else:
            query = f"subscription {{ {subject}(locationId: {location_id}) {SELECTION} }}"
            stream = await SCHEMA.subscribe(query, context_value=BenchContext(app, principal))
        assert not isinstance(stream, strawberry.types.ExecutionResult)
        async for result in stream:
            if result.errors:
                raise RuntimeError(result.errors[0].message)
            message = {"id": "1", "type": "next", "payload": {"data": result.data}}
            view.encode_json(message) if view is not None else json.dumps(message)
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
            latencies += [(a - started) * 1000 for a in arrivals if not math.isnan(a)]
        computed = (
            updates * subscribers
            if subject == "plain"
            else app.live_occupancy.updates(location_id) - before
        )
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    if not latencies:
        return FanOut(subject, subscribers, math.nan, math.nan, computed, len(failed))
    return FanOut(
        subject,
        subscribers,
        percentile(latencies, 0.5),
        percentile(latencies, 0.99),
        computed,
        len(failed),
    )
