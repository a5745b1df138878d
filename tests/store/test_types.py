"""UtcDateTime: aware instants in, aware UTC instants out; naive values refused."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text
from sqlalchemy.dialects.postgresql.base import PGDialect
from sqlalchemy.dialects.sqlite.base import SQLiteDialect
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import StatementError

from gateway.store.types import UtcDateTime
from gateway.store.uow import SqlDatabase

JOHANNESBURG = ZoneInfo("Africa/Johannesburg")
LOCAL = datetime(2026, 11, 23, 10, 30, 15, 123456, tzinfo=JOHANNESBURG)  # 08:30:15 UTC
NAIVE = LOCAL.replace(tzinfo=None)
SQLITE: Dialect = SQLiteDialect()
POSTGRES: Dialect = PGDialect()  # type: ignore[no-untyped-call]  # unannotated in SQLAlchemy


async def test_an_aware_non_utc_instant_comes_back_equal_and_in_utc(db: SqlDatabase) -> None:
    async with db.writing() as uow:
        await uow.codes.add(
            email="a@example.com", code_hash="h", created_at=LOCAL, expires_at=LOCAL
        )
        await uow.commit()

    async with db.reading() as uow:
        code = await uow.codes.latest("a@example.com")
    assert code is not None
    assert code.expires_at == LOCAL
    assert code.expires_at.tzinfo is UTC
    assert code.expires_at == datetime(2026, 11, 23, 8, 30, 15, 123456, tzinfo=UTC)


@pytest.mark.sqlite_only
async def test_sqlite_stores_the_utc_wall_time(db: SqlDatabase) -> None:
    async with db.writing() as uow:
        await uow.codes.add(
            email="a@example.com", code_hash="h", created_at=LOCAL, expires_at=LOCAL
        )
        await uow.commit()

    async with db.engine.connect() as conn:
        stored = await conn.scalar(text("SELECT expires_at FROM one_time_codes"))
    assert stored == "2026-11-23 08:30:15.123456"


async def test_a_naive_instant_is_refused_and_nothing_is_written(db: SqlDatabase) -> None:
    async with db.writing() as uow:
        with pytest.raises(StatementError) as raised:
            await uow.codes.add(
                email="a@example.com", code_hash="h", created_at=LOCAL, expires_at=NAIVE
            )
    assert isinstance(raised.value.orig, ValueError)
    assert "naive datetime" in str(raised.value.orig)

    async with db.reading() as uow:
        assert await uow.codes.latest("a@example.com") is None


def test_the_type_refuses_naive_values_on_every_dialect() -> None:
    for dialect in (SQLITE, POSTGRES):
        with pytest.raises(ValueError, match="naive datetime given to a UTC column"):
            UtcDateTime().process_bind_param(NAIVE, dialect)


def test_the_type_binds_utc_naive_on_sqlite_and_aware_utc_elsewhere() -> None:
    utc = datetime(2026, 11, 23, 8, 30, 15, 123456, tzinfo=UTC)
    on_sqlite = UtcDateTime().process_bind_param(LOCAL, SQLITE)
    on_postgres = UtcDateTime().process_bind_param(LOCAL, POSTGRES)
    assert on_sqlite == utc.replace(tzinfo=None)
    assert on_sqlite is not None
    assert on_sqlite.tzinfo is None
    assert on_postgres == utc
    assert on_postgres is not None
    assert on_postgres.tzinfo is UTC
    assert UtcDateTime().process_bind_param(None, SQLITE) is None


def test_the_type_reads_values_back_as_utc() -> None:
    naive_utc = datetime(2026, 11, 23, 8, 30, tzinfo=UTC).replace(tzinfo=None)
    from_sqlite = UtcDateTime().process_result_value(naive_utc, SQLITE)
    from_postgres = UtcDateTime().process_result_value(LOCAL, POSTGRES)
    assert from_sqlite == datetime(2026, 11, 23, 8, 30, tzinfo=UTC)
    assert from_sqlite is not None
    assert from_sqlite.tzinfo is UTC
    assert from_postgres == LOCAL
    assert from_postgres is not None
    assert from_postgres.tzinfo is UTC
    assert UtcDateTime().process_result_value(None, SQLITE) is None
