"""Booking reminders: scheduled at booking time, settled once by a reminder worker."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.services.notification_records import DueReminder
from gateway.store.tables import booking_reminders, bookings, users

PENDING = "pending"
_r = booking_reminders.c


class SqlReminders:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def schedule(self, booking_id: int, user_ids: Sequence[int], due_at: datetime) -> None:
        if user_ids:
            await self._session.execute(
                insert(booking_reminders),
                [
                    {"booking_id": booking_id, "user_id": u, "due_at": due_at, "state": PENDING}
                    for u in dict.fromkeys(user_ids)
                ],
            )

    async def cancel(self, booking_id: int, at: datetime) -> None:
        await self._session.execute(
            update(booking_reminders)
            .where(_r.booking_id == booking_id, _r.state == PENDING)
            .values(state="cancelled", done_at=at)
        )

    async def due(self, now: datetime, limit: int) -> list[DueReminder]:
        # PostgreSQL: SKIP LOCKED lets another worker's open transaction keep its rows
        # and this one take the next; SQLite's writers take turns under the write lock.
        stmt = (
            select(_r.id, _r.user_id, _r.due_at, bookings.c.code, users.c.email)
            .join(bookings, bookings.c.id == _r.booking_id)
            .join(users, users.c.id == _r.user_id)
            .where(_r.state == PENDING, _r.due_at <= now)
            .order_by(_r.due_at, _r.id)
            .limit(limit)
            .with_for_update(of=booking_reminders, skip_locked=True)
        )
        return [
            DueReminder(
                id=row.id,
                booking_code=row.code,
                user_id=row.user_id,
                email=row.email,
                due_at=row.due_at,
            )
            for row in await self._session.execute(stmt)
        ]

    async def settle(self, reminder_id: int, state: str, at: datetime) -> bool:
        result = await self._session.execute(
            update(booking_reminders)
            .where(_r.id == reminder_id, _r.state == PENDING)
            .values(state=state, done_at=at)
        )
        return cast(CursorResult[Any], result).rowcount == 1
