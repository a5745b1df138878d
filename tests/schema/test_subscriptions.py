"""Live booking changes over a real WebSocket (graphql-transport-ws), served by uvicorn."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import timedelta
from typing import Any

import httpx
import pytest
import uvicorn
from sqlalchemy import text
from starlette.applications import Starlette
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Subprotocol

from gateway.app import Gateway
from gateway.schema.ids import USER, global_id
from gateway.services.events import room_bookings_topic
from gateway.services.live import TICK_SECONDS
from gateway.settings import Settings
from tests.support.bookings import (
    BOOK_ROOM,
    CANCEL_BOOKING,
    CHECK_IN,
    TODAY,
    by_booking,
    instant,
    local,
    utc_iso,
)
from tests.support.clock import MutableClock
from tests.support.graphql import JSON
from tests.support.tokens import claims_for, sign
from tests.support.world import World, room_gid

TIMEOUT = 5.0
# A subscription wakes at least every TICK_SECONDS to look at the clock; allow for the
# server's work on top.
EXPIRY_NOTICE_SECONDS = TICK_SECONDS + 0.5
CAROL = "carol@example.com"
PROTOCOL = Subprotocol("graphql-transport-ws")

BOOKING_CHANGED = """
subscription Changes($room: ID!) {
  bookingChanged(roomId: $room) { change bookingId roomId start end occurredAt }
}
"""


@asynccontextmanager
async def serving(app: Starlette) -> AsyncIterator[str]:
    """Serve `app` with uvicorn on a free local port; yields host:port."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    task = asyncio.create_task(server.serve())
    try:
        await until(lambda: server.started or task.done())
        assert server.started, "uvicorn did not start"
        port = server.servers[0].sockets[0].getsockname()[1]
        yield f"127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, TIMEOUT)


async def until(condition: Callable[[], bool]) -> None:
    """Wait in small steps until `condition` holds, at most TIMEOUT seconds."""
    for _ in range(int(TIMEOUT / 0.01)):
        if condition():
            return
        await asyncio.sleep(0.01)
    assert condition(), f"not true within {TIMEOUT} s"


async def send(ws: ClientConnection, message: JSON) -> None:
    await ws.send(json.dumps(message))


async def receive(ws: ClientConnection) -> JSON:
    message: JSON = json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT))
    return message


@asynccontextmanager
async def socket(
    host: str, token: str | None, init: JSON | None = None
) -> AsyncIterator[ClientConnection]:
    """A graphql-transport-ws connection, initialised with `init` and acknowledged."""
    headers = {} if token is None else {"Authorization": f"Bearer {token}"}
    async with connect(
        f"ws://{host}/graphql", subprotocols=[PROTOCOL], additional_headers=headers
    ) as ws:
        assert ws.subprotocol == PROTOCOL
        await send(ws, {"type": "connection_init", "payload": init or {}})
        assert await receive(ws) == {"type": "connection_ack"}
        yield ws


async def subscribe(ws: ClientConnection, operation: str, room: str) -> None:
    await send(
        ws,
        {
            "id": operation,
            "type": "subscribe",
            "payload": {"query": BOOKING_CHANGED, "variables": {"room": room}},
        },
    )


async def mutate(http: httpx.AsyncClient, token: str, query: str, variables: JSON) -> JSON:
    response = await http.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200, response.text
    body: JSON = response.json()
    assert "errors" not in body, body
    [payload] = body["data"].values()
    assert payload["errors"] == [], payload["errors"]
    result: JSON = payload["booking"]
    return result


def change(kind: str, booking: JSON, occurred_at: str, room: str = "RM000") -> JSON:
    """An event as a subscriber receives it: the booking's and the room's global ids."""
    return {
        "change": kind,
        "bookingId": booking["id"],
        "roomId": room_gid(room),
        "start": booking["start"],
        "end": booking["end"],
        "occurredAt": occurred_at,
    }


