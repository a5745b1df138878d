"""Legacy registrations waiting for their mailed code (see gateway.services.signups)."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.services.records import PendingRegistration
from gateway.store.tables import pending_registrations as pending


class SqlPendingRegistrations:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, email: str) -> PendingRegistration | None:
        row = (await self._session.execute(select(pending).where(pending.c.email == email))).first()
        if row is None:
            return None
        return PendingRegistration(
            email=row.email,
            password_hash=row.password_hash,
            push_token=row.push_token,
            created_at=row.created_at,
            expires_at=row.expires_at,
        )

    async def put(self, registration: PendingRegistration) -> None:
        # Delete then insert: one statement pair that both databases run alike.
        await self.remove(registration.email)
        await self._session.execute(
            pending.insert().values(
                email=registration.email,
                password_hash=registration.password_hash,
                push_token=registration.push_token,
                created_at=registration.created_at,
                expires_at=registration.expires_at,
            )
        )

    async def remove(self, email: str) -> None:
        await self._session.execute(delete(pending).where(pending.c.email == email))
