"""The use cases run twice, on the in-memory fakes and on the real SQL store over the
migrated database (SQLite, or PostgreSQL under `make test-pg`): a rule that holds on one
and not the other is a bug in the fake or in the store."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from gateway.services.ports import Database
from gateway.store.engine import create_engine
from gateway.store.uow import SqlDatabase
from tests.support.clock import MutableClock
from tests.support.fakes import FakeDatabase


@pytest.fixture(params=["fakes", "sql"])
async def db(
    request: pytest.FixtureRequest, clock: MutableClock, database_url: str
) -> AsyncIterator[Database]:
    if request.param == "fakes":
        yield FakeDatabase(clock)
        return
    sql = SqlDatabase(create_engine(database_url), clock)
    yield sql
    await sql.dispose()
