"""How many connections PostgreSQL accepted: a pool that keeps opening new ones shows."""

from __future__ import annotations

import asyncio

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

SESSIONS = text("SELECT sessions FROM pg_stat_database WHERE datname = current_database()")


async def _sessions(database_url: str) -> int:
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as connection:
            return int((await connection.execute(SESSIONS)).scalar_one())
    finally:
        await engine.dispose()


def sessions_started(database_url: str) -> int:
    """Connections the database has accepted since its statistics began, this one included."""
    return asyncio.run(_sessions(database_url))


def sessions_between(database_url: str, before: int) -> int:
    """Connections opened since `before` was read, not counting this reading's own."""
    return sessions_started(database_url) - before - 1
