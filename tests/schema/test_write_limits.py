"""Write rate limits through the real app: mutations, REST writes and ingest spend tokens
of per-account, per-address and per-API-token buckets; a refusal is RATE_LIMITED with the
wait (GraphQL `retryAfter`, HTTP 429 + `Retry-After`), reads go on, and other callers are
served. (The sign-in throttle's wait: tests/schema/test_login_throttle.py.)"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta

import httpx
import pytest
from starlette.applications import Starlette

from gateway.settings import Settings
from tests.rest_compat.test_occupi_bookings import booking
from tests.schema.test_ingest_http import INGEST, zone
from tests.schema.test_ingest_http import post as ingest
from tests.schema.test_ingest_http import token as api_token
from tests.support.bookings import local
from tests.support.clock import MutableClock
from tests.support.graphql import JSON, GraphQLClient
from tests.support.world import World

ACCOUNT_LIMIT = 3
ADDRESS_LIMIT = 5
INGEST_LIMIT = 2
BOOK = """
mutation Book($input: BookRoomInput!) {
  bookRoom(input: $input) { booking { code } errors { code message field retryAfter } }
}
"""
MINE = "{ myBookings { totalCount } }"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return replace(
        settings,
        rate_writes_per_minute=ACCOUNT_LIMIT,
        rate_address_writes_per_minute=ADDRESS_LIMIT,
        rate_ingest_per_minute=INGEST_LIMIT,
    )


@pytest.fixture
async def elsewhere(app: Starlette) -> AsyncIterator[GraphQLClient]:
    """A client from another network address than `client`'s."""
    transport = httpx.ASGITransport(app=app, client=("198.51.100.7", 4321))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield GraphQLClient(http)


def slot(hour: int, room: str = "RM000") -> JSON:
    start = local(f"{hour:02d}:00")
    return {
        "input": {
            "roomId": room,
            "start": start.isoformat(),
            "end": (start + timedelta(hours=1)).isoformat(),
        }
    }


async def book(client: GraphQLClient, token: str, hour: int, room: str = "RM000") -> JSON:
    payload: JSON = (await client.data(BOOK, slot(hour, room), token=token))["bookRoom"]
    return payload


async def test_an_account_past_its_writes_a_minute_waits_and_others_are_served(
    client: GraphQLClient, elsewhere: GraphQLClient, tokens: dict[str, str], clock: MutableClock
) -> None:
    made = [await book(elsewhere, tokens["alice"], 8 + n) for n in range(ACCOUNT_LIMIT)]
    refused = await client.post(BOOK, slot(12), token=tokens["alice"])
    reads = await client.data(MINE, token=tokens["alice"])
    bobs = await book(client, tokens["bob"], 12, room="RM001")
    clock.advance(timedelta(seconds=20))  # one token back: 3 a minute is one per 20 s
    again = await book(client, tokens["alice"], 12)

    assert [m["errors"] for m in made] == [[]] * ACCOUNT_LIMIT
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "20"
    body = refused.json()
    assert body["data"] is None
    [error] = body["errors"]
    assert error["message"] == (
        "too many changes from this account (at most 3 a minute); try again in 20 seconds"
    )
    assert error["extensions"] == {"code": "RATE_LIMITED", "retryAfter": 20}
    assert reads["myBookings"]["totalCount"] == ACCOUNT_LIMIT, "reads are not limited"
    assert bobs["errors"] == [], "another account is served"
    assert again["errors"] == []


async def test_one_address_past_its_writes_a_minute_waits_and_other_addresses_are_served(
    client: GraphQLClient, elsewhere: GraphQLClient, tokens: dict[str, str]
) -> None:
    people = ["alice", "alice", "bob", "bob", "carol"]  # each within their own limit
    made = [await book(client, tokens[who], 8 + n) for n, who in enumerate(people)]
    refused = await client.post(BOOK, slot(14), token=tokens["carol"])
    served = await book(elsewhere, tokens["carol"], 14)

    assert [m["errors"] for m in made] == [[]] * ADDRESS_LIMIT
    assert refused.status_code == 429
    [error] = refused.json()["errors"]
    assert error["extensions"]["code"] == "RATE_LIMITED"
    assert error["message"].startswith("too many changes from this address (at most 5 a minute)")
    assert served["errors"] == []


async def test_rest_writes_share_the_account_bucket_and_answer_retry_after(
    client: GraphQLClient, tokens: dict[str, str]
) -> None:
    for n in range(ACCOUNT_LIMIT):
        assert (await book(client, tokens["alice"], 8 + n))["errors"] == []
    refused = await client.http.post(
        "/api/book-room", json=booking(), headers={"Authorization": f"Bearer {tokens['alice']}"}
    )

    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "20"
    assert refused.json()["error"]["code"] == "TOO_MANY_REQUESTS"


async def test_graphql_ingest_spends_the_tokens_ingest_bucket(
    client: GraphQLClient, elsewhere: GraphQLClient, world: World, tokens: dict[str, str]
) -> None:
    sensor = await api_token(client, tokens["admin"], "INGEST", world.floor_id)
    variables: JSON = {"input": {"readings": []}}
    sent = [await elsewhere.post(INGEST, variables, token=sensor) for _ in range(INGEST_LIMIT)]
    refused = await elsewhere.post(INGEST, variables, token=sensor)

    assert [r.status_code for r in sent] == [200] * INGEST_LIMIT
    assert refused.status_code == 429
    [error] = refused.json()["errors"]
    assert error["message"].startswith("too many changes from this API token (at most 2 a minute)")


async def test_an_ingest_token_past_its_requests_a_minute_gets_429_and_others_go_on(
    client: GraphQLClient, world: World, tokens: dict[str, str], clock: MutableClock
) -> None:
    lobby = await zone(world)
    sensor = await api_token(client, tokens["admin"], "INGEST", world.floor_id)
    other = await api_token(client, tokens["admin"], "INGEST", world.floor_id)
    reading = f'[{{"locationId": {lobby}, "time": "{clock.now().isoformat()}", "count": 3}}]'

    sent = [(await ingest(client, reading, sensor)).status_code for _ in range(INGEST_LIMIT)]
    refused = await ingest(client, reading, sensor)
    served = await ingest(client, reading, other)

    assert sent == [200] * INGEST_LIMIT
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "30"
    assert refused.json()["error"]["code"] == "RATE_LIMITED"
    assert served.status_code == 200
