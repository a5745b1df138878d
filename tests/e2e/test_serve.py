"""The CLI as a user runs it: migrate, seed the demo, serve, then a client round trip."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest

from gateway.seed import SITE_ZONE

BOOK = """
mutation Book($input: BookRoomInput!) {
  bookRoom(input: $input) { booking { id code start end room { code } } errors { code message } }
}
"""


def _occupi(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own CLI, fixed arguments
        [sys.executable, "-m", "gateway.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def environment(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OCCUPI_")}
    env["OCCUPI_DATA_DIR"] = str(tmp_path / "var")
    return env


@pytest.fixture
def server(environment: dict[str, str]) -> Iterator[tuple[str, str]]:
    """A served gateway with the demo data; yields (base URL, the users' password)."""
    _occupi(environment, "migrate")
    seeded = _occupi(environment, "seed-demo", "--if-empty").stdout
    password = re.search(r"users: .*password: (\S+)", seeded)
    assert password, seeded
    port = _free_port()
    process = subprocess.Popen(  # noqa: S603 - our own CLI, fixed arguments
        [sys.executable, "-m", "gateway.cli", "serve", "--port", str(port)],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, process)
        yield base, password.group(1)
    finally:
        process.terminate()
        process.wait(timeout=20)


def _wait_until_up(base: str, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read() if process.stdout else ""
            raise AssertionError(f"server exited early:\n{output}")
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError("server did not come up in 30 s")


def _next_working_day_at(hour: int) -> datetime:
    zone = ZoneInfo(SITE_ZONE)
    day = (datetime.now(UTC).astimezone(zone) + timedelta(days=2)).date()
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime(day.year, day.month, day.day, hour, tzinfo=zone)


def test_login_book_and_list_against_a_served_gateway(server: tuple[str, str]) -> None:
    base, password = server
    with httpx.Client(base_url=base, timeout=10) as http:
        login = http.post(
            "/graphql",
            json={
                "query": "mutation($e: String!, $p: String!) "
                "{ login(input: {email: $e, password: $p}) { token errors { code } } }",
                "variables": {"e": "alice@occupi.example", "p": password},
            },
        ).json()["data"]["login"]
        assert login["errors"] == []
        auth = {"Authorization": f"Bearer {login['token']}"}
        start = _next_working_day_at(15)
        booking = http.post(
            "/graphql",
            headers=auth,
            json={
                "query": BOOK,
                "variables": {
                    "input": {
                        "roomId": "RM002",
                        "start": start.isoformat(),
                        "end": (start + timedelta(hours=1)).isoformat(),
                    }
                },
            },
        ).json()["data"]["bookRoom"]
        assert booking["errors"] == []
        assert booking["booking"]["room"] == {"code": "RM002"}
        mine = http.post(
            "/graphql",
            headers=auth,
            json={"query": "{ myBookings { edges { node { id code } } } }"},
        ).json()["data"]["myBookings"]
        made = {"id": booking["booking"]["id"], "code": booking["booking"]["code"]}
        assert made in [e["node"] for e in mine["edges"]]
        found = http.post(
            "/graphql",
            headers=auth,
            json={
                "query": "query($id: ID!) { node(id: $id) { ... on Booking { code } } }",
                "variables": {"id": made["id"]},
            },
        ).json()["data"]["node"]
        assert found == {"code": made["code"]}
        assert http.get("/graphql", headers={"Accept": "text/html"}).status_code == 200


def test_seeding_twice_keeps_the_first_data(environment: dict[str, str]) -> None:
    _occupi(environment, "migrate")
    first = _occupi(environment, "seed-demo", "--if-empty").stdout
    again = _occupi(environment, "seed-demo", "--if-empty").stdout
    assert "admin: admin@occupi.example" in first
    assert "demo data already present" in again
    kept = Path(environment["OCCUPI_DATA_DIR"]) / "demo-credentials.txt"
    assert kept.read_text() == first
    assert kept.stat().st_mode & 0o777 == 0o600
