"""Engine creation: SQLite gets WAL, foreign keys and `BEGIN IMMEDIATE` for writers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

WRITE_OPTION = "occupi_write"
# A session for one read statement (SqlDatabase.glancing): SQLite runs it in autocommit,
# where the statement is its own transaction, so no BEGIN is sent for it.
SINGLE_READ_OPTION = "occupi_single_read"
SQLITE_BUSY_SECONDS = 30
# Connections kept open between requests. A connection the pool cannot keep is closed
# when it comes back, and the next burst opens new ones: on SQLite a thread, a file
# handle and four PRAGMAs each, on PostgreSQL a login. A nested read holds two at once
# (two DataLoader batches in flight), so the pools hold what 16 such reads use.
SQLITE_POOL = 32
POSTGRES_POOL = 20


def create_engine(
    url: str, *, echo: bool = False, busy_seconds: float = SQLITE_BUSY_SECONDS
) -> AsyncEngine:
    """`busy_seconds`: how long an SQLite writer waits for another's write lock before the
    unit of work fails with UNAVAILABLE (gateway.store.faults)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        # PostgreSQL: concurrent writers are fine; the exclusion constraint on bookings,
        # not a serialised transaction, is what keeps two bookings of one slot apart.
        return create_async_engine(
            url, echo=echo, pool_pre_ping=True, pool_size=POSTGRES_POOL, max_overflow=10
        )
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(
        url,
        echo=echo,
        connect_args={"timeout": busy_seconds},
        pool_size=SQLITE_POOL,
        max_overflow=SQLITE_POOL,
    )
    _tune_sqlite(engine, busy_seconds)
    return engine


def _tune_sqlite(engine: AsyncEngine, busy_seconds: float) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from sqlite3 so we decide how each one begins.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute(f"PRAGMA busy_timeout = {round(busy_seconds * 1000)}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def on_begin(connection: Connection) -> None:
        # Writers take the write lock up front: a check-then-insert inside one
        # transaction cannot interleave with another writer's.
        options = connection.get_execution_options()
        if options.get(SINGLE_READ_OPTION, False):
            return
        connection.exec_driver_sql("BEGIN IMMEDIATE" if options.get(WRITE_OPTION) else "BEGIN")
