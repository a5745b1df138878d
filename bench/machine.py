"""The machine and the versions a run measured, for the report's header."""

from __future__ import annotations

import asyncio
import os
import platform
import sqlite3
import subprocess
from importlib import metadata
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

PACKAGES = (
    *("uvicorn", "uvloop", "httptools", "starlette", "strawberry-graphql", "graphql-core"),
    *("sqlalchemy", "asyncpg", "aiosqlite", "redis", "pyjwt", "argon2-cffi", "orjson"),
)


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.partition(":")[2].strip()
    return platform.processor() or "unknown"


def memory_gib() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) / 1024 / 1024
    return 0.0


def _output(command: list[str]) -> str:
    try:
        done = subprocess.run(  # noqa: S603 - fixed tool names
            command, capture_output=True, text=True, timeout=10, check=False
        )
    except OSError:
        return ""
    return done.stdout or done.stderr


def _first_line(command: list[str]) -> str:
    lines = _output(command).strip().splitlines()
    return lines[0] if lines else "missing"


def code_version() -> str:
    """The commit measured, and whether the work tree differed from it."""
    head = _first_line(["git", "rev-parse", "--short", "HEAD"])
    changed = len(_output(["git", "status", "--porcelain"]).splitlines())
    return f"{head} plus {changed} uncommitted paths" if changed else head


async def _postgres_version(database_url: str) -> str:
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as connection:
            return str((await connection.execute(text("SHOW server_version"))).scalar_one())
    finally:
        await engine.dispose()


def describe(database_url: str) -> list[str]:
    """`key: value` lines: the machine, then every version that shapes the figures."""
    lines = [
        f"cores (nproc): {os.cpu_count()}",
        f"CPU: {cpu_model()}",
        f"memory: {memory_gib():.1f} GiB",
        f"kernel: {platform.system()} {platform.release()}",
        f"code: {code_version()}",
        f"Python: {platform.python_version()}",
        _database_version(database_url),
        f"Redis: {_first_line(['redis-server', '--version'])}",
        f"wrk: {_first_line(['wrk', '--version'])}",
    ]
    lines += [f"{name}: {_package_version(name)}" for name in PACKAGES]
    return lines


def _database_version(database_url: str) -> str:
    if database_url.startswith("postgresql"):
        return f"PostgreSQL: {asyncio.run(_postgres_version(database_url))}"
    return f"SQLite: {sqlite3.sqlite_version}"


def _package_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"
