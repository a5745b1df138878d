"""A SqlDatabase on a freshly migrated SQLite file per test."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from gateway.store.engine import create_engine
from gateway.store.uow import SqlDatabase
from tests.store.factory import Scene, add_scene
from tests.support.clock import MutableClock


@pytest.fixture
async def db(database_url: str, clock: MutableClock) -> AsyncIterator[SqlDatabase]:
    database = SqlDatabase(create_engine(database_url), clock)
    yield database
    await database.dispose()


@pytest.fixture
async def scene(db: SqlDatabase) -> Scene:
    """A committed site with rooms RMA and RMB, and users alice and bob."""
    async with db.writing() as uow:
        built = await add_scene(uow)
        await uow.commit()
    return built
