"""A sensor gateway, black box: a token from the CLI, readings over POST /ingest/readings,
the count from /v1/locations/:id/now, and the same count on a liveOccupancy subscription,
against `occupi serve` in its own process with the demo data."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from datetime import UTC, datetime

import httpx
from websockets.asyncio.client import connect
from websockets.typing import Subprotocol

from tests.e2e.test_serve import environment, server  # noqa: F401  (fixtures)

LIVE = "subscription L($id: ID!) { liveOccupancy(locationId: $id) { number count } }"


def _token(env: dict[str, str]) -> str:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "gateway.cli",
            "api-token",
            "create",
            "--name",
            "gateway",
            "--scope",
            "read,ingest",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout.splitlines()[-1]


async def _live_counts(base: str, token: str, location: int, wanted: int) -> list[int]:
    url = base.replace("http://", "ws://") + "/graphql"
    async with connect(url, subprotocols=[Subprotocol("graphql-transport-ws")]) as ws:
        init = {"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}
        await ws.send(json.dumps(init))
        assert json.loads(await asyncio.wait_for(ws.recv(), 10))["type"] == "connection_ack"
        payload = {"query": LIVE, "variables": {"id": str(location)}}
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
        counts: list[int] = []
        while len(counts) < wanted:
            message = json.loads(await asyncio.wait_for(ws.recv(), 10))
            assert message["type"] == "next", message
            counts.append(message["payload"]["data"]["liveOccupancy"]["count"])
            if len(counts) == 1:
                await asyncio.to_thread(_ingest, base, token, location, 23)
        return counts


def _ingest(base: str, token: str, location: int, count: int) -> None:
    reading = {"locationId": location, "time": datetime.now(UTC).isoformat(), "count": count}
    answer = httpx.post(
        f"{base}/ingest/readings",
        content=json.dumps(reading) + "\n",  # JSON lines, as a gateway streams them
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/x-ndjson"},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"accepted": 1, "duplicates": 0, "rejected": []}


def test_cli_token_ingest_now_and_live_agree(
    environment: dict[str, str],  # noqa: F811
    server: tuple[str, str],  # noqa: F811
) -> None:
    base, _password = server
    token = _token(environment)
    assert token.startswith("occ_")
    auth = {"Authorization": f"Bearer {token}"}
    tree = httpx.get(f"{base}/v1/locations", headers=auth, timeout=10).json()["data"]
    parents = {node["parentID"] for node in tree}
    leaf = next(node["id"] for node in tree if node["id"] not in parents)
    _ingest(base, token, leaf, 17)
    now = httpx.get(f"{base}/v1/locations/{leaf}/now", headers=auth, timeout=10).json()
    assert now["message"] == "OK"
    assert (now["data"]["count"], now["data"]["isActive"]) == (17, True)
    assert asyncio.run(_live_counts(base, token, leaf, 2)) == [17, 23]
