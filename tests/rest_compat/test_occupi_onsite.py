"""Golden tests: PUT /api/toggle-onsite, in and out of the site's office hours."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx

from gateway.app import Gateway
from tests.rest_compat.occupi_self import NOT_YOURS, USER_NOT_FOUND, answer, bad, error, ok, raw
from tests.support.clock import MutableClock
from tests.support.world import PASSWORD, World

TOGGLED = ok("Successfully toggled onsite status!")
ALREADY = error(
    400,
    "INVALID_REQUEST_PAYLOAD",
    "Failed due to invalid status or user is perhaps already onsite or offsite",
    "Failed to toggle onsite status",
)


async def toggle(
    http: httpx.AsyncClient, tokens: dict[str, str], who: str, **body: str
) -> tuple[int, Any]:
    return answer(await http.put("/api/toggle-onsite", json=body, headers=raw(tokens, who)))


async def on_site(gateway: Gateway, world: World, user_id: int) -> bool:
    status = await gateway.app.presence.status(world.principal(world.admin), user_id)
    return status.on_site


async def test_toggling_on_and_off(
    http: httpx.AsyncClient, tokens: dict[str, str], gateway: Gateway, world: World
) -> None:
    assert await toggle(http, tokens, "alice", onSite="Yes") == (200, TOGGLED)
    assert await on_site(gateway, world, world.alice.id)
    assert await toggle(http, tokens, "alice", onSite="Yes") == (400, ALREADY)
    assert await toggle(http, tokens, "alice", email="alice@example.com", onSite="No") == (
        200,
        TOGGLED,
    )
    assert not await on_site(gateway, world, world.alice.id)
    assert await toggle(http, tokens, "alice", onSite="No") == (400, ALREADY)


async def test_on_site_must_be_yes_or_no(http: httpx.AsyncClient, tokens: dict[str, str]) -> None:
    for status in ("yes", "", "true"):
        answered = await toggle(http, tokens, "alice", onSite=status)
        assert answered == (400, bad('onSite must be "Yes" or "No"'))
    assert await toggle(http, tokens, "alice") == (400, bad('onSite must be "Yes" or "No"'))


async def test_only_admins_toggle_somebody_else(
    http: httpx.AsyncClient, tokens: dict[str, str], gateway: Gateway, world: World
) -> None:
    refused = await toggle(http, tokens, "alice", email="bob@example.com", onSite="Yes")
    assert refused == (403, NOT_YOURS)
    assert not await on_site(gateway, world, world.bob.id)
    assert await toggle(http, tokens, "admin", email="bob@example.com", onSite="Yes") == (
        200,
        TOGGLED,
    )
    assert await on_site(gateway, world, world.bob.id)
    assert await toggle(http, tokens, "admin", email="nobody@example.com", onSite="Yes") == (
        404,
        USER_NOT_FOUND,
    )


async def signed_in_now(gateway: Gateway, tokens: dict[str, str], who: str) -> None:
    """Tokens live for an hour or so: sign in again after the clock has moved."""
    session = await gateway.app.accounts.login(f"{who}@example.com", PASSWORD)
    tokens[who] = session.token.token


def after_hours(server_time: str, allowed: str, now: str) -> dict[str, Any]:
    return error(
        403,
        "FORBIDDEN",
        f"Access denied after hours, {allowed}, time now is {now}",
        "Forbidden",
        {"serverTime": server_time, "serverTimezone": "Africa/Johannesburg"},
    )


async def test_after_hours_in_the_sites_zone(
    http: httpx.AsyncClient, tokens: dict[str, str], clock: MutableClock, gateway: Gateway
) -> None:
    clock.set(datetime(2026, 11, 23, 16, 30, tzinfo=UTC))  # Monday 18:30 in Johannesburg
    await signed_in_now(gateway, tokens, "alice")
    assert await toggle(http, tokens, "alice", onSite="Yes") == (
        403,
        after_hours("2026-11-23 18:30:00", "only allowed between 08:00 and 17:00", "18:30"),
    )
    clock.set(datetime(2026, 11, 28, 8, 0, tzinfo=UTC))  # Saturday 10:00
    await signed_in_now(gateway, tokens, "alice")
    assert await toggle(http, tokens, "alice", onSite="Yes") == (
        403,
        after_hours("2026-11-28 10:00:00", "closed all day", "10:00"),
    )


async def test_a_session_forgotten_open_is_closed_first(
    http: httpx.AsyncClient,
    tokens: dict[str, str],
    clock: MutableClock,
    gateway: Gateway,
    world: World,
) -> None:
    assert await toggle(http, tokens, "alice", onSite="Yes") == (200, TOGGLED)
    clock.set(datetime(2026, 11, 24, 7, 0, tzinfo=UTC))  # Tuesday 09:00
    await signed_in_now(gateway, tokens, "alice")
    assert await toggle(http, tokens, "alice", onSite="Yes") == (200, TOGGLED)
    assert await on_site(gateway, world, world.alice.id)
