"""graphql-http's 61 server audits (the npm package, pinned in package-lock.json) against
the real app served by uvicorn; every one must pass, the failing ones are listed."""

from __future__ import annotations

import asyncio
import json
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from starlette.applications import Starlette

from tests.schema.test_subscriptions import serving
from tests.support.world import World

HERE = Path(__file__).parent
AUDITS = 61


@pytest.fixture
async def host(app: Starlette, world: World) -> AsyncIterator[str]:
    async with serving(app) as where:
        yield where


async def test_every_graphql_http_audit_passes(host: str) -> None:
    node = shutil.which("node")
    assert node, "the graphql-http audits need node on the PATH"
    assert (HERE / "node_modules" / "graphql-http").is_dir(), (
        "run `npm ci --prefix tests/conformance` (make test does)"
    )
    process = await asyncio.create_subprocess_exec(
        node,
        str(HERE / "audits.mjs"),
        f"http://{host}/graphql",
        cwd=HERE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, err.decode()
    results = [json.loads(line) for line in out.decode().splitlines() if line.strip()]
    failing = [
        f"{r['id']} {r['name']}: {r['status']} ({r['reason']})"
        for r in results
        if r["status"] != "ok"
    ]
    assert failing == [], "\n".join(failing)
    assert len(results) == AUDITS
