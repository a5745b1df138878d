"""`kill -9` of the served gateway in the middle of a write load loses no acknowledged
booking: after a restart on the same SQLite file every booking a client was told about is
there, the file is intact and still in WAL mode, and the gateway serves again."""

from __future__ import annotations

import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest

from gateway.seed import ADMIN_EMAIL, SITE_ZONE

CLIENTS = (  # (email, the room only this client books: slots never collide)
    (ADMIN_EMAIL, "RM001"),
    ("alice@occupi.example", "RM002"),
    ("bongani@occupi.example", "RM101"),
    ("chen@occupi.example", "RM102"),
)
ACKNOWLEDGED_BEFORE_KILL = 24
BOOK = """
mutation Book($input: BookRoomInput!) {
  bookRoom(input: $input) { booking { code } errors { code message } }
}
"""
LOGIN = (
    "mutation($e: String!, $p: String!) "
    "{ login(input: {email: $e, password: $p}) { token errors { code } } }"
)


def _occupi(env: dict[str, str], *args: str) -> str:
    return subprocess.run(  # noqa: S603 - our own CLI, fixed arguments
        [sys.executable, "-m", "gateway.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Served:
    """One `occupi serve` process on the environment's data directory."""

    def __init__(self, env: dict[str, str]) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(  # noqa: S603 - our own CLI, fixed arguments
            [sys.executable, "-m", "gateway.cli", "serve", "--port", str(self.port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert self.process.poll() is None, "the server exited early"
            try:
                if httpx.get(f"{self.base}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.2)
        raise AssertionError("the server did not come up in 30 s")

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)


@pytest.fixture
def environment(tmp_path: Path) -> tuple[dict[str, str], str]:
    """A migrated, seeded data directory; yields (environment, the users' password)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OCCUPI_")}
    env["OCCUPI_DATA_DIR"] = str(tmp_path / "var")
    # This test is about durability: the write limits would only make the load lighter.
    env["OCCUPI_RATE_WRITES_PER_MINUTE"] = "0"
    env["OCCUPI_RATE_ADDRESS_WRITES_PER_MINUTE"] = "0"
    _occupi(env, "migrate")
    seeded = _occupi(env, "seed-demo", "--if-empty")
    users = re.search(r"users: .*password: (\S+)", seeded)
    admin = re.search(r"admin: .*password: (\S+)", seeded)
    assert users, seeded
    assert admin, seeded
    env["CRASH_ADMIN_PASSWORD"] = admin.group(1)
    return env, users.group(1)


def _slots(first: date) -> Iterator[datetime]:
    """One-hour slots in the bookable hours of the working days from `first` on."""
    zone = ZoneInfo(SITE_ZONE)
    day = first
    while True:
        if day.weekday() < 5:
            for hour in range(8, 17):
                yield datetime(day.year, day.month, day.day, hour, tzinfo=zone)
        day += timedelta(days=1)


class Load:
    """Clients booking their own room slot after slot until the server goes away; each
    keeps the codes of the bookings the server acknowledged."""

    def __init__(self, base: str, tokens: dict[str, str]) -> None:
        self.acknowledged: list[tuple[str, str]] = []  # (email, booking code)
        self.refused: list[object] = []
        self._lock = threading.Lock()
        self._first = (datetime.now(UTC) + timedelta(days=2)).date()
        self._threads = [
            threading.Thread(
                target=self._book, args=(base, email, tokens[email], room), daemon=True
            )
            for email, room in CLIENTS
        ]

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def join(self) -> None:
        for thread in self._threads:
            thread.join(timeout=30)
            assert not thread.is_alive(), "a client hung after the server died"

    def count(self) -> int:
        with self._lock:
            return len(self.acknowledged)

    def _book(self, base: str, email: str, token: str, room: str) -> None:
        with httpx.Client(base_url=base, timeout=20) as http:
            for start in _slots(self._first):
                variables = {
                    "input": {
                        "roomId": room,
                        "start": start.isoformat(),
                        "end": (start + timedelta(hours=1)).isoformat(),
                    }
                }
                try:
                    answer = http.post(
                        "/graphql",
                        json={"query": BOOK, "variables": variables},
                        headers={"Authorization": f"Bearer {token}"},
                    )
                    payload = answer.json()["data"]["bookRoom"]
                except (httpx.TransportError, ValueError):
                    return  # the server is gone (or died mid-answer): nothing acknowledged
                with self._lock:
                    if payload["errors"]:
                        self.refused.append(payload["errors"])
                    else:
                        self.acknowledged.append((email, payload["booking"]["code"]))


def _login(base: str, email: str, password: str) -> str:
    answer = httpx.post(
        f"{base}/graphql",
        json={"query": LOGIN, "variables": {"e": email, "p": password}},
        timeout=30,
    ).json()["data"]["login"]
    assert answer["errors"] == [], answer
    token: str = answer["token"]
    return token


def _unclaimed_mail_is_sent(database: Path) -> bool:
    """Whether, within 20 s, no queued mail is left unsent that no relay holds a lease on
    (a lease of the killed process runs out in minutes; tests/services/test_mail_relay.py
    shows such a mail is sent then)."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with closing(sqlite3.connect(database)) as raw:
            (waiting,) = raw.execute(
                "SELECT count(*) FROM outbox WHERE sent_at IS NULL AND locked_until IS NULL"
            ).fetchone()
        if waiting == 0:
            return True
        time.sleep(0.2)
    return False


def test_acknowledged_bookings_survive_kill_9(
    environment: tuple[dict[str, str], str], tmp_path: Path
) -> None:
    env, password = environment
    served = Served(env)
    try:
        tokens = {
            email: _login(
                served.base,
                email,
                env["CRASH_ADMIN_PASSWORD"] if email == ADMIN_EMAIL else password,
            )
            for email, _room in CLIENTS
        }
        load = Load(served.base, tokens)
        load.start()
        deadline = time.monotonic() + 60
        while load.count() < ACKNOWLEDGED_BEFORE_KILL and time.monotonic() < deadline:
            time.sleep(0.05)
        served.kill()  # SIGKILL while the clients keep writing
        load.join()
    finally:
        served.stop()

    assert load.refused == []
    assert len(load.acknowledged) >= ACKNOWLEDGED_BEFORE_KILL
    restarted = Served(env)
    try:
        database = tmp_path / "var" / "occupi.db"
        with closing(sqlite3.connect(database)) as raw:
            stored = {code for (code,) in raw.execute("SELECT code FROM bookings")}
            integrity = raw.execute("PRAGMA integrity_check").fetchall()
            journal = raw.execute("PRAGMA journal_mode").fetchone()
        assert {code for _email, code in load.acknowledged} <= stored
        assert integrity == [("ok",)]
        assert journal == ("wal",)
        mine = httpx.post(
            f"{restarted.base}/graphql",
            json={"query": "{ myBookings { totalCount } }"},
            headers={"Authorization": f"Bearer {tokens['alice@occupi.example']}"},
            timeout=10,
        ).json()["data"]["myBookings"]
        assert _unclaimed_mail_is_sent(database), "the restarted relay sends what was queued"
        alices = [code for email, code in load.acknowledged if email == "alice@occupi.example"]
        assert mine["totalCount"] >= len(alices)
    finally:
        restarted.stop()
