"""The suite's servers on a tiny dataset, over ASGI: the floor answers the nested read
with the same rooms, bookings and attendees as the gateway, plain Strawberry serves the
gateway's resolvers, and the statement counter counts what each one runs."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.types import ASGIApp

from bench import queries
from bench.baseline_floor import create_floor_app
from bench.baseline_plain import create_plain_app
from bench.bulk import BenchData, build
from bench.counting import STATEMENTS_PATH, StatementCounter, with_statements
from bench.scale import TINY
from bench.scenarios import Request, Tokens, problem, read_requests
from gateway.app import create_app
from gateway.settings import Settings

SECRET = "bench-test-secret-" * 3


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("bench")


@pytest.fixture(scope="module")
def data(work: Path) -> BenchData:
    return build(f"sqlite+aiosqlite:///{work / 'bench.db'}", TINY, now=datetime.now(UTC))


@pytest.fixture
def settings(work: Path, data: BenchData) -> Settings:
    return Settings(data_dir=work / "var", database_url=data.database_url, jwt_secret=SECRET)


def nested_request(data: BenchData) -> Request:
    now = datetime.now(UTC)
    return read_requests("nested", data, Tokens(SECRET, now, data), now)[0]


async def send(app: ASGIApp, request: Request) -> Any:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://bench"
    ) as client:
        headers = {"Authorization": f"Bearer {request.token}"} if request.token else {}
        if request.body:
            headers["Content-Type"] = "application/json"
        answer = await client.request(
            request.method, request.path, content=request.body or None, headers=headers
        )
        return answer.json()


def shape(answer: Any) -> list[tuple[str, list[tuple[str, list[str]]]]]:
    """Rooms by code, their bookings by code, the attendees' addresses and names."""
    return [
        (
            edge["node"]["code"],
            [
                (b["code"], [f"{a['email']} {a['user']['name']}" for a in b["attendees"]])
                for b in edge["node"]["bookings"]
            ],
        )
        for edge in answer["data"]["rooms"]["edges"]
    ]


async def test_the_floor_answers_the_nested_read_as_the_gateway_does(
    data: BenchData, settings: Settings
) -> None:
    gateway = create_app(settings)
    floor, engine = create_floor_app(data.database_url, SECRET)
    request = nested_request(data)
    try:
        from_gateway = await send(gateway, request)
        from_floor = await send(floor, request)
    finally:
        await gateway.state.gateway.db.dispose()
        await engine.dispose()
    assert problem("nested", from_gateway, data) is None
    assert problem("nested", from_floor, data) is None
    assert shape(from_floor) == shape(from_gateway)


async def test_plain_strawberry_serves_the_gateways_resolvers(
    data: BenchData, settings: Settings
) -> None:
    app, gateway = create_plain_app(settings)
    try:
        answer = await send(app, nested_request(data))
    finally:
        await gateway.db.dispose()
    assert problem("nested", answer, data) is None


async def test_the_counter_counts_the_statements_a_request_runs(data: BenchData) -> None:
    floor, engine = create_floor_app(data.database_url, SECRET)
    counted = with_statements(floor, StatementCounter(engine))
    statements = Request("GET", STATEMENTS_PATH, "", "")
    try:
        assert await send(counted, statements) == {"statements": 0}
        trivial = await send(
            counted, Request("POST", "/graphql", "", json.dumps({"query": queries.TRIVIAL}))
        )
        assert trivial == {"data": {"__typename": "Query"}}
        assert await send(counted, statements) == {"statements": 0}
        await send(counted, nested_request(data))
        after_nested = (await send(counted, statements))["statements"]
    finally:
        await engine.dispose()
    assert 3 <= after_nested <= 5  # rooms, bookings, attendees (and the transaction's BEGIN)
