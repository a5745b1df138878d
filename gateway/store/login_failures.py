"""Failed sign-ins by throttle key; every look-up and change is one statement."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, and_, delete, func, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.services.records import FailureTally, ThrottleKey, ThrottleScope
from gateway.store.tables import login_failures as failures


def _is(key: ThrottleKey) -> ColumnElement[bool]:
    return and_(failures.c.scope == key.scope.value, failures.c.key == key.key)


class SqlLoginFailures:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def tally(
        self, keys: Sequence[ThrottleKey], since: datetime
    ) -> Mapping[ThrottleKey, FailureTally]:
        if not keys:
            return {}
        stmt = (
            select(
                failures.c.scope,
                failures.c.key,
                func.count().label("count"),
                func.max(failures.c.failed_at).label("last_at"),
            )
            .where(or_(*(_is(k) for k in keys)), failures.c.failed_at > since)
            .group_by(failures.c.scope, failures.c.key)
        )
        rows = await self._session.execute(stmt)
        return {
            ThrottleKey(ThrottleScope(row.scope), row.key): FailureTally(row[2], row.last_at)
            for row in rows
        }

    async def add(self, key: ThrottleKey, at: datetime) -> int:
        failure_id = await self._session.scalar(
            insert(failures)
            .values(scope=key.scope.value, key=key.key, failed_at=at)
            .returning(failures.c.id)
        )
        assert failure_id is not None
        return int(failure_id)

    async def forget(self, failure_ids: Sequence[int]) -> None:
        if failure_ids:
            await self._session.execute(delete(failures).where(failures.c.id.in_(failure_ids)))

    async def clear(self, key: ThrottleKey) -> None:
        await self._session.execute(delete(failures).where(_is(key)))

    async def purge(self, before: datetime) -> None:
        await self._session.execute(delete(failures).where(failures.c.failed_at <= before))
