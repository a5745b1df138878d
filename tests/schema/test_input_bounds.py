"""Issue 11, input validation, through the real app: each probe finding now gets a precise
INVALID_INPUT (or UNAUTHENTICATED) error naming the field, never INTERNAL and never a 500,
nothing reaches storage or mail, and the server keeps answering everybody else."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
from typing import Any

import pytest

from gateway.app import Gateway
from tests.support.clock import MutableClock
from tests.support.graphql import JSON, GraphQLClient
from tests.support.mail import RecordingSender
from tests.support.tokens import claims_for, sign
from tests.support.world import World

ROOMS = "query R($s: String) { rooms(filter: {search: $s}) { totalCount } }"
USERS = "query U($s: String) { users(filter: {search: $s}) { totalCount } }"
ROOM = "query R($id: ID!) { room(id: $id) { name } }"
LOCATION = "query L($id: ID!) { location(id: $id) { name } }"
NODE = "query N($id: ID!) { node(id: $id) { id } }"
SLOTS = 'query S($d: Date!) { availableSlots(roomId: "RM000", date: $d) { start } }'
SOONEST = "query S($t: DateTime!) { soonestBookings(after: $t) { __typename } }"
BOOK = """
mutation Book($input: BookRoomInput!) {
  bookRoom(input: $input) { booking { id title } errors { code field message } }
}
"""
ADD_SITE = """
mutation Site($input: AddLocationInput!) {
  addLocation(input: $input) { location { id timeZone } errors { code field message } }
}
"""
ADD_ROOM = """
mutation Room($input: AddRoomInput!) {
  addRoom(input: $input) { room { id description } errors { code field message } }
}
"""
COUNT_BOOKINGS = "{ bookings(filter: {statuses: [ACTIVE]}) { totalCount } }"
# Monday 2026-11-30, 10:00-11:00 in the world's zone (UTC+2), inside bookable hours.
START, END = "2026-11-30T10:00:00+02:00", "2026-11-30T11:00:00+02:00"


def booking(**changes: Any) -> JSON:
    return {"input": {"roomId": "RM000", "start": START, "end": END, **changes}}


def only_error(body: JSON) -> JSON:
    """The response's one top-level error: its message and extensions."""
    assert body["data"] is None, body
    [error] = body["errors"]
    return {"message": error["message"], **error.get("extensions", {})}


def refusal(message: str, field: str | None) -> JSON:
    found = {"message": message, "code": "INVALID_INPUT"}
    return {**found, "field": field} if field else found


@pytest.fixture(autouse=True)
def no_tracebacks(caplog: pytest.LogCaptureFixture) -> Any:
    """Every refusal here is expected: none may log an unexpected error."""
    with caplog.at_level(logging.ERROR):
        yield
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


# --- length caps -----------------------------------------------------------------------


@pytest.mark.parametrize("query", [ROOMS, USERS], ids=["rooms", "users"])
async def test_a_search_of_50001_characters_is_refused_at_the_edge(
    client: GraphQLClient, tokens: dict[str, str], query: str
) -> None:
    body = await client.run(query, {"s": "a" * 50_001}, token=tokens["admin"])
    assert only_error(body) == refusal("$s must be at most 10000 characters", "search")


@pytest.mark.parametrize("query", [ROOMS, USERS], ids=["rooms", "users"])
async def test_a_search_longer_than_its_own_cap_is_refused_by_the_use_case(
    client: GraphQLClient, tokens: dict[str, str], query: str
) -> None:
    body = await client.run(query, {"s": "a" * 5_000}, token=tokens["admin"])
    assert only_error(body) == refusal("search must be at most 254 characters", "search")


async def test_a_search_at_its_cap_is_served(client: GraphQLClient, tokens: dict[str, str]) -> None:
    data = await client.data(ROOMS, {"s": "R" * 254}, token=tokens["alice"])
    assert data["rooms"]["totalCount"] == 0


async def test_a_list_over_the_cap_is_refused_whole(
    client: GraphQLClient, tokens: dict[str, str]
) -> None:
    attendees = [f"p{n}@example.com" for n in range(10_001)]
    body = await client.run(BOOK, booking(attendees=attendees), token=tokens["alice"])
    assert only_error(body) == refusal(
        "$input.attendees must have at most 10000 items", "attendees"
    )


