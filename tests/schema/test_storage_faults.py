"""A database that cannot take a write answers a clear, retryable error instead of a hang
or a masked INTERNAL: another process holding SQLite's write lock past the busy timeout
is UNAVAILABLE, a full database (SQLite's real "database or disk is full", from a small
`max_page_count`) is STORAGE_FULL; GraphQL says `retryAfter`, the REST shim answers 503
with `Retry-After`, and reads are served meanwhile."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import event
from sqlalchemy.engine import make_url

from gateway.app import Gateway
from gateway.settings import Settings
from tests.rest_compat.test_occupi_bookings import booking
from tests.support.bookings import TOMORROW, local
from tests.support.graphql import JSON, GraphQLClient

pytestmark = pytest.mark.sqlite_only

BOOK = """
mutation Book($input: BookRoomInput!) {
  bookRoom(input: $input) { booking { code } errors { code message field retryAfter } }
}
"""
SLOTS = [(TOMORROW + timedelta(days=d), h) for d in (0, 1, 2, 3, 6, 7, 8) for h in range(8, 17)]
REST_SLOT = {  # a slot none of the GraphQL bookings here takes
    "date": "2026-12-10T00:00:00Z",
    "start": "2026-12-10T07:00:00Z",
    "end": "2026-12-10T08:00:00Z",
}
READ = "{ myBookings { totalCount } rooms(first: 5) { totalCount } }"
# Holds the write lock of the file named by argv[1] until its stdin closes.
HOLD_WRITE_LOCK = """
import sqlite3, sys
held = sqlite3.connect(sys.argv[1], isolation_level=None)
held.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.read()
held.rollback()
"""


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return replace(settings, sqlite_busy_timeout=timedelta(milliseconds=200))


def database_path(settings: Settings) -> str:
    path = make_url(settings.database_url).database
    assert path
    return path


@contextmanager
def write_lock_held_elsewhere(settings: Settings) -> Iterator[None]:
    """Another process takes the database's write lock and keeps it for the block."""
    path = database_path(settings)
    holder = subprocess.Popen(  # noqa: S603 - this interpreter, a fixed script
        [sys.executable, "-c", HOLD_WRITE_LOCK, path],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdin
    assert holder.stdout
    try:
        assert holder.stdout.readline().strip() == "locked"
        yield
    finally:
        holder.stdin.close()
        holder.wait(timeout=10)


def book_input(day: date = TOMORROW, hour: int = 10, title: str = "") -> JSON:
    start = local(f"{hour:02d}:00", day)
    return {
        "input": {
            "roomId": "RM000",
            "start": start.isoformat(),
            "end": (start + timedelta(hours=1)).isoformat(),
            "title": title,
        }
    }


async def book(client: GraphQLClient, token: str, **slot: Any) -> JSON:
    payload: JSON = (await client.data(BOOK, book_input(**slot), token=token))["bookRoom"]
    return payload


async def rest_book(client: GraphQLClient, token: str) -> httpx.Response:
    return await client.http.post(
        "/api/book-room", json=booking(**REST_SLOT), headers={"Authorization": f"Bearer {token}"}
    )


async def test_a_write_lock_held_past_the_busy_timeout_is_unavailable(
    client: GraphQLClient, tokens: dict[str, str], settings: Settings
) -> None:
    with write_lock_held_elsewhere(settings):
        refused = await book(client, tokens["alice"])
        rest = await rest_book(client, tokens["alice"])
        read = await client.data(READ, token=tokens["alice"])
    after = await book(client, tokens["alice"])

    [error] = refused["errors"]
    assert error["code"] == "UNAVAILABLE"
    assert error["message"] == ("the database is busy with other writes; try again in 5 seconds")
    assert error["retryAfter"] == 5
    assert rest.status_code == 503
    assert rest.headers["Retry-After"] == "5"
    assert read["myBookings"]["totalCount"] == 0
    assert read["rooms"]["totalCount"] >= 1
    assert after["errors"] == []
    assert after["booking"]["code"]


async def test_a_full_database_is_storage_full_and_reads_go_on(
    client: GraphQLClient,
    tokens: dict[str, str],
    gateway: Gateway,
    settings: Settings,
    caplog: pytest.LogCaptureFixture,
) -> None:
    engine = gateway.db.engine  # every connection from now on is capped at today's size

    @event.listens_for(engine.sync_engine, "connect")
    def no_room_to_grow(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA page_count")
        (pages,) = cursor.fetchone()
        cursor.execute(f"PRAGMA max_page_count = {pages}")
        cursor.close()

    await engine.dispose()
    with closing(sqlite3.connect(database_path(settings))) as raw:
        raw.execute("VACUUM")  # no free pages left to reuse
    answers = []
    for day, hour in SLOTS:  # long titles fill the free space of the last pages quickly
        answers.append(await book(client, tokens["alice"], day=day, hour=hour, title="x" * 200))
        if answers[-1]["errors"]:
            break
    made = [a for a in answers if not a["errors"]]
    [error] = answers[-1]["errors"]
    rest = await rest_book(client, tokens["alice"])
    read = await client.data(READ, token=tokens["alice"])

    assert error["code"] == "STORAGE_FULL"
    assert error["retryAfter"] == 60
    assert "storage is full" in error["message"]
    assert rest.status_code == 503
    assert rest.headers["Retry-After"] == "60"
    assert read["myBookings"]["totalCount"] == len(made)
    assert not [r for r in caplog.records if r.levelname == "ERROR"], "nothing was masked"
