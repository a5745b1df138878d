"""Sensor readings in: checked, deduplicated, applied to the live counts and rolled up per
site-local hour, all in one short write transaction per request."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from domain.api_tokens import TokenScope
from domain.errors import invalid
from domain.history import HourRollup, hour_start, is_counted_visit
from domain.locations import Location, zone_of
from domain.occupancy import LeafState, subtree, with_ancestors
from domain.readings import Direction, Reading, Refused, VisitEnd, apply, pair, parse_reading
from gateway.services.authz import Principal
from gateway.services.ports import Clock, Database, OccupancyEvents, UnitOfWork

DUPLICATE = "duplicate"


@dataclass(frozen=True)
class Rejection:
    index: int
    reason: str


@dataclass(frozen=True)
class IngestReport:
    """`accepted` counts the new readings and the duplicates (`duplicates` of them), which
    were acknowledged and changed nothing; `rejected` lists the others by their index."""

    accepted: int
    duplicates: int
    rejected: list[Rejection]


@dataclass(frozen=True)
class IngestPolicy:
    max_readings: int = 10_000
    retention: timedelta = timedelta(days=30)


@dataclass
class _Batch:
    """What one request changes, gathered before anything is written."""

    states: dict[int, LeafState] = field(default_factory=dict)
    raw: list[tuple[Reading, int | None]] = field(default_factory=list)
    hours: dict[tuple[int, datetime], HourRollup] = field(default_factory=dict)
    moved: set[int] = field(default_factory=set)
    new_ends: list[tuple[int, VisitEnd]] = field(default_factory=list)
    done_ends: list[int] = field(default_factory=list)

    def add(self, key: tuple[int, datetime], change: HourRollup) -> None:
        self.hours[key] = self.hours[key].merge(change) if key in self.hours else change


def _site_zones(tree: Sequence[Location]) -> dict[int, ZoneInfo]:
    by_id = {loc.id: loc for loc in tree}
    # Locations always hang under a site (check_parent) and sites carry a zone.
    return {loc.id: ZoneInfo(zone_of(loc, by_id) or "UTC") for loc in tree}


class Ingest:
    """Readings from holders of an `ingest` token (within its subtree) or from admins."""

    def __init__(
        self, db: Database, clock: Clock, events: OccupancyEvents, policy: IngestPolicy
    ) -> None:
        self._db = db
        self._clock = clock
        self._events = events
        self._policy = policy

    async def submit(self, principal: Principal, items: Sequence[object]) -> IngestReport:
        """Every item is accepted or rejected with its index and reason; the accepted
        ones are stored together or (on a failure) not at all."""
        root = self._scope(principal)
        if len(items) > self._policy.max_readings:
            raise invalid(f"send at most {self._policy.max_readings} readings", "readings")
        now = self._clock.now()
        rejected: list[Rejection] = []
        parsed: list[tuple[int, Reading]] = []
        for index, item in enumerate(items):
            try:
                parsed.append((index, parse_reading(item, now)))
            except Refused as refused:
                rejected.append(Rejection(index, refused.reason))
        async with self._db.writing() as uow:
            tree = await uow.occupancy.tree()
            usable, misplaced = self._placeable(tree, root, parsed)
            rejected += misplaced
            await uow.lock(*(f"occupancy:{i}" for i in sorted({r.location_id for _, r in usable})))
            batch, duplicates = await self._apply(uow, _site_zones(tree), usable)
            await self._write(uow, batch, now)
            await uow.commit()
        if batch.moved:
            await self._events.counts_changed(frozenset(with_ancestors(tree, batch.moved)))
        rejected.sort(key=lambda r: r.index)
        return IngestReport(len(usable), duplicates, rejected)

    def _scope(self, principal: Principal) -> int | None:
        if principal.actor is not None:
            principal.require_admin()
            return None
        return principal.require_api(TokenScope.INGEST).location_id

    def _placeable(
        self, tree: Sequence[Location], root: int | None, parsed: list[tuple[int, Reading]]
    ) -> tuple[list[tuple[int, Reading]], list[Rejection]]:
        allowed = {loc.id for loc in tree} if root is None else subtree(tree, root)
        parents = {loc.parent_id for loc in tree}
        usable, rejected = [], []
        for index, reading in parsed:
            if reading.location_id not in allowed:
                reason = f"location {reading.location_id} is not accessible with this token"
                rejected.append(Rejection(index, reason))
            elif reading.location_id in parents:
                reason = f"location {reading.location_id} has children; its count is theirs"
                rejected.append(Rejection(index, reason))
            else:
                usable.append((index, reading))
        return usable, rejected

    async def _apply(
        self, uow: UnitOfWork, zones: Mapping[int, ZoneInfo], usable: list[tuple[int, Reading]]
    ) -> tuple[_Batch, int]:
        # In time order, so that a batch behaves as if its readings came one by one in order.
        readings = [r for _, r in sorted(usable, key=lambda p: (p[1].at, p[0]))]
        spans: dict[int, tuple[datetime, datetime]] = {}
        for r in readings:
            lo, hi = spans.get(r.location_id, (r.at, r.at))
            spans[r.location_id] = (min(lo, r.at), max(hi, r.at))
        seen = await uow.occupancy.received(spans) if spans else set()
        batch = _Batch(states=dict(await uow.occupancy.states(list(spans))))
        visitors = {(r.location_id, r.visitor) for r in readings if r.visitor is not None}
        waiting = {k: list(v) for k, v in (await uow.occupancy.waiting_visits(visitors)).items()}
        duplicates = 0
        for reading in readings:
            if reading.identity in seen:
                duplicates += 1
                continue
            seen.add(reading.identity)
            applied = apply(batch.states.get(reading.location_id), reading)
            batch.states[reading.location_id] = applied.state
            batch.raw.append((reading, applied.sample))
            zone = zones[reading.location_id]
            key = (reading.location_id, hour_start(reading.at, zone))
            if applied.sample is not None:
                batch.add(key, HourRollup().with_sample(applied.sample))
            if applied.moved:
                batch.moved.add(reading.location_id)
            if reading.direction is Direction.IN:
                batch.add(key, HourRollup().with_entry())
            if reading.visitor is not None:
                self._visit(batch, waiting[(reading.location_id, reading.visitor)], reading, zone)
        return batch, duplicates

    def _visit(
        self, batch: _Batch, waiting: list[VisitEnd], reading: Reading, zone: ZoneInfo
    ) -> None:
        assert reading.visitor is not None
        other = pair(waiting, reading)
        if other is None:
            entry = reading.direction is Direction.IN
            end = VisitEnd(
                reading.visitor, reading.at if entry else None, None if entry else reading.at
            )
            waiting.append(end)
            batch.new_ends.append((reading.location_id, end))
            return
        waiting.remove(other)
        if other.id is not None:
            batch.done_ends.append(other.id)
        else:
            batch.new_ends.remove((reading.location_id, other))
        entered = other.entered_at or reading.at
        left = other.left_at or reading.at
        if is_counted_visit(entered, left):
            key = (reading.location_id, hour_start(entered, zone))
            batch.add(key, HourRollup().with_visit((left - entered).total_seconds()))

    async def _write(self, uow: UnitOfWork, batch: _Batch, now: datetime) -> None:
        occupancy = uow.occupancy
        if batch.raw:
            await occupancy.add_readings(batch.raw, now)
            await occupancy.save_states(batch.states)
            await occupancy.add_to_hours(batch.hours)
        if batch.new_ends or batch.done_ends:
            await occupancy.save_visit_ends(batch.new_ends, batch.done_ends)
        await occupancy.purge(now - self._policy.retention)
