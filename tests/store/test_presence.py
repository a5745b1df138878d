"""Office hours and presence sessions in the SQL store over the migrated database: what
the repositories store and read back, and what the database itself refuses."""

from __future__ import annotations

from datetime import time

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from domain.errors import DomainError, ErrorCode
from domain.office_hours import OfficeHours
from domain.presence import ClosedBy, Closing
from gateway.store.tables import presence_sessions
from gateway.store.uow import SqlDatabase
from tests.store.factory import Scene, at


async def test_office_hours_round_trip_with_closed_days(db: SqlDatabase, scene: Scene) -> None:
    site = scene.tree.site.id
    async with db.reading() as uow:
        assert await uow.office_hours.of_site(site) is None  # the default applies
    week = OfficeHours.of([(2, time(7, 30), time(18)), (6, time(9), time(12))])
    async with db.writing() as uow:
        await uow.office_hours.replace(site, OfficeHours())
        await uow.office_hours.replace(site, week)
        await uow.commit()
    async with db.reading() as uow:
        assert await uow.office_hours.of_site(site) == week
        assert await uow.office_hours.of_sites([site, scene.tree.floor.id]) == {site: week}
    async with db.writing() as uow:
        await uow.office_hours.replace(site, OfficeHours.of([]))
        await uow.commit()
    async with db.reading() as uow:
        assert await uow.office_hours.of_site(site) == OfficeHours.of([])  # closed all week


async def test_sessions_open_close_and_list(db: SqlDatabase, scene: Scene) -> None:
    site = scene.tree.site.id
    async with db.writing() as uow:
        first = await uow.presence.enter(user_id=scene.alice.id, site_id=site, at=at(1))
        await uow.presence.close(Closing(first.id, at(3), ClosedBy.USER))
        await uow.presence.close(Closing(first.id, at(4), ClosedBy.SWEEP))  # closed: no-op
        second = await uow.presence.enter(user_id=scene.alice.id, site_id=site, at=at(5))
        await uow.presence.enter(user_id=scene.bob.id, site_id=site, at=at(6))
        await uow.commit()
    async with db.reading() as uow:
        assert await uow.presence.open_of(scene.alice.id) == second
        assert [s.user_id for s in await uow.presence.open_at_sites([site])] == [
            scene.alice.id,
            scene.bob.id,
        ]
        assert len(await uow.presence.all_open()) == 2
        mine = await uow.presence.entered_between(scene.alice.id, at(0), at(5))
        assert [(s.entered_at, s.exited_at, s.closed_by) for s in mine] == [
            (at(1), at(3), ClosedBy.USER)
        ]
        assert len(await uow.presence.entered_between(None, at(0), at(24))) == 3


async def test_a_second_open_session_is_refused(db: SqlDatabase, scene: Scene) -> None:
    async with db.writing() as uow:
        await uow.presence.enter(user_id=scene.alice.id, site_id=scene.tree.site.id, at=at(1))
        with pytest.raises(DomainError) as raised:
            await uow.presence.enter(user_id=scene.alice.id, site_id=scene.tree.site.id, at=at(2))
        assert raised.value.code is ErrorCode.ALREADY_ON_SITE
        await uow.commit()  # the refused insert left the transaction usable
    async with db.reading() as uow:
        assert len(await uow.presence.all_open()) == 1


@pytest.mark.parametrize(
    "values",
    [
        {"exited_at": at(0), "closed_by": "user"},  # exits before it entered
        {"exited_at": at(2), "closed_by": None},  # closed without saying by whom
        {"exited_at": None, "closed_by": "sweep"},  # open, yet closed by the sweep
        {"exited_at": at(2), "closed_by": "robot"},
    ],
)
async def test_the_database_refuses_inconsistent_sessions(
    db: SqlDatabase, scene: Scene, values: dict[str, object]
) -> None:
    row = {"user_id": scene.alice.id, "site_id": scene.tree.site.id, "entered_at": at(1)}
    with pytest.raises(IntegrityError):
        async with db.engine.begin() as connection:
            await connection.execute(sa.insert(presence_sessions).values(**row, **values))
