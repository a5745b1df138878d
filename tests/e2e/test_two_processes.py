"""The same gateway on several processes: two real `occupi serve` processes (and one
`occupi serve --workers 2`) on one PostgreSQL database and one Redis server.

Each process has a data directory of its own, as on separate hosts; they share only the
database, the broker (on a channel prefix of this test's own) and the JWT secret.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from redis.asyncio import Redis
from sqlalchemy import select
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from gateway.seed import SITE_ZONE
from gateway.services.events import room_bookings_topic
from gateway.store.tables import bookings, outbox, rooms
from tests.schema.test_subscriptions import receive, send
from tests.schema.test_subscriptions import socket as graphql_socket
from tests.support import databases
from tests.support.graphql import JSON

pytestmark = pytest.mark.postgres_only

OCCUPI = Path(sys.executable).with_name("occupi")
JWT_SECRET = "two-processes-share-this-secret-0123456789abcdef"
STARTUP_SECONDS = 60.0
STOP_SECONDS = 20.0
WAIT_SECONDS = 30.0
HTTP_SECONDS = 30.0
USERS = ("alice@occupi.example", "bongani@occupi.example")

LOGIN = """
mutation Login($email: String!, $password: String!) {
  login(input: {email: $email, password: $password}) { token errors { code } }
}
"""
BOOK = """
mutation Book($input: BookRoomInput!) {
  bookRoom(input: $input) { booking { id code } errors { code } }
}
"""
WATCH = """
subscription Watch($room: ID!) { bookingChanged(roomId: $room) { change bookingId } }
"""


@dataclass
class Served:
    """One `occupi serve` process, its address and its log file (stdout and stderr)."""

    name: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def base(self) -> str:
        return f"http://{self.host}"

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> None:
        """Terminate (uvicorn shuts down gracefully), then kill after STOP_SECONDS.
        Idempotent. The process leads a session of its own, so the kill takes uvicorn's
        worker processes with it."""
        if self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(STOP_SECONDS)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(STOP_SECONDS)


@dataclass(frozen=True)
class Deployment:
    """What the gateway processes share, and how to start one more of them."""

    tmp_path: Path
    database_url: str
    broker_url: str
    prefix: str
    password: str  # the demo users' password

    def environment(self, name: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("OCCUPI_")}
        env.update(
            OCCUPI_DATABASE_URL=self.database_url,
            OCCUPI_BROKER_URL=self.broker_url,
            OCCUPI_BROKER_PREFIX=self.prefix,
            OCCUPI_JWT_SECRET=JWT_SECRET,
            OCCUPI_DATA_DIR=str(self.tmp_path / name),
            OCCUPI_LOG_LEVEL="info",
        )
        return env

    @contextmanager
    def serving(self, name: str, *extra: str) -> Iterator[Served]:
        """`occupi serve` on a free port; stopped on the way out, whatever happens."""
        port = _free_port()
        log = self.tmp_path / f"{name}.log"
        with log.open("wb") as sink:
            process = subprocess.Popen(  # noqa: S603 - our own CLI, fixed arguments
                [str(OCCUPI), "serve", "--host", "127.0.0.1", "--port", str(port), *extra],
                env=self.environment(name),
                stdout=sink,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        served = Served(name, port, process, log)
        try:
            yield served
        finally:
            served.stop()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_until_up(*servers: Served) -> None:
    """Every server answers /healthz within STARTUP_SECONDS (they start in parallel)."""
    deadline = time.monotonic() + STARTUP_SECONDS
    waiting = list(servers)
    while waiting:
        served = waiting[0]
        if served.process.poll() is not None:
            raise AssertionError(f"{served.name} exited early:\n{served.output()}")
        try:
            if httpx.get(f"{served.base}/healthz", timeout=1).status_code == 200:
                waiting.pop(0)
                continue
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"{served.name} not up in {STARTUP_SECONDS} s:\n{served.output()}")
        time.sleep(0.2)


@pytest.fixture
def deployment(tmp_path: Path, database_url: str) -> Deployment:
    """A fresh migrated database with the demo data (seeded once, by the CLI)."""
    assert databases.BROKER_URL, "make test-pg sets OCCUPI_TEST_BROKER_URL"
    deployment = Deployment(
        tmp_path=tmp_path,
        database_url=database_url,
        broker_url=databases.BROKER_URL,
        prefix=f"occupi-e2e-{secrets.token_hex(6)}:",
        password="",
    )
    seeded = subprocess.run(  # noqa: S603 - our own CLI, fixed arguments
        [str(OCCUPI), "seed-demo"],
        env=deployment.environment("seeder"),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    password = re.search(r"users: .*password: (\S+)", seeded)
    assert password, seeded
    return replace(deployment, password=password.group(1))


@pytest.fixture
def pair(deployment: Deployment) -> Iterator[tuple[Served, Served]]:
    """Two gateway processes, started together; both stopped at the end."""
    with ExitStack() as stack:
        first = stack.enter_context(deployment.serving("first"))
        second = stack.enter_context(deployment.serving("second"))
        _wait_until_up(first, second)
        yield first, second


# --- talking to them -------------------------------------------------------------------


async def _post(http: httpx.AsyncClient, query: str, variables: JSON, token: str = "") -> JSON:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = await http.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )
    assert response.status_code == 200, response.text
    body: JSON = response.json()
    assert "errors" not in body, body
    data: JSON = body["data"]
    return data


def _client(served: Served) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=served.base, timeout=HTTP_SECONDS)


async def _login(served: Served, email: str, password: str) -> str:
    async with _client(served) as http:
        result = (await _post(http, LOGIN, {"email": email, "password": password}))["login"]
    assert result["errors"] == [], result
    token: str = result["token"]
    return token


def _day_ahead() -> datetime:
    """Midnight, site-local, of a working day three or more days ahead: clear of the
    demo bookings (the next working day) and never in the past."""
    zone = ZoneInfo(SITE_ZONE)
    day = (datetime.now(UTC).astimezone(zone) + timedelta(days=3)).date()
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime(day.year, day.month, day.day, tzinfo=zone)


def _booking(room: str, hour: int, attendees: Sequence[str] = ()) -> JSON:
    start = _day_ahead() + timedelta(hours=hour)
    return {
        "input": {
            "roomId": room,
            "start": start.isoformat(),
            "end": (start + timedelta(hours=1)).isoformat(),
            "attendees": list(attendees),
        }
    }


async def _book(http: httpx.AsyncClient, token: str, variables: JSON) -> JSON:
    payload: JSON = (await _post(http, BOOK, variables, token))["bookRoom"]
    return payload


async def _eventually(check: Callable[[], Awaitable[bool]], what: str) -> None:
    """Await `check()` every 0.1 s until it is true, at most WAIT_SECONDS."""
    deadline = time.monotonic() + WAIT_SECONDS
    while not await check():
        assert time.monotonic() < deadline, f"{what}: not within {WAIT_SECONDS} s"
        await asyncio.sleep(0.1)


async def _rows(database_url: str, statement: Any) -> list[Any]:
    engine = create_async_engine(database_url, poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            return list(await connection.execute(statement))
    finally:
        await engine.dispose()


# --- the tests -------------------------------------------------------------------------


async def test_a_subscriber_of_one_process_hears_a_booking_made_through_the_other(
    deployment: Deployment, pair: tuple[Served, Served]
) -> None:
    first, second = pair
    watcher = await _login(first, USERS[1], deployment.password)
    booker = await _login(second, USERS[0], deployment.password)
    channel = deployment.prefix + room_bookings_topic("RM001")
    redis = Redis.from_url(deployment.broker_url)
    try:
        async with graphql_socket(first.host, watcher) as ws:
            await send(
                ws,
                {
                    "id": "watch",
                    "type": "subscribe",
                    "payload": {"query": WATCH, "variables": {"room": "RM001"}},
                },
            )

            async def subscribed_upstream() -> bool:
                [(_, count)] = await redis.pubsub_numsub(channel)
                return int(count) >= 1

            # Once Redis counts the first process's SUBSCRIBE, a publish reaches it.
            await _eventually(subscribed_upstream, f"a subscription to {channel}")
            async with _client(second) as http:
                made = await _book(http, booker, _booking("RM001", 9))
            assert made["errors"] == [], made
            assert await receive(ws) == {
                "id": "watch",
                "type": "next",
                "payload": {
                    "data": {
                        "bookingChanged": {"change": "CREATED", "bookingId": made["booking"]["id"]}
                    }
                },
            }
    finally:
        await redis.aclose()


async def test_fifty_concurrent_bookings_of_one_slot_over_both_processes_make_one(
    deployment: Deployment, pair: tuple[Served, Served]
) -> None:
    tokens = [
        await _login(served, email, deployment.password)
        for served, email in zip(pair, USERS, strict=True)
    ]
    slot = _booking("RM201", 10)
    async with _client(pair[0]) as first, _client(pair[1]) as second:
        clients = (first, second)
        results = await asyncio.gather(
            *(_book(clients[i % 2], tokens[i % 2], slot) for i in range(50))
        )
    won = [r["booking"] for r in results if r["errors"] == []]
    refused = [(i % 2, r) for i, r in enumerate(results) if r["errors"] != []]
    assert len(won) == 1, results
    assert all(r == {"booking": None, "errors": [{"code": "SLOT_TAKEN"}]} for _, r in refused)
    assert {process for process, _ in refused} == {0, 1}  # both processes refused some
    start = datetime.fromisoformat(slot["input"]["start"])
    end = datetime.fromisoformat(slot["input"]["end"])
    active = await _rows(
        deployment.database_url,
        select(bookings.c.code)
        .join(rooms, rooms.c.location_id == bookings.c.room_id)
        .where(
            rooms.c.code == "RM201",
            bookings.c.status == "active",
            bookings.c.starts_at < end,
            bookings.c.ends_at > start,
        ),
    )
    assert [row.code for row in active] == [won[0]["code"]]


def _as_logged(row: Any) -> str:
    """A mail as gateway.mail.senders.ConsoleSender logs it."""
    recipients = row.recipients if isinstance(row.recipients, dict) else json.loads(row.recipients)
    to = ", ".join(recipients["to"]) or "-"
    bcc = ", ".join(recipients["bcc"]) or "-"
    return f"mail to={to} bcc={bcc} subject={row.subject!r}\n{row.body}"


async def test_the_relays_of_both_processes_send_each_mail_once(
    deployment: Deployment, pair: tuple[Served, Served]
) -> None:
    tokens = [
        await _login(served, email, deployment.password)
        for served, email in zip(pair, USERS, strict=True)
    ]
    async with _client(pair[0]) as first, _client(pair[1]) as second:
        clients = (first, second)
        # Made at once, so both relays wake together and race for the same outbox rows.
        made = await asyncio.gather(
            *(
                _book(
                    clients[i % 2],
                    tokens[i % 2],
                    _booking("RM101", 8 + i, [f"guest-{i}-{n}@example.org" for n in range(2)]),
                )
                for i in range(8)
            )
        )
    assert all(m["errors"] == [] for m in made), made
    codes = {m["booking"]["code"] for m in made}

    async def all_sent() -> bool:
        found = await _rows(deployment.database_url, select(outbox.c.body, outbox.c.sent_at))
        queued = {code for code in codes for row in found if f"Booking: {code}\n" in row.body}
        return queued == codes and all(row.sent_at is not None for row in found)

    await _eventually(all_sent, "every outbox row sent")
    # Stopped first: the logs are complete, and no late second send can hide.
    await asyncio.gather(*(asyncio.to_thread(served.stop) for served in pair))

    mails = await _rows(deployment.database_url, select(outbox).order_by(outbox.c.id))
    assert len(mails) >= 2 * len(codes)  # a confirmation and an invitation per booking
    assert [(m.id, m.attempts, m.last_error) for m in mails] == [(m.id, 1, None) for m in mails]
    logs = [served.output() for served in pair]
    for mail in mails:
        logged = _as_logged(mail)
        assert sum(log.count(logged) for log in logs) == 1, logged
    sent = [log.count("INFO occupi.mail: mail to=") for log in logs]
    assert sum(sent) == len(mails), sent


@pytest.fixture
def workers(deployment: Deployment) -> Iterator[Served]:
    """`occupi serve --workers 2`: one port, two uvicorn worker processes."""
    with deployment.serving("workers", "--workers", "2") as served:
        _wait_until_up(served)
        yield served


async def test_serve_with_two_workers_on_postgresql_and_redis(
    deployment: Deployment, workers: Served
) -> None:
    token = await _login(workers, USERS[0], deployment.password)
    async with _client(workers) as http:
        made = await _book(http, token, _booking("RM002", 11))
        assert made["errors"] == [], made
        mine = await _post(http, "{ myBookings { edges { node { code } } } }", {}, token)
        for _ in range(4):  # on either worker
            assert (await _post(http, "{ ping }", {}))["ping"]
    assert made["booking"]["code"] in [e["node"]["code"] for e in mine["myBookings"]["edges"]]
    await asyncio.to_thread(workers.stop)
    output = workers.output()
    assert "2 worker processes" in output
    assert len(set(re.findall(r"Started server process \[(\d+)\]", output))) == 2, output
