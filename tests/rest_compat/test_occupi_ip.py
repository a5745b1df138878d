"""Golden tests: get-ip-info, add-ip, remove-ip and toggle-allow-anonymous-ip (admins)."""

from __future__ import annotations

from typing import Any

import httpx

from gateway.app import Gateway
from tests.rest_compat.occupi_self import NOT_ADMIN, USER_NOT_FOUND, answer, bad, ok, raw
from tests.support.mail import RecordingSender
from tests.support.world import World

BOTH = ["alice@example.com", "bob@example.com"]


async def allowed(gateway: Gateway, world: World, user_id: int) -> list[str]:
    found = await gateway.app.addresses.allowed_addresses(world.principal(world.admin), user_id)
    return [a.address for a in found or []]


async def blocks(gateway: Gateway, world: World, user_id: int) -> bool | None:
    return await gateway.app.addresses.blocks_anonymous(world.principal(world.admin), user_id)


async def test_get_ip_info(http: httpx.AsyncClient, tokens: dict[str, str]) -> None:
    response = await http.get("/api/get-ip-info", headers=raw(tokens, "admin"))
    assert answer(response) == (
        200,
        ok("Successfully fetched IP information!", {"bogon": True, "ip": "127.0.0.1"}),
    )
    basic = await http.get("/api/get-ip-info", headers=raw(tokens, "alice"))
    assert answer(basic) == (401, NOT_ADMIN)


async def change(
    http: httpx.AsyncClient, tokens: dict[str, str], method: str, path: str, who: str, **body: Any
) -> tuple[int, Any]:
    return answer(await http.request(method, path, json=body, headers=raw(tokens, who)))


async def test_add_and_remove_an_ip(
    http: httpx.AsyncClient,
    tokens: dict[str, str],
    gateway: Gateway,
    world: World,
    mail: RecordingSender,
) -> None:
    added = await change(http, tokens, "POST", "/api/add-ip", "admin", ip="8.8.8.8", emails=BOTH)
    assert added == (200, ok("Successfully added IP!"))
    await gateway.relay.drain()
    assert [m.subject for m in mail.to("bob@example.com")] == ["IP address added"]
    assert await allowed(gateway, world, world.alice.id) == ["8.8.8.8"]
    assert await allowed(gateway, world, world.bob.id) == ["8.8.8.8"]
    removed = await change(
        http, tokens, "DELETE", "/api/remove-ip", "admin", ip="8.8.8.8", emails=BOTH[:1]
    )
    assert removed == (200, ok("Successfully removed IP!"))
    await gateway.relay.drain()
    assert [m.subject for m in mail.to("alice@example.com")] == [
        "IP address added",
        "IP address removed",
    ]
    assert await allowed(gateway, world, world.alice.id) == []
    assert await allowed(gateway, world, world.bob.id) == ["8.8.8.8"]


async def test_ip_changes_are_for_admins(
    http: httpx.AsyncClient, tokens: dict[str, str], gateway: Gateway, world: World
) -> None:
    for method, path in (("POST", "/api/add-ip"), ("DELETE", "/api/remove-ip")):
        refused = await change(http, tokens, method, path, "alice", ip="8.8.8.8", emails=BOTH)
        assert refused == (401, NOT_ADMIN)
    assert await allowed(gateway, world, world.bob.id) == []


async def test_ip_change_errors(
    http: httpx.AsyncClient, tokens: dict[str, str], gateway: Gateway, world: World
) -> None:
    async def add(**body: Any) -> tuple[int, Any]:
        return await change(http, tokens, "POST", "/api/add-ip", "admin", **body)

    assert await add(ip="999.1.1.1", emails=BOTH) == (
        400,
        bad("ip: '999.1.1.1' is not an IPv4 or IPv6 address"),
    )
    assert await add(emails=BOTH) == (400, bad("ip must be provided"))
    assert await add(ip="8.8.8.8") == (400, bad("emails must be a list of e-mail addresses"))
    assert await add(ip="8.8.8.8", emails=["nope"]) == (
        400,
        bad("emails[0]: 'nope' is not a valid e-mail address"),
    )
    assert await add(ip="8.8.8.8", emails=["bob@example.com", "nobody@example.com"]) == (
        404,
        USER_NOT_FOUND,
    )
    assert await allowed(gateway, world, world.bob.id) == []


TOGGLED = ok("Successfully toggled allow anonymous IP status!")


async def test_toggle_allow_anonymous_ip(
    http: httpx.AsyncClient, tokens: dict[str, str], gateway: Gateway, world: World
) -> None:
    async def toggle(who: str = "admin", **body: Any) -> tuple[int, Any]:
        return await change(http, tokens, "PUT", "/api/toggle-allow-anonymous-ip", who, **body)

    assert await toggle(emails=BOTH, blockAnonymousIPAddress=True) == (200, TOGGLED)
    assert await blocks(gateway, world, world.alice.id) is True
    assert await toggle(emails=BOTH[:1], allowAnonymousIPAddress=True) == (200, TOGGLED)
    assert await blocks(gateway, world, world.alice.id) is False
    assert await blocks(gateway, world, world.bob.id) is True
    assert await toggle(emails=BOTH, allowAnonymousIPAddress="false") == (200, TOGGLED)
    assert await blocks(gateway, world, world.alice.id) is True

    assert await toggle("bob", emails=BOTH, blockAnonymousIPAddress=False) == (401, NOT_ADMIN)
    assert await toggle(emails=BOTH) == (400, bad("blockAnonymousIPAddress must be provided"))
    assert await toggle(
        emails=BOTH, blockAnonymousIPAddress=True, allowAnonymousIPAddress=True
    ) == (
        400,
        bad("blockAnonymousIPAddress and allowAnonymousIPAddress contradict each other"),
    )
    assert await toggle(emails=BOTH, blockAnonymousIPAddress="sometimes") == (
        400,
        bad("blockAnonymousIPAddress must be true or false"),
    )
    assert await blocks(gateway, world, world.bob.id) is True
