"""`occupi simulate`: realistic readings for the demo site, so that a new user sees live
numbers move. For the operator only (the CLI): it prepares the demo (a capacity on every
leaf, from the room's maximum occupancy; a Cafeteria zone, where lunch peaks), then sends
one count per leaf every interval through the Ingest use case with its own ingest token,
which it revokes when it stops."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from domain.api_tokens import TokenScope
from domain.locations import Location, LocationKind, zone_of
from domain.simulation import simulated_count
from gateway.services.api_tokens import ApiTokens
from gateway.services.ingest import Ingest
from gateway.services.ports import Clock, Database
from gateway.services.records import PageRequest, RoomQuery

CAFETERIA = "Cafeteria"
CAFETERIA_CAPACITY = 40
DEFAULT_CAPACITY = 10


@dataclass(frozen=True)
class Tick:
    """One round: its number, the readings sent and accepted, people counted in all."""

    number: int
    at: datetime
    sent: int
    accepted: int
    people: int


class ReadingSink(Protocol):
    """Where the simulated readings go, with the simulator's ingest token: the Ingest use
    case in this process, or a running server's POST /ingest/readings (so that its live
    subscribers hear of them). Returns how many were accepted."""

    async def send(self, secret: str, readings: Sequence[Mapping[str, object]]) -> int: ...


class InProcessSink:
    def __init__(self, ingest: Ingest, tokens: ApiTokens) -> None:
        self._ingest = ingest
        self._tokens = tokens

    async def send(self, secret: str, readings: Sequence[Mapping[str, object]]) -> int:
        report = await self._ingest.submit(await self._tokens.authenticate(secret), readings)
        return report.accepted


@dataclass(frozen=True)
class _Leaf:
    location: Location
    capacity: int
    zone: ZoneInfo


class Simulator:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        tokens: ApiTokens,
        sink: ReadingSink,
        rng: random.Random,
    ) -> None:
        self._db = db
        self._clock = clock
        self._tokens = tokens
        self._sink = sink
        self._rng = rng

    async def prepare(self) -> list[_Leaf]:
        """Capacities and the Cafeteria zone (once); the leaves to feed, by id."""
        async with self._db.writing() as uow:
            tree = await uow.occupancy.tree()
            floors = [loc for loc in tree if loc.kind is LocationKind.FLOOR]
            if floors and not any(loc.name == CAFETERIA for loc in tree):
                await uow.locations.add(
                    parent_id=floors[0].id,
                    kind=LocationKind.ZONE,
                    name=CAFETERIA,
                    capacity=CAFETERIA_CAPACITY,
                )
            rooms = (
                await uow.rooms.list(RoomQuery(), PageRequest(first=100, with_total=False))
            ).items
            sizes = {(r.floor_id, r.name): r.limits.maximum for r in rooms}
            tree = await uow.occupancy.tree()
            parents = {loc.parent_id for loc in tree}
            by_id = {loc.id: loc for loc in tree}
            leaves = []
            for loc in tree:
                if loc.id in parents or loc.kind not in (LocationKind.ROOM, LocationKind.ZONE):
                    continue
                capacity = loc.capacity
                if capacity is None:
                    capacity = sizes.get((loc.parent_id or 0, loc.name)) or DEFAULT_CAPACITY
                    await uow.occupancy.set_capacity(loc.id, capacity)
                leaves.append(_Leaf(loc, capacity, ZoneInfo(zone_of(loc, by_id) or "UTC")))
            await uow.commit()
        return leaves

    async def run(
        self, *, interval: float, ticks: int | None, progress: Callable[[Tick], None]
    ) -> int:
        """Feed the demo every `interval` seconds, `ticks` times (None: until cancelled);
        returns the rounds done."""
        leaves = await self.prepare()
        issued = await self._tokens.issue_as_operator(
            name="simulator", location_id=None, scopes=frozenset({TokenScope.INGEST})
        )
        done = 0
        try:
            while ticks is None or done < ticks:
                if done:
                    await asyncio.sleep(interval)
                done += 1
                progress(await self._tick(done, leaves, issued.secret))
        finally:
            await self._tokens.revoke_as_operator(issued.token.id)
        return done

    async def _tick(self, number: int, leaves: list[_Leaf], secret: str) -> Tick:
        now = self._clock.now()
        counts = {
            leaf.location.id: simulated_count(
                now.astimezone(leaf.zone),
                leaf.capacity,
                self._rng,
                lunch_spot=leaf.location.name == CAFETERIA,
            )
            for leaf in leaves
        }
        readings = [
            {"locationId": i, "time": now.isoformat(), "count": c} for i, c in counts.items()
        ]
        accepted = await self._sink.send(secret, readings)
        return Tick(number, now, len(readings), accepted, sum(counts.values()))