async def test_a_literal_string_in_the_document_is_capped_too(
    client: GraphQLClient, tokens: dict[str, str]
) -> None:
    query = '{ rooms(filter: {search: "%s"}) { totalCount } }' % ("a" * 10_001)
    response = await client.http.post(
        "/graphql", json={"query": query}, headers={"Authorization": f"Bearer {tokens['alice']}"}
    )
    assert response.status_code == 200
    assert only_error(response.json()) == refusal(
        "search must be at most 10000 characters", "search"
    )


# --- lone surrogates and control characters -------------------------------------------


def raw_post(client: GraphQLClient, query: str, variables: JSON, token: str) -> Any:
    """Posted as JSON text with \\u escapes, as a hostile client writes it."""
    return client.http.post(
        "/graphql",
        content=json.dumps({"query": query, "variables": variables}),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )


@pytest.mark.parametrize(
    ("query", "variables", "message", "field"),
    [
        pytest.param(
            BOOK,
            booking(title="\ud800"),
            "$input.title contains a lone surrogate (U+D800)",
            "title",
            id="title",
        ),
        pytest.param(
            ROOM, {"id": "RM\ud800"}, "$id contains a lone surrogate (U+D800)", "id", id="room-id"
        ),
        pytest.param(
            NODE, {"id": "\udfff"}, "$id contains a lone surrogate (U+DFFF)", "id", id="node-id"
        ),
        pytest.param(
            ROOMS, {"s": "x\ud800"}, "$s contains a lone surrogate (U+D800)", "search", id="search"
        ),
        pytest.param(
            BOOK,
            booking(title="a\u0000b"),
            "$input.title contains a control character (U+0000)",
            "title",
            id="nul-in-title",
        ),
    ],
)
async def test_lone_surrogates_and_nul_are_refused_before_anything_runs(
    client: GraphQLClient,
    world: World,
    tokens: dict[str, str],
    query: str,
    variables: JSON,
    message: str,
    field: str,
) -> None:
    response = await raw_post(client, query, variables, tokens["admin"])
    assert response.status_code == 200
    assert only_error(response.json()) == refusal(message, field)
    # Nothing was stored.
    count = await client.data(COUNT_BOOKINGS, token=tokens["admin"])
    assert count["bookings"]["totalCount"] == 0


async def test_a_surrogate_escape_in_the_document_is_a_syntax_error_not_internal(
    client: GraphQLClient, tokens: dict[str, str]
) -> None:
    query = '{ rooms(filter: {search: "\\ud800"}) { totalCount } }'
    response = await client.http.post(
        "/graphql", json={"query": query}, headers={"Authorization": f"Bearer {tokens['alice']}"}
    )
    assert response.status_code in {200, 400}
    [error] = response.json()["errors"]
    assert "Invalid Unicode escape" in error["message"]


async def test_a_title_keeps_ordinary_unicode_and_refuses_a_newline(
    client: GraphQLClient, world: World, tokens: dict[str, str]
) -> None:
    data = await client.data(BOOK, booking(title="Zoë's 会议 🙂"), token=tokens["alice"])
    assert data["bookRoom"]["booking"]["title"] == "Zoë's 会议 🙂"
    later = booking(
        title="two\nlines", start="2026-11-30T12:00:00+02:00", end="2026-11-30T13:00:00+02:00"
    )
    data = await client.data(BOOK, later, token=tokens["alice"])
    assert data["bookRoom"]["errors"] == [
        {
            "code": "INVALID_INPUT",
            "field": "title",
            "message": "title contains a control character (U+000A)",
        }
    ]


async def test_a_room_description_keeps_its_lines_but_no_other_control(
    client: GraphQLClient, world: World, tokens: dict[str, str]
) -> None:
    floor = base64.b64encode(f"Location:{world.floor_id}".encode()).decode()
    room = {"floorId": floor, "code": "RM900", "name": "Nine", "description": "Two\nlines"}
    data = await client.data(ADD_ROOM, {"input": room}, token=tokens["admin"])
    assert data["addRoom"]["room"]["description"] == "Two\nlines"
    bad = {**room, "code": "RM901", "description": "bell\x07"}
    body = await client.run(ADD_ROOM, {"input": bad}, token=tokens["admin"])
    assert only_error(body) == refusal(
        "$input.description contains a control character (U+0007)", "description"
    )


# --- times ------------------------------------------------------------------------------


