"""One-time codes (registration, e-mail change, sign-in); only their hashes are stored."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from domain.logins import CodePurpose
from gateway.services.ports import Clock
from gateway.services.records import OneTimeCode
from gateway.store.tables import one_time_codes as codes


def _code(row: Row[Any]) -> OneTimeCode:
    return OneTimeCode(
        id=row.id,
        email=row.email,
        code_hash=row.code_hash,
        expires_at=row.expires_at,
        attempts=row.attempts,
        consumed=row.consumed_at is not None,
        created_at=row.created_at,
        purpose=CodePurpose(row.purpose),
        user_id=row.user_id,
    )


class SqlCodes:
    def __init__(self, session: AsyncSession, clock: Clock) -> None:
        self._session = session
        self._clock = clock

    async def add(
        self,
        *,
        email: str,
        code_hash: str,
        created_at: datetime,
        expires_at: datetime,
        purpose: CodePurpose = CodePurpose.REGISTRATION,
        user_id: int | None = None,
    ) -> None:
        await self._session.execute(
            insert(codes).values(
                email=email,
                code_hash=code_hash,
                expires_at=expires_at,
                attempts=0,
                created_at=created_at,
                purpose=purpose.value,
                user_id=user_id,
            )
        )

    async def latest(
        self, email: str, purpose: CodePurpose = CodePurpose.REGISTRATION
    ) -> OneTimeCode | None:
        stmt = (
            select(codes)
            .where(codes.c.email == email, codes.c.purpose == purpose.value)
            .order_by(codes.c.id.desc())
            .limit(1)
        )
        row = (await self._session.execute(stmt)).first()
        return None if row is None else _code(row)

    async def latest_for_user(self, user_id: int, purpose: CodePurpose) -> OneTimeCode | None:
        stmt = (
            select(codes)
            .where(codes.c.user_id == user_id, codes.c.purpose == purpose.value)
            .order_by(codes.c.id.desc())
            .limit(1)
        )
        row = (await self._session.execute(stmt)).first()
        return None if row is None else _code(row)

    async def record_attempt(self, code_id: int) -> None:
        await self._session.execute(
            update(codes).where(codes.c.id == code_id).values(attempts=codes.c.attempts + 1)
        )

    async def consume(self, code_id: int) -> None:
        await self._session.execute(
            update(codes).where(codes.c.id == code_id).values(consumed_at=self._clock.now())
        )
