"""The audit log's use cases, on the fakes and on the real SQL store: an event is
committed with its change or not at all, reads are for admins, filters, pages, purges."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.api_tokens import TokenScope
from domain.audit import SYSTEM_ACTOR, AuditEntity, user_actor
from domain.errors import DomainError, ErrorCode
from domain.users import Actor, Role
from gateway.services import audit
from gateway.services.api_tokens import ApiTokens
from gateway.services.audit import AuditLog
from gateway.services.audit_records import AuditQuery
from gateway.services.authz import Principal
from gateway.services.ports import Database
from gateway.services.records import PageRequest
from tests.support.clock import MutableClock

ADMIN = Principal(actor=Actor(1, "admin@example.com", Role.ADMIN))
ALICE = Actor(2, "alice@example.com", Role.BASIC)


async def _record(db: Database, clock: MutableClock, entity_id: str, *, commit: bool) -> None:
    async with db.writing() as uow:
        await audit.record(
            uow,
            ALICE,
            AuditEntity.BOOKING,
            entity_id,
            "booked",
            at=clock.now(),
            after={"title": "t", "password_hash": "$argon2id$leak", "nested": {"token": "x"}},
        )
        if commit:
            await uow.commit()


async def _everything(db: Database, clock: MutableClock) -> list[str]:
    log = AuditLog(db, clock)
    return [e.entity_id async for e in log.export_as_operator(AuditQuery())]


async def _fail_after_recording(db: Database, clock: MutableClock) -> None:
    async with db.writing() as uow:
        await audit.record(uow, ALICE, AuditEntity.USER, 2, "created", at=clock.now())
        raise RuntimeError("the change failed after its event was added")


async def test_an_uncommitted_change_leaves_no_event(db: Database, clock: MutableClock) -> None:
    await _record(db, clock, "B1", commit=False)
    with pytest.raises(RuntimeError):
        await _fail_after_recording(db, clock)
    assert await _everything(db, clock) == []


async def test_a_committed_event_keeps_its_fields_but_no_secret(
    db: Database, clock: MutableClock
) -> None:
    with audit.client_scope("198.51.100.7"):
        await _record(db, clock, "B1", commit=True)
    page = await AuditLog(db, clock).events(ADMIN, AuditQuery(), PageRequest())
    (event,) = page.items
    assert (event.actor, event.entity, event.entity_id, event.action) == (
        user_actor(ALICE.user_id),
        AuditEntity.BOOKING,
        "B1",
        "booked",
    )
    assert (event.at, event.before, event.client) == (clock.now(), None, "198.51.100.7")
    assert event.after == {"title": "t", "nested": {}}
    assert page.total == 1


async def test_only_admins_read_or_export(db: Database, clock: MutableClock) -> None:
    log = AuditLog(db, clock)
    basic = Principal(actor=ALICE)
    for read in (
        lambda: log.events(basic, AuditQuery(), PageRequest()),
        lambda: log.export(basic, AuditQuery()),
    ):
        with pytest.raises(DomainError) as refused:
            await read()
        assert refused.value.code is ErrorCode.FORBIDDEN
    with pytest.raises(DomainError) as anonymous:
        await log.export(Principal(), AuditQuery())
    assert anonymous.value.code is ErrorCode.UNAUTHENTICATED


async def test_pages_are_newest_first_and_filters_narrow(db: Database, clock: MutableClock) -> None:
    for n in range(5):
        clock.advance(timedelta(minutes=1))
        await _record(db, clock, f"B{n}", commit=True)
    log = AuditLog(db, clock)
    first = await log.events(ADMIN, AuditQuery(), PageRequest(first=2))
    second = await log.events(ADMIN, AuditQuery(), PageRequest(first=2, after=first.cursors[-1]))
    last = await log.events(ADMIN, AuditQuery(), PageRequest(first=2, after=second.cursors[-1]))
    assert [e.entity_id for e in [*first.items, *second.items, *last.items]] == [
        "B4",
        "B3",
        "B2",
        "B1",
        "B0",
    ]
    assert (first.has_next, second.has_next, last.has_next) == (True, True, False)

    async def ids(query: AuditQuery) -> list[str]:
        return [e.entity_id for e in (await log.events(ADMIN, query, PageRequest())).items]

    assert await ids(AuditQuery(entity_id="B2")) == ["B2"]
    assert await ids(AuditQuery(since=clock.now() - timedelta(minutes=1))) == ["B4", "B3"]
    assert await ids(AuditQuery(until=clock.now() - timedelta(minutes=3))) == ["B0"]
    assert await ids(AuditQuery(actor=user_actor(ALICE.user_id), action="booked")) == [
        "B4",
        "B3",
        "B2",
        "B1",
        "B0",
    ]
    assert await ids(AuditQuery(actor=user_actor(99))) == []
    assert await ids(AuditQuery(entity=AuditEntity.USER)) == []
    assert [e async for e in log.export_as_operator(AuditQuery(), limit=2)] == first.items


async def test_the_retention_purges_only_older_events(db: Database, clock: MutableClock) -> None:
    await _record(db, clock, "old", commit=True)
    clock.advance(timedelta(days=10))
    await _record(db, clock, "new", commit=True)

    assert await AuditLog(db, clock).purge() == 0  # no retention: everything is kept
    assert await AuditLog(db, clock, retention=timedelta(days=5)).purge() == 1
    assert await _everything(db, clock) == ["new"]


async def test_the_operator_is_audited_as_the_system_and_a_revocation_once(
    db: Database, clock: MutableClock
) -> None:
    tokens = ApiTokens(db, clock)
    issued = await tokens.issue_as_operator(
        name="sensor", location_id=None, scopes=frozenset({TokenScope.INGEST})
    )
    await tokens.revoke_as_operator(issued.token.id)
    clock.advance(timedelta(minutes=1))
    await tokens.revoke(ADMIN, issued.token.id)  # already revoked: nothing changes

    log = AuditLog(db, clock)
    events = [e async for e in log.export_as_operator(AuditQuery(entity=AuditEntity.API_TOKEN))]
    assert [(e.action, e.actor) for e in events] == [
        ("revoked", SYSTEM_ACTOR),
        ("created", SYSTEM_ACTOR),
    ]
    assert issued.secret not in repr(events)


async def test_an_export_reads_every_batch_in_order_up_to_its_limit(
    db: Database, clock: MutableClock
) -> None:
    async with db.writing() as uow:
        for n in range(2 * audit.EXPORT_BATCH + 5):
            await audit.record(
                uow, ALICE, AuditEntity.ROOM, f"RM{n:04d}", "created", at=clock.now()
            )
        await uow.commit()
    log = AuditLog(db, clock)

    everything = [e.entity_id async for e in log.export_as_operator(AuditQuery())]
    bounded = [e.entity_id async for e in log.export_as_operator(AuditQuery(), limit=150)]

    assert everything == [f"RM{n:04d}" for n in reversed(range(2 * audit.EXPORT_BATCH + 5))]
    assert bounded == everything[:150]
