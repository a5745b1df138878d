"""A query that runs longer than OCCUPI_GRAPHQL_TIMEOUT_MS is stopped with a TIMEOUT
error; the server serves others meanwhile and afterwards. Mutations are not cut off
half-way (their client could not know whether they happened)."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

import pytest

from gateway.app import Gateway
from gateway.settings import Settings
from tests.support.graphql import GraphQLClient
from tests.support.world import World

LIMIT_MS = 100


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return replace(settings, graphql_timeout_ms=LIMIT_MS)


class Stuck:
    """A use case that never returns until released; records that it was cancelled."""

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.cancelled = False

    async def __call__(self, *_args: Any) -> Any:
        try:
            await self.release.wait()
        except asyncio.CancelledError:
            self.cancelled = True
            raise


async def test_a_stuck_query_times_out_and_others_are_served(
    client: GraphQLClient,
    gateway: Gateway,
    world: World,
    tokens: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stuck = Stuck()
    monkeypatch.setattr(gateway.app.accounts, "me", stuck)
    slow = asyncio.ensure_future(client.run("{ me { email } }", token=tokens["alice"]))
    served = await client.data("{ rooms(first: 5) { totalCount } }", token=tokens["bob"])
    assert served["rooms"]["totalCount"] == len(world.rooms)
    body = await slow
    assert body["data"] is None
    (error,) = body["errors"]
    assert error["extensions"] == {"code": "TIMEOUT", "limit": LIMIT_MS}
    assert error["message"] == f"The operation did not finish within {LIMIT_MS} ms and was stopped"
    assert stuck.cancelled

    monkeypatch.undo()
    again = await client.data("{ me { email } }", token=tokens["alice"])
    assert again == {"me": {"email": world.alice.email}}


async def test_a_slow_mutation_is_not_cut_off(
    client: GraphQLClient, gateway: Gateway, tokens: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    original = gateway.app.accounts.logout_everywhere
    finished: list[bool] = []

    async def slow(*args: Any) -> None:
        await asyncio.sleep(3 * LIMIT_MS / 1000)
        await original(*args)
        finished.append(True)

    monkeypatch.setattr(gateway.app.accounts, "logout_everywhere", slow)
    data = await client.data("mutation { logoutEverywhere { ok } }", token=tokens["alice"])
    assert data == {"logoutEverywhere": {"ok": True}}
    assert finished == [True]


async def test_a_quick_query_is_untouched(
    client: GraphQLClient, world: World, tokens: dict[str, str]
) -> None:
    data = await client.data("{ me { email } ping }", token=tokens["alice"])
    assert data["me"] == {"email": world.alice.email}
