"""A timetable import that cancels an ad-hoc booking in its way audits the cancellation
(as the admin who imported), in the import's own unit of work; a refused import, none."""

from __future__ import annotations

import pytest

from domain.audit import AuditEntity
from domain.errors import DomainError
from gateway.services.audit_records import AuditQuery
from gateway.services.timetable_records import CollisionPolicy
from tests.support.world import World
from tests.timetables.support import document
from tests.timetables.test_import import at, book, run

BOOKINGS = AuditQuery(entity=AuditEntity.BOOKING)


async def _booking_events(world: World) -> list[tuple[str, str, str]]:
    events = world.gateway.app.audit.export_as_operator(BOOKINGS)
    return [(e.entity_id, e.action, e.actor.label) async for e in events]


async def test_a_cancellation_by_the_timetable_is_audited(world: World) -> None:
    code = await book(world, "RM001", at(25, 14, 30), at(25, 15, 30))
    await run(world, document())
    events = world.gateway.app.audit.export_as_operator(BOOKINGS)
    newest, *_older = [e async for e in events]
    assert (newest.entity_id, newest.action, newest.actor.label) == (
        code,
        "cancelled_by_timetable",
        f"user:{world.admin.id}",
    )
    assert newest.before is not None
    assert newest.after is not None
    assert (newest.before["status"], newest.after["status"]) == ("active", "cancelled")


async def test_a_refused_import_audits_nothing(world: World) -> None:
    await book(world, "RM001", at(25, 14, 30), at(25, 15, 30))
    before = await _booking_events(world)
    with pytest.raises(DomainError):
        await run(world, document(), CollisionPolicy.REFUSE)
    assert await _booking_events(world) == before
