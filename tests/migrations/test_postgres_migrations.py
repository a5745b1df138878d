"""The same migrations on PostgreSQL: down to nothing and up again, the models match, and
the exclusion constraint that keeps bookings apart is there."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from gateway.migrate import downgrade, upgrade
from gateway.store.tables import metadata

pytestmark = pytest.mark.postgres_only


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(database_url, poolclass=NullPool)
    yield engine
    await engine.dispose()


async def tables(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as conn:
        names = await conn.run_sync(lambda sync: sa.inspect(sync).get_table_names())
    return set(names) - {"alembic_version"}


async def exclusion_constraints(engine: AsyncEngine) -> list[str]:
    async with engine.connect() as conn:
        found = await conn.scalars(
            sa.text("SELECT conname FROM pg_constraint WHERE contype = 'x' ORDER BY conname")
        )
        return list(found)


def _diff(connection: sa.Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, metadata))


async def test_down_to_base_and_up_again(engine: AsyncEngine, database_url: str) -> None:
    assert await tables(engine) == set(metadata.tables)
    assert await exclusion_constraints(engine) == ["ex_bookings_room_active_overlap"]

    # Alembic's async env runs its own event loop: give it a thread of its own.
    await asyncio.to_thread(downgrade, database_url, "base")
    assert await tables(engine) == set()
    await asyncio.to_thread(upgrade, database_url)

    assert await tables(engine) == set(metadata.tables)
    assert await exclusion_constraints(engine) == ["ex_bookings_room_active_overlap"]


async def test_the_models_match_the_migrations(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        assert await conn.run_sync(_diff) == []
