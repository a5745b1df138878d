"""Notifications per recipient, notification settings and push tokens."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, Row, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import invalid
from domain.notifications import Notification, NotificationKind, NotificationSettings
from gateway.services.notification_records import NewNotification, NotificationCounts
from gateway.services.records import Page, PageRequest, decode_cursor, encode_cursor
from gateway.store.tables import (
    notification_recipients,
    notification_settings,
    notifications,
    push_tokens,
)

_COLLECTION = "notifications"
_mine = notification_recipients.c


class SqlNotifications:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, notification: NewNotification, recipient_ids: Sequence[int]) -> None:
        notification_id = await self._session.scalar(
            insert(notifications)
            .values(
                uuid=notification.id,
                title=notification.title,
                message=notification.message,
                kind=notification.kind.value,
                created_at=notification.created_at,
                booking_code=notification.booking_code,
            )
            .returning(notifications.c.id)
        )
        if recipient_ids:
            await self._session.execute(
                insert(notification_recipients),
                [
                    {"notification_id": notification_id, "user_id": r}
                    for r in dict.fromkeys(recipient_ids)
                ],
            )

    async def list_for(
        self, user_id: int, page: PageRequest, *, unread_only: bool
    ) -> Page[Notification]:
        query = (
            select(notifications, _mine.user_id, _mine.read_at)
            .join(notification_recipients, _mine.notification_id == notifications.c.id)
            .where(_mine.user_id == user_id, _mine.deleted_at.is_(None))
        )
        if unread_only:
            query = query.where(_mine.read_at.is_(None))
        total = None
        if page.with_total:
            counted = select(func.count()).select_from(query.subquery())
            total = int(await self._session.scalar(counted) or 0)
        # Newest first: descending ids, so the keyset runs the other way from pages.py.
        ordered = query.order_by(notifications.c.id.desc())
        if page.after is not None:
            (last,) = decode_cursor(page.after, _COLLECTION, 1)
            if not isinstance(last, int):
                raise invalid(f"{page.after[:80]!r} is not a cursor this API issued", "after")
            ordered = ordered.where(notifications.c.id < last)
        elif page.offset:
            ordered = ordered.offset(page.offset)
        rows = (await self._session.execute(ordered.limit(page.first + 1))).all()
        shown = rows[: page.first]
        return Page(
            items=[_notification(r) for r in shown],
            has_next=len(rows) > page.first,
            total=total,
            offset=page.offset,
            cursors=[encode_cursor(_COLLECTION, [r.id]) for r in shown],
            has_previous=page.after is not None or page.offset > 0,
        )

    async def counts(self, user_id: int) -> NotificationCounts:
        row = (
            await self._session.execute(
                select(
                    func.count(), func.count(_mine.notification_id).filter(_mine.read_at.is_(None))
                ).where(_mine.user_id == user_id, _mine.deleted_at.is_(None))
            )
        ).one()
        return NotificationCounts(unread=int(row[1]), total=int(row[0]))

    async def mark_read(self, user_id: int, ids: Sequence[str] | None, at: datetime) -> int:
        stmt = update(notification_recipients).where(
            _mine.user_id == user_id, _mine.read_at.is_(None), _mine.deleted_at.is_(None)
        )
        if ids is not None:
            chosen = select(notifications.c.id).where(notifications.c.uuid.in_(list(ids)))
            stmt = stmt.where(_mine.notification_id.in_(chosen.scalar_subquery()))
        result = await self._session.execute(stmt.values(read_at=at))
        return cast(CursorResult[Any], result).rowcount

    async def delete_for(self, user_id: int, notification_id: str, at: datetime) -> bool:
        chosen = select(notifications.c.id).where(notifications.c.uuid == notification_id)
        result = await self._session.execute(
            update(notification_recipients)
            .where(
                _mine.user_id == user_id,
                _mine.deleted_at.is_(None),
                _mine.notification_id == chosen.scalar_subquery(),
            )
            .values(deleted_at=at)
        )
        return cast(CursorResult[Any], result).rowcount == 1

    async def settings(self, user_ids: Sequence[int]) -> Mapping[int, NotificationSettings]:
        found = {
            row.user_id: NotificationSettings(row.invites, row.booking_reminders)
            for row in await self._session.execute(
                select(notification_settings).where(
                    notification_settings.c.user_id.in_(sorted(set(user_ids)))
                )
            )
        }
        return {u: found.get(u, NotificationSettings()) for u in user_ids}

    async def save_settings(self, user_id: int, settings: NotificationSettings) -> None:
        # Delete and insert: one portable upsert for SQLite and PostgreSQL alike.
        await self._session.execute(
            delete(notification_settings).where(notification_settings.c.user_id == user_id)
        )
        await self._session.execute(
            insert(notification_settings).values(
                user_id=user_id,
                invites=settings.invites,
                booking_reminders=settings.booking_reminders,
            )
        )

    async def push_tokens(self, user_ids: Sequence[int]) -> Mapping[int, list[str]]:
        found: dict[int, list[str]] = {}
        rows = await self._session.execute(
            select(push_tokens.c.user_id, push_tokens.c.token)
            .where(push_tokens.c.user_id.in_(sorted(set(user_ids))))
            .order_by(push_tokens.c.registered_at, push_tokens.c.id)
        )
        for user_id, token in rows:
            found.setdefault(user_id, []).append(token)
        return found

    async def add_push_token(self, user_id: int, token: str, at: datetime, keep: int) -> None:
        await self._session.execute(delete(push_tokens).where(push_tokens.c.token == token))
        await self._session.execute(
            insert(push_tokens).values(user_id=user_id, token=token, registered_at=at)
        )
        kept = (
            select(push_tokens.c.id)
            .where(push_tokens.c.user_id == user_id)
            .order_by(push_tokens.c.registered_at.desc(), push_tokens.c.id.desc())
            .limit(keep)
        )
        await self._session.execute(
            delete(push_tokens).where(
                push_tokens.c.user_id == user_id, push_tokens.c.id.not_in(kept.scalar_subquery())
            )
        )

    async def remove_push_token(self, user_id: int, token: str) -> bool:
        result = await self._session.execute(
            delete(push_tokens).where(
                push_tokens.c.user_id == user_id, push_tokens.c.token == token
            )
        )
        return cast(CursorResult[Any], result).rowcount == 1


def _notification(row: Row[Any]) -> Notification:
    return Notification(
        id=row.uuid,
        title=row.title,
        message=row.message,
        kind=NotificationKind(row.kind),
        created_at=row.created_at,
        recipient_id=row.user_id,
        booking_code=row.booking_code,
        read_at=row.read_at,
    )
