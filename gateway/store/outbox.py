"""The mail outbox: rows written in the business transaction, sent by the relay."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, Row, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.services.ports import Clock
from gateway.services.records import MailKind, OutgoingMail, QueuedMail
from gateway.store.tables import mail_deliveries, outbox

MAX_ATTEMPTS = 5


class SqlOutbox:
    def __init__(self, session: AsyncSession, clock: Clock) -> None:
        self._session = session
        self._clock = clock

    async def add(self, mail: OutgoingMail) -> None:
        now = self._clock.now()
        mail_id = await self._session.scalar(
            insert(outbox)
            .values(
                recipients={"to": list(mail.to), "bcc": list(mail.bcc)},
                subject=mail.subject,
                body=mail.body,
                kind=mail.kind.value,
                created_at=now,
                attempts=0,
            )
            .returning(outbox.c.id)
        )
        recipients = dict.fromkeys(mail.recipients)
        if mail.kind.on_behalf and recipients:
            await self._session.execute(
                insert(mail_deliveries),
                [
                    {"mail_id": mail_id, "email": r, "kind": mail.kind.value, "queued_at": now}
                    for r in recipients
                ],
            )

    async def deliveries_since(
        self,
        addresses: Sequence[str],
        since: datetime,
        kinds: Sequence[MailKind] | None,
    ) -> Mapping[str, int]:
        if not addresses:
            return {}
        stmt = (
            select(mail_deliveries.c.email, func.count())
            .where(
                mail_deliveries.c.email.in_(sorted(set(addresses))),
                mail_deliveries.c.queued_at > since,
            )
            .group_by(mail_deliveries.c.email)
        )
        if kinds is not None:
            stmt = stmt.where(mail_deliveries.c.kind.in_([k.value for k in kinds]))
        return {email: int(count) for email, count in await self._session.execute(stmt)}

    async def claim(self, limit: int, *, now: datetime, lease: timedelta) -> list[QueuedMail]:
        # PostgreSQL: SKIP LOCKED passes over rows another relay's open claim holds, so
        # concurrent claims split the queue instead of queueing up behind each other, and
        # a row it does lock is rechecked against the WHERE after a concurrent commit.
        # SQLite renders no FOR UPDATE; its writing transaction holds the database's
        # write lock from BEGIN IMMEDIATE, so claims there simply take turns.
        stmt = (
            select(outbox)
            .where(
                outbox.c.sent_at.is_(None),
                outbox.c.attempts < MAX_ATTEMPTS,
                or_(outbox.c.locked_until.is_(None), outbox.c.locked_until <= now),
            )
            .order_by(outbox.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        leased_until = now + lease
        claimed = [_queued(row, leased_until) for row in await self._session.execute(stmt)]
        if claimed:
            await self._session.execute(
                update(outbox)
                .where(outbox.c.id.in_([q.id for q in claimed]))
                .values(locked_until=leased_until)
            )
        return claimed

    async def mark_sent(self, claimed: QueuedMail, at: datetime) -> bool:
        return await self._record(claimed, sent_at=at, locked_until=None)

    async def mark_failed(
        self, claimed: QueuedMail, error: str, at: datetime, retry_at: datetime
    ) -> bool:
        return await self._record(
            claimed, last_error=f"{at.isoformat()}: {error}", locked_until=retry_at
        )

    async def _record(self, claimed: QueuedMail, **outcome: Any) -> bool:
        # The lease's end and the attempts identify the claim: a later claim moves
        # `locked_until` on, and a recorded outcome counts an attempt, so a relay that
        # lost its lease (or recorded already) matches no row.
        result = await self._session.execute(
            update(outbox)
            .where(
                outbox.c.id == claimed.id,
                outbox.c.locked_until == claimed.leased_until,
                outbox.c.attempts == claimed.attempts,
            )
            .values(attempts=outbox.c.attempts + 1, **outcome)
        )
        return cast(CursorResult[Any], result).rowcount == 1


def _queued(row: Row[Any], leased_until: datetime) -> QueuedMail:
    return QueuedMail(
        id=row.id,
        mail=OutgoingMail(
            to=tuple(row.recipients["to"]),
            bcc=tuple(row.recipients["bcc"]),
            subject=row.subject,
            body=row.body,
            kind=MailKind(row.kind),
        ),
        attempts=row.attempts,
        leased_until=leased_until,
    )
