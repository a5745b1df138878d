"""Golden tests: view-bookings, view-rooms, get-users and get-notifications through the
real app, with the query object as a JSON body (on a GET) and as query parameters; a basic
user naming somebody else's address is refused and reads nothing."""

from __future__ import annotations

import json
import re
from datetime import datetime, time
from typing import Any

import httpx
import pytest

from gateway.services.bookings import BookingRequest
from tests.support.bookings import JOHANNESBURG, TOMORROW
from tests.support.world import World

CODE = re.compile(r"^BOOKOCCUPI2026[0-9A-Z]{8}$")
FORBIDDEN: dict[str, Any] = {
    "error": {
        "code": "FORBIDDEN",
        "details": None,
        "message": "only an admin may name another person's e-mail address",
    },
    "message": "Forbidden",
    "status": 403,
}


def at(hour: int) -> datetime:
    return datetime.combine(TOMORROW, time(hour), JOHANNESBURG)


async def book(world: World, hour: int, *invited: str, room: str = "RM000") -> str:
    view = await world.gateway.app.bookings.book(
        world.principal(world.alice),
        BookingRequest(room_code=room, start=at(hour), end=at(hour + 1), attendees=invited),
    )
    return view.code


def auth(token: str) -> dict[str, str]:
    return {"Authorization": token}


async def get(
    http: httpx.AsyncClient, path: str, token: str, query: object = None, **params: str
) -> httpx.Response:
    content = json.dumps(query).encode() if query is not None else None
    return await http.request(
        "GET", path, content=content, params=params or None, headers=auth(token)
    )


def bad(message: str) -> dict[str, Any]:
    return {
        "error": {"code": "INVALID_REQUEST_PAYLOAD", "details": None, "message": message},
        "message": "Invalid request payload",
        "status": 400,
    }


# --- view-bookings ------------------------------------------------------------------------


async def test_view_bookings_lists_the_named_persons_bookings(
    http: httpx.AsyncClient, world: World, tokens: dict[str, str]
) -> None:
    first = await book(world, 9, "bob@example.com")
    await book(world, 11, room="RM001")
    response = await get(
        http,
        "/api/view-bookings",
        tokens["alice"],
        {"filter": {"email": "alice@example.com"}, "limit": 1},
    )
    assert response.status_code == 200
    body = response.json()
    assert CODE.match(first)
    assert body == {
        "data": [
            {
                "checkedIn": False,
                "creator": "alice@example.com",
                "date": "2026-11-24T00:00:00Z",
                "emails": ["alice@example.com", "bob@example.com"],
                "end": "2026-11-24T08:00:00Z",
                "floorNo": str(world.floor_id),
                "occupiId": first,
                "roomId": "RM000",
                "roomName": "Room 0",
                "start": "2026-11-24T07:00:00Z",
            }
        ],
        "message": "success",
        "meta": {"currentPage": 1, "totalPages": 2, "totalResults": 1},
        "status": 200,
    }
    # Keys sorted at every level, as Gin wrote maps.
    assert response.content.startswith(b'{"data":[{"checkedIn":false,"creator":')

    by_url = await get(
        http,
        "/api/view-bookings",
        tokens["bob"],
        filter='{"email": "bob@example.com"}',
        projection="occupiId,roomId",
    )
    assert by_url.json()["data"] == [{"occupiId": first, "roomId": "RM000"}]


async def test_view_bookings_needs_an_email(
    http: httpx.AsyncClient, tokens: dict[str, str]
) -> None:
    response = await get(http, "/api/view-bookings", tokens["alice"], {"filter": {}})
    assert (response.status_code, response.json()) == (400, bad("Email must be provided"))


async def test_a_basic_user_cannot_read_somebody_elses_bookings(
    http: httpx.AsyncClient, world: World, tokens: dict[str, str]
) -> None:
    await book(world, 9)
    response = await get(
        http, "/api/view-bookings", tokens["bob"], {"filter": {"email": "alice@example.com"}}
    )
    assert (response.status_code, response.json()) == (403, FORBIDDEN)
    admin = await get(
        http, "/api/view-bookings", tokens["admin"], {"filter": {"email": "alice@example.com"}}
    )
    assert admin.json()["meta"]["totalResults"] == 1


async def test_an_empty_result_is_null_data(
    http: httpx.AsyncClient, world: World, tokens: dict[str, str]
) -> None:
    response = await get(
        http, "/api/view-bookings", tokens["carol"], {"filter": {"email": "carol@example.com"}}
    )
    assert response.content == (
        b'{"data":null,"message":"success","meta":{"currentPage":1,"totalPages":0,'
        b'"totalResults":0},"status":200}'
    )


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"filter": {"email": {"$ne": None}}}, "filter.email: must be a string"),
        (
            {"operator": "ne", "filter": {"email": "x@example.com"}},
            "filter.email: the operator ne does not apply (only eq)",
        ),
        (
            {"filter": {"email": "alice@example.com"}, "projection": ["password"]},
            "projection: 'password' is not a field of bookings",
        ),
    ],
)
async def test_injection_and_secrets_are_refused_by_name(
    http: httpx.AsyncClient, tokens: dict[str, str], query: object, message: str
) -> None:
    response = await get(http, "/api/view-bookings", tokens["alice"], query)
    assert response.status_code == 400
    assert response.json()["error"]["message"].startswith(message)


