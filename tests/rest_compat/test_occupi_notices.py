"""Golden tests: delete-notification and get-notifications-count, one's own only."""

from __future__ import annotations

from typing import Any

import httpx

from gateway.app import Gateway
from gateway.services.records import PageRequest
from tests.rest_compat.occupi_self import NOT_YOURS, answer, bad, error, ok, raw
from tests.support.world import World


async def notify_alice_and_bob(gateway: Gateway, world: World) -> tuple[str, str]:
    """An admin's IP changes notify each person (one change each, so one notification
    each); returns their notification ids."""
    ids = []
    for person in (world.alice, world.bob):
        await gateway.app.addresses.allow_address(
            world.principal(world.admin), "8.8.8.8", [person.id]
        )
        page = await gateway.app.notifications.list(world.principal(person), PageRequest(5))
        [notification] = page.items
        ids.append(notification.id)
    assert ids[0] != ids[1]
    return ids[0], ids[1]


def counts(unread: int, total: int) -> dict[str, Any]:
    return ok("Successfully fetched notification count!", {"total": total, "unread": unread})


async def count(
    http: httpx.AsyncClient, tokens: dict[str, str], who: str, **params: str
) -> tuple[int, Any]:
    response = await http.get(
        "/api/get-notifications-count", params=params, headers=raw(tokens, who)
    )
    return answer(response)


async def test_counts_are_the_callers_own(
    http: httpx.AsyncClient, tokens: dict[str, str], gateway: Gateway, world: World
) -> None:
    assert await count(http, tokens, "alice") == (200, counts(0, 0))
    await notify_alice_and_bob(gateway, world)
    assert await count(http, tokens, "alice") == (200, counts(1, 1))
    assert await count(http, tokens, "carol") == (200, counts(0, 0))
    assert await count(http, tokens, "alice", email="bob@example.com") == (403, NOT_YOURS)
    assert await count(http, tokens, "admin", email="bob@example.com") == (200, counts(1, 1))
    assert await count(http, tokens, "admin", email="nobody@example.com") == (
        404,
        error(404, "BAD_REQUEST", "no user has the address nobody@example.com", "Not found"),
    )


async def delete(
    http: httpx.AsyncClient, tokens: dict[str, str], who: str, **body: str
) -> tuple[int, Any]:
    response = await http.request(
        "DELETE", "/api/delete-notification", json=body, headers=raw(tokens, who)
    )
    return answer(response)


async def test_delete_a_notification_for_oneself(
    http: httpx.AsyncClient, tokens: dict[str, str], gateway: Gateway, world: World
) -> None:
    alices, _bobs = await notify_alice_and_bob(gateway, world)
    assert await delete(http, tokens, "alice", notiId=alices) == (
        200,
        ok("Successfully deleted notification!"),
    )
    assert await count(http, tokens, "alice") == (200, counts(0, 0))
    assert await count(http, tokens, "bob") == (200, counts(1, 1))
    gone = error(404, "BAD_REQUEST", f"no notification with id {alices!r}", "Not found")
    assert await delete(http, tokens, "alice", notiId=alices) == (404, gone)


async def test_nobody_deletes_anothers_notification(
    http: httpx.AsyncClient, tokens: dict[str, str], gateway: Gateway, world: World
) -> None:
    _alices, bobs = await notify_alice_and_bob(gateway, world)
    named = await delete(http, tokens, "alice", email="bob@example.com", notiId=bobs)
    assert named == (403, NOT_YOURS)
    not_hers = await delete(http, tokens, "alice", notiId=bobs)
    assert not_hers == (
        404,
        error(404, "BAD_REQUEST", f"no notification with id {bobs!r}", "Not found"),
    )
    assert await count(http, tokens, "bob") == (200, counts(1, 1))
    by_admin = await http.delete(
        "/api/delete-notification",
        params={"email": "bob@example.com", "notiId": bobs},
        headers=raw(tokens, "admin"),
    )
    assert answer(by_admin) == (200, ok("Successfully deleted notification!"))
    assert await count(http, tokens, "bob") == (200, counts(0, 0))


async def test_delete_notification_needs_an_id(
    http: httpx.AsyncClient, tokens: dict[str, str]
) -> None:
    assert await delete(http, tokens, "alice") == (400, bad("notiId must be provided"))