def booking_input(
    room: str, start: str, end: str, *, attendees: Sequence[str] = ()
) -> dict[str, Any]:
    return {
        "input": {
            "roomId": room,
            "start": local(start, TODAY).isoformat(),
            "end": local(end, TODAY).isoformat(),
            "attendees": list(attendees),
        }
    }


@pytest.fixture
def live_recheck() -> timedelta:
    """How often a subscriber's account is read again; a test may parametrize it."""
    return Settings.live_recheck


@pytest.fixture
def settings(settings: Settings, live_recheck: timedelta) -> Settings:
    return replace(settings, live_recheck=live_recheck)


@pytest.fixture
async def host(app: Starlette, world: World) -> AsyncIterator[str]:
    async with serving(app) as where:
        yield where


@pytest.fixture
async def http(host: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=f"http://{host}", timeout=TIMEOUT) as client:
        yield client


async def test_booking_changes_arrive_live(
    host: str,
    http: httpx.AsyncClient,
    gateway: Gateway,
    tokens: dict[str, str],
    clock: MutableClock,
) -> None:
    """Carol, invited to Alice's booking, hears it made, checked into and cancelled."""
    topic = room_bookings_topic("RM000")
    async with socket(host, tokens["carol"]) as ws:
        await subscribe(ws, "rm000", "RM000")
        await until(lambda: gateway.broker.subscriber_count(topic) == 1)

        made = await mutate(
            http,
            tokens["alice"],
            BOOK_ROOM,
            booking_input("RM000", "10:00", "11:00", attendees=[CAROL]),
        )
        created = await receive(ws)
        assert created == {
            "id": "rm000",
            "type": "next",
            "payload": {"data": {"bookingChanged": change("CREATED", made, utc_iso(clock.now()))}},
        }
        assert made["start"] == utc_iso(local("10:00", TODAY))

        clock.set(instant("10:00", TODAY))
        await mutate(http, tokens["alice"], CHECK_IN, by_booking(made["id"]))
        checked = await receive(ws)
        assert checked == {
            "id": "rm000",
            "type": "next",
            "payload": {
                "data": {
                    "bookingChanged": change("CHECKED_IN", made, utc_iso(local("10:00", TODAY)))
                }
            },
        }

        clock.set(instant("10:05", TODAY))
        await mutate(http, tokens["alice"], CANCEL_BOOKING, by_booking(made["code"]))
        cancelled = await receive(ws)
        assert cancelled == {
            "id": "rm000",
            "type": "next",
            "payload": {
                "data": {
                    "bookingChanged": change("CANCELLED", made, utc_iso(local("10:05", TODAY)))
                }
            },
        }

        await send(ws, {"id": "rm000", "type": "complete"})
        await until(lambda: gateway.broker.subscriber_count(topic) == 0)


async def heard(ws: ClientConnection, operation: str, count: int) -> list[tuple[str, str]]:
    """The next `count` changes on `operation`, as (change, booking id) pairs."""
    changes = []
    for _ in range(count):
        message = await receive(ws)
        assert (message["id"], message["type"]) == (operation, "next"), message
        assert "errors" not in message["payload"], message
        changed = message["payload"]["data"]["bookingChanged"]
        changes.append((changed["change"], changed["bookingId"]))
    return changes


