"""One-time registration codes; only their hashes are stored."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.services.ports import Clock
from gateway.services.records import OneTimeCode
from gateway.store.tables import one_time_codes as codes


class SqlCodes:
    def __init__(self, session: AsyncSession, clock: Clock) -> None:
        self._session = session
        self._clock = clock

    async def add(
        self, *, email: str, code_hash: str, created_at: datetime, expires_at: datetime
    ) -> None:
        await self._session.execute(
            insert(codes).values(
                email=email,
                code_hash=code_hash,
                expires_at=expires_at,
                attempts=0,
                created_at=created_at,
            )
        )

    async def latest(self, email: str) -> OneTimeCode | None:
        stmt = select(codes).where(codes.c.email == email).order_by(codes.c.id.desc()).limit(1)
        row = (await self._session.execute(stmt)).first()
        if row is None:
            return None
        return OneTimeCode(
            id=row.id,
            email=row.email,
            code_hash=row.code_hash,
            expires_at=row.expires_at,
            attempts=row.attempts,
            consumed=row.consumed_at is not None,
            created_at=row.created_at,
        )

    async def record_attempt(self, code_id: int) -> None:
        await self._session.execute(
            update(codes).where(codes.c.id == code_id).values(attempts=codes.c.attempts + 1)
        )

    async def consume(self, code_id: int) -> None:
        await self._session.execute(
            update(codes).where(codes.c.id == code_id).values(consumed_at=self._clock.now())
        )
