"""Issue 11, input validation, through the REST shim: the same hostile inputs as
tests/schema/test_input_bounds.py get the API's 400 (or 401) envelope with the field
named in the message, never a 500, and nothing is stored."""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx
import pytest

from domain.api_tokens import TokenScope
from tests.support.clock import MutableClock
from tests.support.tokens import claims_for, sign
from tests.support.world import World

BOOKED_AT = {"start": "2026-11-24T07:00:00Z", "end": "2026-11-24T08:00:00Z"}


def booking(**more: Any) -> dict[str, Any]:
    return {"roomId": "RM000", "emails": ["alice@example.com"], **BOOKED_AT, **more}


async def send(
    http: httpx.AsyncClient, method: str, path: str, token: str, body: object = None, **params: str
) -> httpx.Response:
    """`body` as JSON text with \\u escapes, as a hostile client writes it."""
    content = json.dumps(body).encode() if body is not None else None
    return await http.request(
        method,
        path,
        content=content,
        params=params or None,
        headers={"Authorization": token, "Content-Type": "application/json"},
    )


def message_of(response: httpx.Response) -> str:
    body = response.json()
    found = body.get("message", "")
    error = body.get("error")
    return f"{found} | {error.get('message')}" if isinstance(error, dict) else str(found)


@pytest.fixture(autouse=True)
def no_tracebacks(caplog: pytest.LogCaptureFixture) -> Any:
    with caplog.at_level(logging.ERROR):
        yield
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


async def bookings_of(world: World) -> int:
    from gateway.services.bookings import BookingSearch
    from gateway.services.records import PageRequest

    page = await world.gateway.app.bookings.search(
        world.principal(world.admin), BookingSearch(), PageRequest(first=100), mine=False
    )
    assert page.total is not None
    return page.total


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param(
            booking(end="9999-12-31T23:59:59.999999Z"),
            "end must be between 1970-01-01 and 2100-12-31 (UTC)",
            id="end-9999",
        ),
        pytest.param(
            booking(start="2027-12-06T07:00:00Z", end="2027-12-06T08:00:00Z"),
            "a booking must end within 366 days from now",
            id="beyond-horizon",
        ),
        pytest.param(
            booking(roomId="RM\ud800"),
            "roomId contains a lone surrogate (U+D800)",
            id="surrogate-id",
        ),
        pytest.param(
            booking(roomName="a\u0000b"),
            "roomName contains a control character (U+0000)",
            id="nul-in-name",
        ),
        pytest.param(
            booking(emails=["x@example.com"] * 10_001),
            "emails must have at most 10000 items",
            id="too-many-emails",
        ),
    ],
)
async def test_book_room_refuses_hostile_input_with_a_400(
    http: httpx.AsyncClient, world: World, tokens: dict[str, str], body: object, expected: str
) -> None:
    response = await send(http, "POST", "/api/book-room", tokens["alice"], body)
    assert response.status_code == 400, response.text
    assert expected in message_of(response)
    assert await bookings_of(world) == 0


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param(
            {"roomId": "RM000", "date": "9999-12-31T00:00:00Z"},
            "Valid room id and date are required",  # the original's one message for both
            id="day-9999",
        ),
        pytest.param(
            {"roomId": "\ud800", "date": "2026-11-24T00:00:00Z"},
            "Valid room id and date are required",
            id="surrogate-room",
        ),
    ],
)
async def test_available_slots_refuses_hostile_input_with_a_400(
    http: httpx.AsyncClient, world: World, tokens: dict[str, str], query: object, expected: str
) -> None:
    response = await send(http, "GET", "/api/available-slots", tokens["bob"], query)
    assert response.status_code == 400, response.text
    assert expected in message_of(response)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        pytest.param(
            {"roomId": "RM\x00"}, "roomId contains a control character (U+0000)", id="nul"
        ),
        pytest.param(
            {"roomId": "R" * 10_001}, "roomId must be at most 10000 characters", id="long"
        ),
    ],
)
async def test_query_parameters_are_checked_at_the_edge(
    http: httpx.AsyncClient,
    world: World,
    tokens: dict[str, str],
    params: dict[str, str],
    expected: str,
) -> None:
    params = {**params, "date": "2026-11-24T00:00:00Z"}
    response = await send(http, "GET", "/api/available-slots", tokens["bob"], None, **params)
    assert response.status_code == 400, response.text
    assert expected in message_of(response)


async def test_a_collection_filter_with_a_surrogate_is_a_400(
    http: httpx.AsyncClient, world: World, tokens: dict[str, str]
) -> None:
    query = {"filter": {"roomId": {"$in": ["RM000", "\ud800"]}}}
    response = await send(http, "GET", "/api/view-rooms", tokens["alice"], query)
    assert response.status_code == 400, response.text
    assert "filter.roomId.$in[1] contains a lone surrogate (U+D800)" in message_of(response)


async def test_free_rooms_refuse_a_slot_in_year_9999(
    http: httpx.AsyncClient, world: World, tokens: dict[str, str]
) -> None:
    slot = {"start": "9999-12-31T10:00:00.000Z", "end": "9999-12-31T23:59:59.999Z"}
    response = await send(
        http, "POST", "/api/rooms/find_free_rooms", tokens["alice"], {"selection": [slot]}
    )
    assert response.status_code == 400, response.text
    assert "slots must be between 1970-01-01 and 2100-12-31 (UTC)" in response.text


async def api_token(world: World) -> dict[str, str]:
    issued = await world.gateway.app.api_tokens.create(
        world.principal(world.admin),
        name="display",
        location_id=world.site_id,
        scopes=frozenset({TokenScope.READ}),
    )
    return {"Authorization": f"Bearer {issued.secret}"}


@pytest.mark.parametrize("raw", ["2147483648", "9" * 30, "0"])
async def test_occuspace_location_ids_beyond_int4_are_a_400(
    http: httpx.AsyncClient, world: World, raw: str
) -> None:
    response = await http.get(f"/v1/locations/{raw}/now", headers=await api_token(world))
    assert response.status_code == 400, response.text
    assert "id must be a location number" in response.text


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?start=9999-12-30&end=9999-12-31", "start must be between 1970-01-01 and 2100-12-31"),
        ("?start=2026-11-01&end=2101-01-01", "end must be between 1970-01-01 and 2100-12-31"),
    ],
)
async def test_occuspace_history_days_are_bounded(
    http: httpx.AsyncClient, world: World, query: str, message: str
) -> None:
    path = f"/v1/locations/{world.site_id}/daily_occupancy{query}"
    response = await http.get(path, headers=await api_token(world))
    assert (response.status_code, response.json()) == (400, {"message": message})


@pytest.mark.parametrize("sub", ["9" * 30, str(2**31)])
async def test_a_signed_token_whose_sub_is_no_user_id_is_a_401(
    http: httpx.AsyncClient, world: World, clock: MutableClock, sub: str
) -> None:
    token = sign(claims_for(world.alice, clock.now(), sub=sub))
    response = await send(http, "GET", "/api/user-details", token)
    assert response.status_code == 401, response.text