async def test_only_the_bookings_people_and_admins_hear_its_check_in(
    host: str,
    http: httpx.AsyncClient,
    gateway: Gateway,
    tokens: dict[str, str],
    clock: MutableClock,
) -> None:
    """Bob is not part of Alice's booking: he hears it made and cancelled, never checked
    into. Events reach a subscriber in order, so a leaked check-in would arrive before
    the cancellation Bob hears next."""
    topic = room_bookings_topic("RM000")
    async with (
        socket(host, tokens["bob"]) as outsider,
        socket(host, tokens["carol"]) as attendee,
        socket(host, tokens["admin"]) as admin,
    ):
        for ws in (outsider, attendee, admin):
            await subscribe(ws, "watch", "RM000")
        await until(lambda: gateway.broker.subscriber_count(topic) == 3)

        made = await mutate(
            http,
            tokens["alice"],
            BOOK_ROOM,
            booking_input("RM000", "10:00", "11:00", attendees=[CAROL]),
        )
        clock.set(instant("10:00", TODAY))
        await mutate(http, tokens["alice"], CHECK_IN, by_booking(made["id"]))
        clock.set(instant("10:05", TODAY))
        await mutate(http, tokens["alice"], CANCEL_BOOKING, by_booking(made["id"]))

        everything = [
            ("CREATED", made["id"]),
            ("CHECKED_IN", made["id"]),
            ("CANCELLED", made["id"]),
        ]
        assert await heard(attendee, "watch", 3) == everything
        assert await heard(admin, "watch", 3) == everything
        assert await heard(outsider, "watch", 2) == [
            ("CREATED", made["id"]),
            ("CANCELLED", made["id"]),
        ]

        # Still subscribed after the withheld check-in: the next booking reaches Bob.
        later = await mutate(
            http, tokens["alice"], BOOK_ROOM, booking_input("RM000", "14:00", "15:00")
        )
        assert await heard(outsider, "watch", 1) == [("CREATED", later["id"])]


async def ended(ws: ClientConnection, operation: str) -> JSON:
    """The error that ends `operation`, after checking the complete that follows it."""
    refused = await receive(ws)
    assert (refused["id"], refused["type"], refused["payload"]["data"]) == (
        operation,
        "next",
        None,
    ), refused
    error: JSON
    [error] = refused["payload"]["errors"]
    assert await receive(ws) == {"id": operation, "type": "complete"}
    return error


async def test_a_subscription_ends_within_a_second_of_its_token_expiring(
    host: str,
    http: httpx.AsyncClient,
    gateway: Gateway,
    world: World,
    tokens: dict[str, str],
    clock: MutableClock,
) -> None:
    topic = room_bookings_topic("RM000")
    expires = clock.now() + timedelta(minutes=1)
    token = sign(claims_for(world.carol, clock.now(), exp=int(expires.timestamp())))
    async with socket(host, token) as ws:
        await subscribe(ws, "1", "RM000")
        await until(lambda: gateway.broker.subscriber_count(topic) == 1)
        made = await mutate(
            http, tokens["bob"], BOOK_ROOM, booking_input("RM000", "10:00", "11:00")
        )
        assert await heard(ws, "1", 1) == [("CREATED", made["id"])]

        clock.set(expires + timedelta(seconds=1))
        async with asyncio.timeout(EXPIRY_NOTICE_SECONDS):
            error = await ended(ws, "1")

        assert error["extensions"] == {"code": "UNAUTHENTICATED"}
        assert error["message"] == "the token has expired; sign in again"
        await until(lambda: gateway.broker.subscriber_count(topic) == 0)


@pytest.mark.parametrize("live_recheck", [timedelta(milliseconds=200)])
async def test_a_subscription_ends_when_its_account_is_deleted(
    host: str,
    http: httpx.AsyncClient,
    gateway: Gateway,
    world: World,
    tokens: dict[str, str],
) -> None:
    topic = room_bookings_topic("RM000")
    async with socket(host, tokens["carol"]) as ws:
        await subscribe(ws, "1", "RM000")
        await until(lambda: gateway.broker.subscriber_count(topic) == 1)
        made = await mutate(
            http, tokens["bob"], BOOK_ROOM, booking_input("RM000", "10:00", "11:00")
        )
        assert await heard(ws, "1", 1) == [("CREATED", made["id"])]

        async with gateway.db.engine.begin() as connection:
            deleted = await connection.execute(
                text("DELETE FROM users WHERE id = :id"), {"id": world.carol.id}
            )
        assert deleted.rowcount == 1
        # At most one tick (1 s) until the loop wakes and sees the recheck is due.
        async with asyncio.timeout(3.0):
            error = await ended(ws, "1")

        assert error["extensions"] == {"code": "UNAUTHENTICATED"}
        assert error["message"] == "the account no longer exists"
        await until(lambda: gateway.broker.subscriber_count(topic) == 0)


