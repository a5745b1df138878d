"""The audit log: `record` inside each changing use case, `AuditLog` for admins to read.

One rule, one place: every use case that changes a booking, a user, a location or room,
an IP rule or an API token calls `record` with the unit of work that makes the change,
just before its commit. The event is therefore committed with the change or not at all:
a refused or rolled-back change leaves no event, and an acknowledged one always has one.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator, Mapping
from contextvars import ContextVar
from datetime import datetime, timedelta
from typing import Any

from domain.audit import (
    ANONYMOUS_ACTOR,
    MAX_CLIENT,
    MAX_ENTITY_ID,
    ActorKind,
    AuditActor,
    AuditEntity,
    AuditEvent,
    user_actor,
)
from domain.intervals import require_aware
from domain.users import Actor
from gateway.services.audit_records import AuditQuery, NewAuditEvent
from gateway.services.authz import Principal
from gateway.services.ports import Clock, Database, UnitOfWork
from gateway.services.records import MAX_PAGE_SIZE, Page, PageRequest

EXPORT_BATCH = MAX_PAGE_SIZE
MAX_EXPORT_ROWS = 1_000_000

_client: ContextVar[str | None] = ContextVar("occupi_audit_client", default=None)


@contextlib.contextmanager
def client_scope(address: str | None) -> Iterator[None]:
    """Events recorded inside carry `address` as their client address: the delivery
    layer opens one per request, so no use case has to pass the address along."""
    token = _client.set(address[:MAX_CLIENT] if address else None)
    try:
        yield
    finally:
        _client.reset(token)


def actor_of(who: Actor | Principal | AuditActor) -> AuditActor:
    """A person by their id; a principal without one by its API token, else anonymous."""
    if isinstance(who, AuditActor):
        return who
    if isinstance(who, Actor):
        return user_actor(who.user_id)
    if who.actor is not None:
        return user_actor(who.actor.user_id)
    if who.api_token is not None:
        return AuditActor(ActorKind.TOKEN, token_id=who.api_token.id)
    return ANONYMOUS_ACTOR


async def record(
    uow: UnitOfWork,
    who: Actor | Principal | AuditActor,
    entity: AuditEntity,
    entity_id: str | int,
    action: str,
    *,
    at: datetime,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
) -> None:
    """Add one event to `uow`, which must be the writing unit of work of the change.
    The store keeps `before` and `after` through `domain.audit.snapshot`, which drops
    secrets; callers still pass only the fields the change is about."""
    await uow.audit.add(
        NewAuditEvent(
            at=require_aware(at, "at"),
            actor=actor_of(who),
            entity=entity,
            entity_id=str(entity_id)[:MAX_ENTITY_ID],
            action=action,
            before=before,
            after=after,
            client=_client.get(),
        )
    )


class AuditLog:
    """Admins only: the events, newest first, by page or exported in bounded batches.
    `purge` serves the retention setting (OCCUPI_AUDIT_RETENTION_DAYS)."""

    def __init__(self, db: Database, clock: Clock, retention: timedelta | None = None) -> None:
        self._db = db
        self._clock = clock
        self._retention = retention

    async def events(
        self, principal: Principal, query: AuditQuery, page: PageRequest
    ) -> Page[AuditEvent]:
        principal.require_admin()
        async with self._db.reading() as uow:
            return await uow.audit.list(query, page)

    async def export(
        self, principal: Principal, query: AuditQuery, *, limit: int = MAX_EXPORT_ROWS
    ) -> AsyncIterator[AuditEvent]:
        """Every matching event, newest first, read `EXPORT_BATCH` at a time in short read
        units of work (an export never holds a transaction open while a client reads
        slowly), at most `limit` events. Authorised before the first event is read."""
        principal.require_admin()
        return self._batches(query, limit)

    def export_as_operator(
        self, query: AuditQuery, *, limit: int = MAX_EXPORT_ROWS
    ) -> AsyncIterator[AuditEvent]:
        """`export` for the CLI: whoever runs it holds the database already."""
        return self._batches(query, limit)

    async def _batches(self, query: AuditQuery, limit: int) -> AsyncIterator[AuditEvent]:
        after: str | None = None
        left = limit
        while left > 0:
            request = PageRequest(first=min(EXPORT_BATCH, left), after=after, with_total=False)
            async with self._db.reading() as uow:
                page = await uow.audit.list(query, request)
            for event in page.items:
                yield event
            left -= len(page.items)
            if not page.has_next or not page.items:
                return
            after = page.cursors[-1]

    async def purge(self) -> int:
        """Drop events older than the retention; none without one. Returns how many."""
        if self._retention is None:
            return 0
        async with self._db.writing() as uow:
            dropped = await uow.audit.purge(self._clock.now() - self._retention)
            await uow.commit()
        return dropped
