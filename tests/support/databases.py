"""The database every test runs on: a migrated SQLite file by default, or, when
OCCUPI_TEST_DATABASE_URL names a PostgreSQL server (`make test-pg`), a fresh database
per test, copied from one migrated template (CREATE DATABASE … TEMPLATE is fast)."""

from __future__ import annotations

import asyncio
import itertools
import os
import shutil
from pathlib import Path

import asyncpg
from sqlalchemy.engine import URL, make_url

from gateway.migrate import upgrade

POSTGRES_URL = os.environ.get("OCCUPI_TEST_DATABASE_URL") or None
BROKER_URL = os.environ.get("OCCUPI_TEST_BROKER_URL") or None
ON_POSTGRES = POSTGRES_URL is not None
TEMPLATE = f"occupi_template_{os.getpid()}"
_names = itertools.count(1)


def backend_name() -> str:
    return "postgresql" if ON_POSTGRES else "sqlite"


def _url(database: str) -> URL:
    assert POSTGRES_URL is not None
    return make_url(POSTGRES_URL).set(database=database)


def _dsn(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


async def _admin(sql: str) -> None:
    """One statement outside a transaction, on the server's own database."""
    assert POSTGRES_URL is not None
    connection = await asyncpg.connect(_dsn(make_url(POSTGRES_URL)))
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


def postgres_template() -> str:
    """Create and migrate the template database; returns its name."""
    asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{TEMPLATE}" WITH (FORCE)'))
    asyncio.run(_admin(f'CREATE DATABASE "{TEMPLATE}"'))
    upgrade(_url(TEMPLATE).render_as_string(hide_password=False))
    return TEMPLATE


def postgres_copy(template: str) -> tuple[str, str]:
    """A fresh database copied from `template`: its name and its URL."""
    name = f"{template}_{next(_names)}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    return name, _url(name).render_as_string(hide_password=False)


def postgres_drop(name: str) -> None:
    asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def sqlite_template(directory: Path) -> Path:
    path = directory / "occupi.db"
    upgrade(f"sqlite+aiosqlite:///{path}")
    return path


def sqlite_copy(template: Path, directory: Path) -> str:
    path = directory / "occupi.db"
    shutil.copyfile(template, path)
    return f"sqlite+aiosqlite:///{path}"