@pytest.mark.parametrize("live_recheck", [timedelta(milliseconds=200)])
async def test_a_subscription_ends_when_its_tokens_are_revoked(
    host: str, http: httpx.AsyncClient, gateway: Gateway, tokens: dict[str, str]
) -> None:
    topic = room_bookings_topic("RM000")
    async with socket(host, tokens["carol"]) as ws:
        await subscribe(ws, "1", "RM000")
        await until(lambda: gateway.broker.subscriber_count(topic) == 1)

        revoked = await http.post(
            "/graphql",
            json={"query": "mutation { logoutEverywhere { ok errors { code } } }"},
            headers={"Authorization": f"Bearer {tokens['carol']}"},
        )
        assert revoked.json()["data"]["logoutEverywhere"] == {"ok": True, "errors": []}
        async with asyncio.timeout(3.0):
            error = await ended(ws, "1")

        assert error["extensions"] == {"code": "UNAUTHENTICATED"}
        assert error["message"] == "the token was revoked; sign in again"
        await until(lambda: gateway.broker.subscriber_count(topic) == 0)


async def test_each_subscription_hears_its_own_room(
    host: str, http: httpx.AsyncClient, gateway: Gateway, tokens: dict[str, str]
) -> None:
    """A room may be named by its global id or by its code."""
    async with socket(host, tokens["carol"]) as ws:
        await subscribe(ws, "one", room_gid("RM001"))
        await subscribe(ws, "zero", "RM000")
        await until(
            lambda: all(
                gateway.broker.subscriber_count(room_bookings_topic(r)) == 1
                for r in ("RM000", "RM001")
            )
        )

        in_zero = await mutate(
            http, tokens["alice"], BOOK_ROOM, booking_input("RM000", "09:00", "10:00")
        )
        first = await receive(ws)
        in_one = await mutate(
            http, tokens["bob"], BOOK_ROOM, booking_input("RM001", "09:00", "10:00")
        )
        second = await receive(ws)

    assert (first["id"], first["payload"]["data"]["bookingChanged"]["bookingId"]) == (
        "zero",
        in_zero["id"],
    )
    assert (second["id"], second["payload"]["data"]["bookingChanged"]["bookingId"]) == (
        "one",
        in_one["id"],
    )
    assert first["payload"]["data"]["bookingChanged"]["roomId"] == room_gid("RM000")
    assert second["payload"]["data"]["bookingChanged"]["roomId"] == room_gid("RM001")


async def test_closing_the_socket_unsubscribes(
    host: str, gateway: Gateway, tokens: dict[str, str]
) -> None:
    topic = room_bookings_topic("RM000")
    async with socket(host, tokens["bob"]) as ws:
        await subscribe(ws, "1", "RM000")
        await until(lambda: gateway.broker.subscriber_count(topic) == 1)
    await until(lambda: gateway.broker.subscriber_count(topic) == 0)


