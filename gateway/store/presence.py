"""Office hours and presence sessions repositories."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Row
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import DomainError, ErrorCode
from domain.office_hours import OfficeHours
from domain.presence import ClosedBy, Closing, PresenceSession
from gateway.store.tables import office_hours, presence_sessions

ALL_WEEK = range(1, 8)


class SqlOfficeHours:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def of_site(self, site_id: int) -> OfficeHours | None:
        return (await self.of_sites([site_id])).get(site_id)

    async def of_sites(self, site_ids: Sequence[int]) -> Mapping[int, OfficeHours]:
        stmt = select(office_hours).where(office_hours.c.site_id.in_(list(site_ids)))
        rows = (await self._session.execute(stmt)).all()
        entries: dict[int, list[Any]] = defaultdict(list)
        for row in rows:
            days = entries[row.site_id]
            if row.opens_at is not None:
                days.append((row.weekday, row.opens_at, row.closes_at))
        return {site: OfficeHours.of(days) for site, days in entries.items()}

    async def replace(self, site_id: int, hours: OfficeHours) -> None:
        await self._session.execute(delete(office_hours).where(office_hours.c.site_id == site_id))
        rows = []
        for weekday in ALL_WEEK:
            day = hours.days.get(weekday)
            rows.append(
                {
                    "site_id": site_id,
                    "weekday": weekday,
                    "opens_at": day.opens if day else None,
                    "closes_at": day.closes if day else None,
                }
            )
        await self._session.execute(insert(office_hours), rows)


def to_session(row: Row[Any]) -> PresenceSession:
    return PresenceSession(
        id=row.id,
        user_id=row.user_id,
        site_id=row.site_id,
        entered_at=row.entered_at,
        exited_at=row.exited_at,
        closed_by=ClosedBy(row.closed_by) if row.closed_by else None,
    )


OPEN = presence_sessions.c.exited_at.is_(None)


class SqlPresence:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def _all(self, *where: Any) -> list[PresenceSession]:
        stmt = select(presence_sessions).where(*where).order_by(presence_sessions.c.id)
        return [to_session(r) for r in (await self._session.execute(stmt)).all()]

    async def open_of(self, user_id: int) -> PresenceSession | None:
        found = await self._all(OPEN, presence_sessions.c.user_id == user_id)
        return found[0] if found else None

    async def open_at_sites(self, site_ids: Sequence[int]) -> list[PresenceSession]:
        return await self._all(OPEN, presence_sessions.c.site_id.in_(list(site_ids)))

    async def all_open(self) -> list[PresenceSession]:
        return await self._all(OPEN)

    async def enter(self, *, user_id: int, site_id: int, at: datetime) -> PresenceSession:
        stmt = (
            insert(presence_sessions)
            .values(user_id=user_id, site_id=site_id, entered_at=at)
            .returning(presence_sessions.c.id)
        )
        try:
            async with self._session.begin_nested():
                session_id = await self._session.scalar(stmt)
        except IntegrityError:
            raise DomainError(
                ErrorCode.ALREADY_ON_SITE, "already on site; toggle off first", field="onSite"
            ) from None
        assert session_id is not None
        return PresenceSession(session_id, user_id, site_id, at)

    async def close(self, closing: Closing) -> None:
        await self._session.execute(
            update(presence_sessions)
            .where(presence_sessions.c.id == closing.session_id, OPEN)
            .values(exited_at=closing.at, closed_by=closing.by.value)
        )

    async def entered_between(
        self, user_id: int | None, since: datetime, until: datetime
    ) -> list[PresenceSession]:
        where = [presence_sessions.c.entered_at >= since, presence_sessions.c.entered_at < until]
        if user_id is not None:
            where.append(presence_sessions.c.user_id == user_id)
        return await self._all(*where)
