"""The audit log's repository: one INSERT per recorded change, newest-first pages."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, delete, false, func, insert, select
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit import ActorKind, AuditActor, AuditEntity, AuditEvent, decode, encode
from gateway.services.audit_records import AuditQuery, NewAuditEvent
from gateway.services.records import Page, PageRequest, decode_cursor, encode_cursor
from gateway.store.tables import audit_events

_COLLECTION = "audit"
# PostgreSQL's `integer`: a larger number in a filter or cursor cannot be an id there, and
# would not even be a valid parameter.
INT4_MAX = 2**31 - 1


def _event(row: Row[Any]) -> AuditEvent:
    return AuditEvent(
        id=row.id,
        at=row.at,
        actor=AuditActor(ActorKind(row.actor_kind), row.actor_user_id, row.actor_token_id),
        entity=AuditEntity(row.entity),
        entity_id=row.entity_id,
        action=row.action,
        before=decode(row.before),
        after=decode(row.after),
        client=row.client,
    )


def _filtered(query: AuditQuery, id_limit: int | None) -> Select[Any]:
    t = audit_events.c
    stmt = select(audit_events)
    if query.entity is not None:
        stmt = stmt.where(t.entity == query.entity.value)
    if query.entity_id is not None:
        stmt = stmt.where(t.entity_id == query.entity_id)
    if query.action is not None:
        stmt = stmt.where(t.action == query.action)
    if query.actor is not None:
        stmt = stmt.where(t.actor_kind == query.actor.kind.value)
        for column, wanted in (
            (t.actor_user_id, query.actor.user_id),
            (t.actor_token_id, query.actor.token_id),
        ):
            if wanted is not None:
                fits = id_limit is None or wanted <= id_limit
                stmt = stmt.where(column == wanted if fits else false())
    if query.since is not None:
        stmt = stmt.where(t.at >= query.since)
    if query.until is not None:
        stmt = stmt.where(t.at < query.until)
    return stmt


class SqlAuditLog:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, event: NewAuditEvent) -> None:
        await self._session.execute(
            insert(audit_events).values(
                at=event.at,
                actor_kind=event.actor.kind.value,
                actor_user_id=event.actor.user_id,
                actor_token_id=event.actor.token_id,
                entity=event.entity.value,
                entity_id=event.entity_id,
                action=event.action,
                before=encode(event.before),
                after=encode(event.after),
                client=event.client,
            )
        )

    def _id_limit(self) -> int | None:
        postgres = self._session.get_bind().dialect.name == "postgresql"
        return INT4_MAX if postgres else None

    async def list(self, query: AuditQuery, page: PageRequest) -> Page[AuditEvent]:
        """Keyset pages on the id, descending: the cursor holds the last id shown."""
        id_limit = self._id_limit()
        stmt = _filtered(query, id_limit)
        total = None
        if page.with_total:
            counted = select(func.count()).select_from(stmt.subquery())
            total = int(await self._session.scalar(counted) or 0)
        ordered = stmt.order_by(audit_events.c.id.desc())
        if page.after is not None:
            (last,) = decode_cursor(page.after, _COLLECTION, 1)
            if not isinstance(last, int):
                last = -1  # no id is below: an empty page, like any exhausted cursor
            if id_limit is not None:
                last = min(last, id_limit)  # every id is at most the limit anyway
            ordered = ordered.where(audit_events.c.id < last)
        elif page.offset:
            ordered = ordered.offset(page.offset)
        rows = (await self._session.execute(ordered.limit(page.first + 1))).all()
        shown = rows[: page.first]
        return Page(
            items=[_event(r) for r in shown],
            has_next=len(rows) > page.first,
            total=total,
            offset=page.offset,
            cursors=[encode_cursor(_COLLECTION, [r.id]) for r in shown],
            has_previous=page.after is not None or page.offset > 0,
        )

    async def purge(self, before: datetime) -> int:
        result = await self._session.execute(delete(audit_events).where(audit_events.c.at < before))
        return int(getattr(result, "rowcount", 0) or 0)