# --- view-rooms ---------------------------------------------------------------------------


async def test_view_rooms_filters_by_id_and_floor(
    http: httpx.AsyncClient, world: World, tokens: dict[str, str]
) -> None:
    room = {
        "description": "",
        "floorNo": str(world.floor_id),
        "maxOccupancy": 10,
        "minOccupancy": 1,
        "resources": [],
        "roomId": "RM001",
        "roomName": "Room 1",
        "roomNo": "1",
    }
    one = await get(http, "/api/view-rooms", tokens["alice"], {"filter": {"roomId": "RM001"}})
    assert one.json() == {
        "data": [room],
        "message": "success",
        "meta": {"currentPage": 1, "totalPages": 1, "totalResults": 1},
        "status": 200,
    }
    floor = await get(
        http,
        "/api/view-rooms",
        tokens["alice"],
        {"filter": {"floorNo": world.floor_id}, "order_asc": "roomId"},
    )
    assert [r["roomId"] for r in floor.json()["data"]] == ["RM000", "RM001"]
    elsewhere = await get(http, "/api/view-rooms", tokens["alice"], filter='{"floorNo": "999"}')
    assert elsewhere.json()["data"] is None


async def test_view_rooms_needs_a_token(http: httpx.AsyncClient) -> None:
    response = await http.get("/api/view-rooms")
    assert response.status_code == 401
    assert response.json()["error"]["message"] == "User not authorized or Invalid auth token"


# --- get-users ----------------------------------------------------------------------------


async def test_get_users_is_for_admins_and_never_shows_secrets(
    http: httpx.AsyncClient, world: World, tokens: dict[str, str]
) -> None:
    refused = await get(http, "/api/get-users", tokens["alice"])
    assert refused.status_code == 401
    assert refused.json()["error"]["message"] == "User not authorized to access admin route"
    listed = await get(
        http, "/api/get-users", tokens["admin"], {"filter": {"role": "basic"}, "limit": 2}
    )
    assert listed.json() == {
        "data": [
            {"email": "alice@example.com", "name": "Alice", "role": "basic"},
            {"email": "bob@example.com", "name": "Bob", "role": "basic"},
        ],
        "message": "success",
        "meta": {"currentPage": 1, "totalPages": 2, "totalResults": 2},
        "status": 200,
    }
    for secret in ("password", "unsentExpoPushTokens", "expoPushToken"):
        response = await get(http, "/api/get-users", tokens["admin"], {"projection": [secret]})
        assert response.status_code == 400
    one = await get(
        http,
        "/api/get-users",
        tokens["admin"],
        projection="email",
        filter='{"email": "Carol@example.com"}',
    )
    assert one.json()["data"] == [{"email": "carol@example.com"}]


# --- get-notifications --------------------------------------------------------------------


async def test_get_notifications_lists_then_marks_read(
    http: httpx.AsyncClient, world: World, tokens: dict[str, str]
) -> None:
    await book(world, 9, "bob@example.com")
    first = await get(
        http,
        "/api/get-notifications",
        tokens["bob"],
        {"projection": ["title", "unreadEmails", "emails"]},
    )
    body = first.json()
    assert body["message"] == "success"
    assert body["data"]
    assert all(n["unreadEmails"] == ["bob@example.com"] for n in body["data"])
    assert all(n["emails"] == ["bob@example.com"] for n in body["data"])
    again = await get(
        http, "/api/get-notifications", tokens["bob"], {"filter": {"emails": ["bob@example.com"]}}
    )
    assert [n["unreadEmails"] for n in again.json()["data"]] == [[] for _ in body["data"]]
    assert set(again.json()["data"][0]) == {
        "emails",
        "message",
        "notiId",
        "send_time",
        "sent",
        "title",
        "unreadEmails",
    }


async def test_a_basic_user_cannot_read_or_mark_somebody_elses_notifications(
    http: httpx.AsyncClient, world: World, tokens: dict[str, str]
) -> None:
    await book(world, 9, "bob@example.com")
    response = await get(
        http, "/api/get-notifications", tokens["carol"], {"filter": {"emails": ["bob@example.com"]}}
    )
    assert (response.status_code, response.json()) == (403, FORBIDDEN)
    counts = await world.gateway.app.notifications.counts(world.principal(world.bob))
    assert counts.unread > 0  # nothing was marked read
    admin = await get(
        http, "/api/get-notifications", tokens["admin"], {"filter": {"emails": ["bob@example.com"]}}
    )
    assert admin.json()["data"]


async def test_get_users_filters_on_site_as_documented(
    http: httpx.AsyncClient, world: World, tokens: dict[str, str]
) -> None:
    await world.gateway.app.presence.toggle(world.principal(world.bob), on_site=True)
    url = await get(
        http, "/api/get-users", tokens["admin"], filter='{"onSite": true}', projection="email,role"
    )
    assert url.json()["data"] == [{"email": "bob@example.com", "role": "basic"}]
    off = await get(http, "/api/get-users", tokens["admin"], {"filter": {"onSite": False}})
    assert "bob@example.com" not in [u["email"] for u in off.json()["data"]]
    typed = await get(http, "/api/get-users", tokens["admin"], {"filter": {"onSite": "yes"}})
    assert typed.json()["error"]["message"] == "filter.onSite: must be true or false"
