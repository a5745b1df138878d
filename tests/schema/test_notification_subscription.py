"""notificationReceived over a real WebSocket (graphql-transport-ws), served by uvicorn:
each subscriber hears only their own notifications, admins included."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.applications import Starlette
from websockets.asyncio.client import ClientConnection

from gateway.app import Gateway
from gateway.services.events import notifications_topic
from tests.schema.test_subscriptions import (
    TIMEOUT,
    booking_input,
    mutate,
    receive,
    send,
    serving,
    socket,
    until,
)
from tests.support.bookings import BOOK_ROOM, CANCEL_BOOKING, by_booking, utc_iso
from tests.support.clock import MutableClock
from tests.support.world import World

NOTIFICATION_RECEIVED = """
subscription { notificationReceived { id title message kind read createdAt bookingId } }
"""


@pytest.fixture
async def host(app: Starlette, world: World) -> AsyncIterator[str]:
    async with serving(app) as where:
        yield where


@pytest.fixture
async def http(host: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=f"http://{host}", timeout=TIMEOUT) as client:
        yield client


async def listen(ws: ClientConnection, operation: str) -> None:
    await send(
        ws,
        {"id": operation, "type": "subscribe", "payload": {"query": NOTIFICATION_RECEIVED}},
    )


async def test_people_hear_their_own_notifications_only(
    host: str,
    http: httpx.AsyncClient,
    gateway: Gateway,
    world: World,
    tokens: dict[str, str],
    clock: MutableClock,
) -> None:
    """Carol is invited and hears it; Bob and the admin, listening too, hear nothing of
    hers; then Alice cancels and Carol hears that as well."""
    async with (
        socket(host, tokens["carol"]) as carol,
        socket(host, tokens["bob"]) as bob,
        socket(host, tokens["admin"]) as admin,
    ):
        for ws, person in ((carol, world.carol), (bob, world.bob), (admin, world.admin)):
            await listen(ws, "mine")
            topic = notifications_topic(person.id)
            await until(lambda t=topic: gateway.broker.subscriber_count(t) == 1)  # type: ignore[misc]

        made = await mutate(
            http,
            tokens["alice"],
            BOOK_ROOM,
            booking_input("RM000", "10:00", "11:00", attendees=[world.carol.email]),
        )
        invited = await receive(carol)
        assert invited["type"] == "next"
        note = invited["payload"]["data"]["notificationReceived"]
        assert (note["title"], note["kind"], note["read"], note["bookingId"]) == (
            "Booking Invitation",
            "INVITATION",
            False,
            made["id"],
        )
        assert note["createdAt"] == utc_iso(clock.now())

        await mutate(http, tokens["alice"], CANCEL_BOOKING, by_booking(made["id"]))
        cancelled = (await receive(carol))["payload"]["data"]["notificationReceived"]
        assert cancelled["title"] == "Booking Cancelled"

        # Bob's own invitation comes next on his socket: nothing of Carol's came before it.
        await mutate(
            http,
            tokens["alice"],
            BOOK_ROOM,
            booking_input("RM000", "12:00", "13:00", attendees=[world.bob.email]),
        )
        his = (await receive(bob))["payload"]["data"]["notificationReceived"]
        assert his["title"] == "Booking Invitation"
        assert his["id"] != note["id"]
        # And the admin, who was told of nothing, gets only the end of the subscription.
        await send(admin, {"id": "mine", "type": "complete"})
        await send(admin, {"type": "ping"})
        assert await receive(admin) == {"type": "pong"}


async def test_signed_out_callers_cannot_listen(host: str) -> None:
    async with socket(host, None) as ws:
        await listen(ws, "anon")
        refused = await receive(ws)
    assert refused["type"] == "next"
    assert [e["extensions"]["code"] for e in refused["payload"]["errors"]] == ["UNAUTHENTICATED"]
