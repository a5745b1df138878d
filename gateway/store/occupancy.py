"""API tokens and the live occupancy state of the location tree."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, delete, insert, or_, select, tuple_, update
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from domain.api_tokens import ApiToken, TokenScope
from domain.history import HourRollup
from domain.locations import Location
from domain.occupancy import LeafState
from domain.readings import Reading, VisitEnd
from gateway.store.locations import select_locations, to_location
from gateway.store.tables import (
    api_tokens,
    locations,
    occupancy_hours,
    occupancy_now,
    occupancy_readings,
    occupancy_visit_ends,
)

# Statements hold at most this many bound rows or keys (SQLite allows 32766 parameters).
CHUNK = 500
ROLLUP_FIELDS = tuple(HourRollup.__dataclass_fields__)


def _chunks(items: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def _state(row: Row[Any]) -> LeafState:
    return LeafState(row._mapping["count"], row.counted_at, row.earliest_at)


def to_token(row: Row[Any]) -> ApiToken:
    scopes = {TokenScope.READ} if row.can_read else set()
    if row.can_ingest:
        scopes.add(TokenScope.INGEST)
    return ApiToken(
        id=row.id,
        name=row.name,
        location_id=row.location_id,
        scopes=frozenset(scopes),
        created_at=row.created_at,
        created_by=row.created_by,
        revoked_at=row.revoked_at,
    )


class SqlApiTokens:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(
        self,
        *,
        name: str,
        token_hash: str,
        location_id: int | None,
        scopes: frozenset[TokenScope],
        created_at: datetime,
        created_by: int | None,
    ) -> ApiToken:
        stmt = (
            insert(api_tokens)
            .values(
                name=name,
                token_hash=token_hash,
                location_id=location_id,
                can_read=TokenScope.READ in scopes,
                can_ingest=TokenScope.INGEST in scopes,
                created_at=created_at,
                created_by=created_by,
            )
            .returning(api_tokens.c.id)
        )
        token_id = await self._session.scalar(stmt)
        assert token_id is not None
        return ApiToken(token_id, name, location_id, scopes, created_at, created_by)

    async def by_hash(self, token_hash: str) -> ApiToken | None:
        stmt = select(api_tokens).where(api_tokens.c.token_hash == token_hash)
        row = (await self._session.execute(stmt)).first()
        return to_token(row) if row else None

    async def list(self) -> list[ApiToken]:
        stmt = select(api_tokens).order_by(api_tokens.c.id)
        return [to_token(r) for r in (await self._session.execute(stmt)).all()]

    async def revoke(self, token_id: int, at: datetime) -> ApiToken | None:
        await self._session.execute(
            update(api_tokens)
            .where(api_tokens.c.id == token_id, api_tokens.c.revoked_at.is_(None))
            .values(revoked_at=at)
        )
        row = (
            await self._session.execute(select(api_tokens).where(api_tokens.c.id == token_id))
        ).first()
        return to_token(row) if row else None


class SqlOccupancy:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def tree(self) -> list[Location]:
        stmt = select_locations().order_by(locations.c.id)
        return [to_location(r) for r in (await self._session.execute(stmt)).all()]

    async def leaves(self) -> Mapping[int, LeafState]:
        rows = (await self._session.execute(select(occupancy_now))).all()
        return {r.location_id: _state(r) for r in rows}

    async def states(self, location_ids: Sequence[int]) -> Mapping[int, LeafState]:
        found: dict[int, LeafState] = {}
        for chunk in _chunks(list(location_ids)):
            stmt = select(occupancy_now).where(occupancy_now.c.location_id.in_(chunk))
            found.update({r.location_id: _state(r) for r in await self._session.execute(stmt)})
        return found

    async def save_states(self, states: Mapping[int, LeafState]) -> None:
        existing = set(await self.states(list(states)))
        rows = [
            {"b_id": i, "count": s.count, "counted_at": s.counted_at, "earliest_at": s.earliest_at}
            for i, s in states.items()
        ]
        changed = [r for r in rows if r["b_id"] in existing]
        new = [{"location_id": r.pop("b_id"), **r} for r in rows if r["b_id"] not in existing]
        if changed:
            stmt = (
                update(occupancy_now)
                .where(occupancy_now.c.location_id == bindparam("b_id"))
                .values(
                    count=bindparam("count"),
                    counted_at=bindparam("counted_at"),
                    earliest_at=bindparam("earliest_at"),
                )
            )
            await self._session.execute(stmt, changed)
        if new:
            await self._session.execute(insert(occupancy_now), new)

    async def received(
        self, spans: Mapping[int, tuple[datetime, datetime]]
    ) -> set[tuple[int, datetime, str, int | None, str | None]]:
        r = occupancy_readings.c
        found: set[tuple[int, datetime, str, int | None, str | None]] = set()
        for chunk in _chunks(list(spans.items())):
            where = or_(*(and_(r.location_id == i, r.at.between(lo, hi)) for i, (lo, hi) in chunk))
            stmt = select(r.location_id, r.at, r.kind, r["count"], r.visitor).where(where)
            found.update(tuple(row) for row in await self._session.execute(stmt))
        return found

    async def add_readings(
        self, readings: Sequence[tuple[Reading, int | None]], received_at: datetime
    ) -> None:
        rows = [
            {
                "location_id": reading.location_id,
                "at": reading.at,
                "kind": reading.kind,
                "count": reading.count,
                "visitor": reading.visitor,
                "sample": sample,
                "received_at": received_at,
            }
            for reading, sample in readings
        ]
        for chunk in _chunks(rows):
            await self._session.execute(insert(occupancy_readings), list(chunk))

    async def add_to_hours(self, deltas: Mapping[tuple[int, datetime], HourRollup]) -> None:
        h = occupancy_hours.c
        keys = list(deltas)
        stored: dict[tuple[int, datetime], HourRollup] = {}
        for chunk in _chunks(keys):
            stmt = select(occupancy_hours).where(tuple_(h.location_id, h.hour).in_(list(chunk)))
            for row in await self._session.execute(stmt):
                stored[(row.location_id, row.hour)] = _rollup(row)
        changed = [
            {"b_id": k[0], "b_hour": k[1], **asdict(stored[k].merge(deltas[k]))}
            for k in keys
            if k in stored
        ]
        new = [
            {"location_id": k[0], "hour": k[1], **asdict(deltas[k])}
            for k in keys
            if k not in stored
        ]
        if changed:
            change = (
                update(occupancy_hours)
                .where(h.location_id == bindparam("b_id"), h.hour == bindparam("b_hour"))
                .values({name: bindparam(name) for name in ROLLUP_FIELDS})
            )
            await self._session.execute(change, changed)
        for chunk in _chunks(new):
            await self._session.execute(insert(occupancy_hours), list(chunk))

    async def hours(
        self, location_ids: Sequence[int], start: datetime, end: datetime
    ) -> Mapping[int, Mapping[datetime, HourRollup]]:
        h = occupancy_hours.c
        found: dict[int, dict[datetime, HourRollup]] = {i: {} for i in location_ids}
        for chunk in _chunks(list(location_ids)):
            stmt = select(occupancy_hours).where(
                h.location_id.in_(chunk), h.hour >= start, h.hour < end
            )
            for row in await self._session.execute(stmt):
                found[row.location_id][row.hour] = _rollup(row)
        return found

    async def waiting_visits(
        self, keys: Iterable[tuple[int, str]]
    ) -> Mapping[tuple[int, str], list[VisitEnd]]:
        v = occupancy_visit_ends.c
        wanted = list(dict.fromkeys(keys))
        found: dict[tuple[int, str], list[VisitEnd]] = {k: [] for k in wanted}
        for chunk in _chunks(wanted):
            stmt = (
                select(occupancy_visit_ends)
                .where(tuple_(v.location_id, v.visitor).in_(list(chunk)))
                .order_by(v.id)
            )
            for row in await self._session.execute(stmt):
                found[(row.location_id, row.visitor)].append(
                    VisitEnd(row.visitor, row.entered_at, row.left_at, row.id)
                )
        return found

    async def save_visit_ends(
        self, added: Sequence[tuple[int, VisitEnd]], removed: Sequence[int]
    ) -> None:
        for chunk in _chunks(list(removed)):
            await self._session.execute(
                delete(occupancy_visit_ends).where(occupancy_visit_ends.c.id.in_(chunk))
            )
        rows = [
            {
                "location_id": location_id,
                "visitor": end.visitor,
                "entered_at": end.entered_at,
                "left_at": end.left_at,
            }
            for location_id, end in added
        ]
        for chunk in _chunks(rows):
            await self._session.execute(insert(occupancy_visit_ends), list(chunk))

    async def purge(self, before: datetime) -> int:
        v = occupancy_visit_ends.c
        await self._session.execute(
            delete(occupancy_visit_ends).where(or_(v.entered_at < before, v.left_at < before))
        )
        result = await self._session.execute(
            delete(occupancy_readings).where(occupancy_readings.c.at < before)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    async def set_capacity(self, location_id: int, capacity: int | None) -> None:
        await self._session.execute(
            update(locations).where(locations.c.id == location_id).values(capacity=capacity)
        )


def _rollup(row: Row[Any]) -> HourRollup:
    return HourRollup(**{name: row._mapping[name] for name in ROLLUP_FIELDS})