async def test_a_booking_ending_at_the_last_microsecond_of_9999_is_refused_as_parsed(
    client: GraphQLClient,
    gateway: Gateway,
    world: World,
    tokens: dict[str, str],
    mail: RecordingSender,
) -> None:
    variables = booking(start="9999-12-31T10:00:00Z", end="9999-12-31T23:59:59.999999Z")
    body = await client.run(BOOK, variables, token=tokens["alice"])
    assert body["data"] is None
    assert [e["extensions"] for e in body["errors"]] == [
        {"code": "INVALID_INPUT", "field": "start"},
        {"code": "INVALID_INPUT", "field": "end"},
    ]
    assert "between 1970 and 2100 (UTC)" in body["errors"][1]["message"]
    assert await gateway.relay.drain() == 0
    assert mail.sent == []


async def test_a_booking_beyond_the_horizon_is_refused_and_not_mailed(
    client: GraphQLClient,
    gateway: Gateway,
    world: World,
    tokens: dict[str, str],
    mail: RecordingSender,
) -> None:
    # 2027-12-06 is a Monday, 378 days after the clock's 2026-11-23.
    far = booking(
        start="2027-12-06T10:00:00+02:00",
        end="2027-12-06T11:00:00+02:00",
        attendees=["bob@example.com"],
    )
    data = await client.data(BOOK, far, token=tokens["alice"])
    assert data["bookRoom"] == {
        "booking": None,
        "errors": [
            {
                "code": "INVALID_INPUT",
                "field": "end",
                "message": "a booking must end within 366 days from now",
            }
        ],
    }
    assert await gateway.relay.drain() == 0
    assert mail.sent == []


async def test_a_booking_within_the_horizon_is_accepted(
    client: GraphQLClient, world: World, tokens: dict[str, str], clock: MutableClock
) -> None:
    # 2027-11-22 is a Monday, 364 days ahead.
    near = booking(start="2027-11-22T10:00:00+02:00", end="2027-11-22T11:00:00+02:00")
    data = await client.data(BOOK, near, token=tokens["alice"])
    assert data["bookRoom"]["errors"] == []


@pytest.mark.parametrize(
    ("query", "variables", "field"),
    [
        pytest.param(SLOTS, {"d": "9999-12-31"}, "date", id="slots-day-9999"),
        pytest.param(SLOTS, {"d": "0001-01-01"}, "date", id="slots-day-1"),
        pytest.param(SOONEST, {"t": "9999-12-31T23:59:59.999999Z"}, "after", id="soonest-9999"),
        pytest.param(SOONEST, {"t": "0001-01-01T00:00:00+01:00"}, "after", id="soonest-year-0"),
        pytest.param(
            "query B($t: DateTime) { bookings(filter: {endsAfter: $t}) { totalCount } }",
            {"t": "2101-01-01T00:00:00Z"},
            "endsAfter",
            id="filter-2101",
        ),
    ],
)
async def test_every_date_and_time_input_is_bounded(
    client: GraphQLClient,
    world: World,
    tokens: dict[str, str],
    query: str,
    variables: JSON,
    field: str,
) -> None:
    body = await client.run(query, variables, token=tokens["alice"])
    error = only_error(body)
    assert (error["code"], error["field"]) == ("INVALID_INPUT", field)
    assert "must be between" in error["message"]


async def test_a_day_in_the_bounds_is_served(
    client: GraphQLClient, world: World, tokens: dict[str, str]
) -> None:
    data = await client.data(SLOTS, {"d": "2100-12-31"}, token=tokens["alice"])
    assert len(data["availableSlots"]) == 1


# --- time zones ---------------------------------------------------------------------------


@pytest.mark.parametrize("zone", ["localtime", "Factory", "posixrules", "right/UTC", "US/Eastern"])
async def test_add_location_accepts_only_canonical_zones(
    client: GraphQLClient, world: World, tokens: dict[str, str], zone: str
) -> None:
    site = {"kind": "SITE", "name": "Elsewhere", "timeZone": zone}
    data = await client.data(ADD_SITE, {"input": site}, token=tokens["admin"])
    assert data["addLocation"] == {
        "location": None,
        "errors": [
            {
                "code": "INVALID_INPUT",
                "field": "timeZone",
                "message": f"{zone!r} is not a canonical IANA time zone name "
                "(such as Europe/London or UTC)",
            }
        ],
    }


