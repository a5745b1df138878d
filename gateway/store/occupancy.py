"""API tokens and the live occupancy state of the location tree."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from domain.api_tokens import ApiToken, TokenScope
from domain.locations import Location
from domain.occupancy import LeafState
from gateway.store.locations import select_locations, to_location
from gateway.store.tables import api_tokens, locations, occupancy_now


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
        return {
            r.location_id: LeafState(r._mapping["count"], r.counted_at, r.earliest_at) for r in rows
        }

    async def set_capacity(self, location_id: int, capacity: int | None) -> None:
        await self._session.execute(
            update(locations).where(locations.c.id == location_id).values(capacity=capacity)
        )