@pytest.mark.parametrize(
    ("who", "room", "extensions", "message"),
    [
        pytest.param(
            None,
            "RM000",
            {"code": "UNAUTHENTICATED"},
            "sign in first: this needs a valid token",
            id="anonymous",
        ),
        pytest.param(
            "bob",
            "RM999",
            {"code": "NOT_FOUND", "field": "roomId"},
            "no room with id 'RM999'",
            id="unknown-room",
        ),
        pytest.param(
            "bob",
            str(global_id(USER, 1)),
            {"code": "INVALID_INPUT", "field": "roomId"},
            f"{str(global_id(USER, 1))!r} is the id of a User, not of a Room",
            id="id-of-a-user",
        ),
    ],
)
async def test_a_refused_subscription_gets_an_error(
    host: str,
    gateway: Gateway,
    tokens: dict[str, str],
    who: str | None,
    room: str,
    extensions: JSON,
    message: str,
) -> None:
    async with socket(host, None if who is None else tokens[who]) as ws:
        await subscribe(ws, "1", room)
        refused = await receive(ws)
        completed = await receive(ws)

    assert (refused["id"], refused["type"], refused["payload"]["data"]) == ("1", "next", None)
    [error] = refused["payload"]["errors"]
    assert error["message"] == message
    assert error.get("extensions") == extensions
    assert completed == {"id": "1", "type": "complete"}
    assert gateway.broker.subscriber_count(room_bookings_topic(room)) == 0


@pytest.mark.parametrize(
    "init",
    [
        pytest.param(lambda t: {"Authorization": f"Bearer {t}"}, id="bearer"),
        pytest.param(lambda t: {"authorization": t}, id="raw"),
        pytest.param(lambda t: {"token": t}, id="token-key"),
    ],
)
async def test_a_browser_may_sign_in_through_connection_init(
    host: str,
    http: httpx.AsyncClient,
    gateway: Gateway,
    tokens: dict[str, str],
    init: Callable[[str], JSON],
) -> None:
    topic = room_bookings_topic("RM000")
    async with socket(host, None, init(tokens["bob"])) as ws:
        await subscribe(ws, "1", "RM000")
        await until(lambda: gateway.broker.subscriber_count(topic) == 1)
        made = await mutate(
            http, tokens["alice"], BOOK_ROOM, booking_input("RM000", "13:00", "14:00")
        )
        heard = await receive(ws)
    assert heard["payload"]["data"]["bookingChanged"]["bookingId"] == made["id"]


async def test_a_forged_token_in_connection_init_is_refused_precisely(host: str) -> None:
    async with socket(host, None, {"Authorization": "Bearer not.a.jwt"}) as ws:
        await subscribe(ws, "1", "RM000")
        refused = await receive(ws)
    [error] = refused["payload"]["errors"]
    assert error["extensions"] == {"code": "UNAUTHENTICATED"}
    assert error["message"].startswith("the token is malformed")


ROOM_TODAY = 'query { room(id: "RM000") { bookings(date: "2026-11-23") { id } } }'


async def query_over(ws: ClientConnection, operation: str, query: str) -> JSON:
    """Run a query on the socket; returns its single result message."""
    await send(ws, {"id": operation, "type": "subscribe", "payload": {"query": query}})
    result = await receive(ws)
    assert await receive(ws) == {"id": operation, "type": "complete"}
    return result


async def test_each_operation_on_a_socket_reads_afresh(
    host: str, http: httpx.AsyncClient, tokens: dict[str, str]
) -> None:
    async with socket(host, tokens["alice"]) as ws:
        before = await query_over(ws, "1", ROOM_TODAY)
        made = await mutate(
            http, tokens["alice"], BOOK_ROOM, booking_input("RM000", "15:00", "16:00")
        )
        after = await query_over(ws, "2", ROOM_TODAY)
    assert before["payload"] == {"data": {"room": {"bookings": []}}}
    assert after["payload"] == {"data": {"room": {"bookings": [{"id": made["id"]}]}}}


async def test_a_token_that_expires_on_an_open_socket_stops_working(
    host: str, tokens: dict[str, str], clock: MutableClock
) -> None:
    async with socket(host, tokens["alice"]) as ws:
        first = await query_over(ws, "1", "{ me { email } }")
        clock.advance(timedelta(hours=25))
        second = await query_over(ws, "2", "{ me { email } }")
    assert first["payload"] == {"data": {"me": {"email": "alice@example.com"}}}
    [error] = second["payload"]["errors"]
    assert error["extensions"] == {"code": "UNAUTHENTICATED"}
    assert error["message"] == "the token has expired; sign in again"