@pytest.mark.parametrize("zone", ["UTC", "Etc/UTC", "Europe/Kyiv"])
async def test_canonical_zones_are_added(
    client: GraphQLClient, world: World, tokens: dict[str, str], zone: str
) -> None:
    site = {"kind": "SITE", "name": "Elsewhere", "timeZone": zone}
    data = await client.data(ADD_SITE, {"input": site}, token=tokens["admin"])
    assert data["addLocation"]["location"]["timeZone"] == zone


# --- ids and integers -----------------------------------------------------------------------


def gid(type_name: str, key: str) -> str:
    return base64.b64encode(f"{type_name}:{key}".encode()).decode()


@pytest.mark.parametrize(
    ("query", "raw"),
    [
        pytest.param(LOCATION, "2147483648", id="location-beyond-int4"),
        pytest.param(LOCATION, "9" * 30, id="location-30-digits"),
        pytest.param(LOCATION, gid("Location", "9" * 20), id="location-gid-beyond-int64"),
        pytest.param(LOCATION, gid("Room", "RM000"), id="gid-of-another-type"),
        pytest.param(LOCATION, "TG9jYXRpb246", id="gid-without-key"),
        pytest.param(LOCATION, "-1", id="negative"),
    ],
)
async def test_malformed_and_huge_ids_are_input_errors(
    client: GraphQLClient, world: World, tokens: dict[str, str], query: str, raw: str
) -> None:
    error = only_error(await client.run(query, {"id": raw}, token=tokens["alice"]))
    assert (error["code"], error["field"]) == ("INVALID_INPUT", "id")


async def test_a_huge_node_id_is_nothing_found(
    client: GraphQLClient, world: World, tokens: dict[str, str]
) -> None:
    body = await client.run(NODE, {"id": gid("User", str(2**31))}, token=tokens["admin"])
    assert body == {"data": {"node": None}}


@pytest.mark.parametrize("value", [2**31, 10**30, -(2**31) - 1])
async def test_an_int_beyond_32_bits_is_refused_by_graphql(
    client: GraphQLClient, world: World, tokens: dict[str, str], value: int
) -> None:
    query = "query R($n: Int) { rooms(filter: {minCapacity: $n}) { totalCount } }"
    error = only_error(await client.run(query, {"n": value}, token=tokens["alice"]))
    assert "Int cannot represent non 32-bit signed integer value" in error["message"]


# --- tokens -----------------------------------------------------------------------------------


@pytest.mark.parametrize("sub", ["9" * 30, str(2**31), "0"])
async def test_a_signed_token_whose_sub_is_no_user_id_is_unauthenticated(
    client: GraphQLClient, world: World, clock: MutableClock, sub: str
) -> None:
    token = sign(claims_for(world.alice, clock.now(), sub=sub))
    error = only_error(await client.run("{ me { id } }", token=token))
    assert error == {"message": "the token's claims are malformed", "code": "UNAUTHENTICATED"}


async def test_a_token_for_another_audience_is_unauthenticated(
    client: GraphQLClient, world: World, clock: MutableClock
) -> None:
    token = sign(claims_for(world.alice, clock.now(), aud="someone-else"))
    error = only_error(await client.run("{ me { id } }", token=token))
    assert error["code"] == "UNAUTHENTICATED"


# --- everybody else is served meanwhile ---------------------------------------------------


async def test_other_clients_are_served_while_hostile_input_is_refused(
    client: GraphQLClient, world: World, tokens: dict[str, str], clock: MutableClock
) -> None:
    hostile = [
        raw_post(client, ROOMS, {"s": "a" * 50_001}, tokens["bob"]),
        raw_post(client, BOOK, booking(title="\ud800"), tokens["bob"]),
        raw_post(client, BOOK, booking(end="9999-12-31T23:59:59.999999Z"), tokens["bob"]),
        client.post("{ me { id } }", token=sign(claims_for(world.bob, clock.now(), sub="9" * 30))),
    ]
    served = client.post(BOOK, booking(title="Stand-up"), token=tokens["alice"])
    *refused, answer = await asyncio.gather(*hostile, served)
    assert all(r.status_code == 200 for r in refused)
    assert all(r.json()["errors"][0]["extensions"]["code"] != "INTERNAL" for r in refused)
    assert answer.json()["data"]["bookRoom"]["booking"]["title"] == "Stand-up"
