"""The mail outbox: rows written in the business transaction, sent by the relay."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.services.ports import Clock
from gateway.services.records import OutgoingMail, QueuedMail
from gateway.store.tables import outbox

MAX_ATTEMPTS = 5


class SqlOutbox:
    def __init__(self, session: AsyncSession, clock: Clock) -> None:
        self._session = session
        self._clock = clock

    async def add(self, mail: OutgoingMail) -> None:
        await self._session.execute(
            insert(outbox).values(
                recipients={"to": list(mail.to), "bcc": list(mail.bcc)},
                subject=mail.subject,
                body=mail.body,
                created_at=self._clock.now(),
                attempts=0,
            )
        )

    async def pending(self, limit: int, after_id: int = 0) -> list[QueuedMail]:
        stmt = (
            select(outbox)
            .where(
                outbox.c.sent_at.is_(None),
                outbox.c.attempts < MAX_ATTEMPTS,
                outbox.c.id > after_id,
            )
            .order_by(outbox.c.id)
            .limit(limit)
        )
        return [
            QueuedMail(
                id=row.id,
                mail=OutgoingMail(
                    to=tuple(row.recipients["to"]),
                    bcc=tuple(row.recipients["bcc"]),
                    subject=row.subject,
                    body=row.body,
                ),
                attempts=row.attempts,
            )
            for row in await self._session.execute(stmt)
        ]

    async def mark_sent(self, mail_id: int, at: datetime) -> None:
        await self._session.execute(
            update(outbox)
            .where(outbox.c.id == mail_id)
            .values(sent_at=at, attempts=outbox.c.attempts + 1)
        )

    async def mark_failed(self, mail_id: int, error: str, at: datetime) -> None:
        await self._session.execute(
            update(outbox)
            .where(outbox.c.id == mail_id)
            .values(attempts=outbox.c.attempts + 1, last_error=f"{at.isoformat()}: {error}")
        )
