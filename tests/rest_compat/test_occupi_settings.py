"""Golden tests: the four settings endpoints and get-push-tokens."""

from __future__ import annotations

from typing import Any

import httpx

from gateway.app import Gateway
from tests.rest_compat.occupi_self import (
    NOT_ADMIN,
    NOT_YOURS,
    USER_NOT_FOUND,
    answer,
    bad,
    error,
    ok,
    raw,
)
from tests.support.world import PASSWORD, World

TOKEN = "ExponentPushToken[aaaaaaaaaaaaaaaaaaaaaa]"
NEW_PASSWORD = "N3w-Password!"


def security(email: str, mfa: str = "off") -> dict[str, str]:
    return {
        "email": email,
        "mfa": mfa,
        "forceLogout": "off",
        "currentPassword": "",
        "newPassword": "",
        "newPasswordConfirm": "",
    }


async def get_security(
    http: httpx.AsyncClient, headers: dict[str, str], email: str | None = None
) -> tuple[int, Any]:
    params = {"email": email} if email else {}
    return answer(await http.get("/api/get-security-settings", params=params, headers=headers))


async def update_security(
    http: httpx.AsyncClient, headers: dict[str, str], **body: str
) -> tuple[int, Any]:
    return answer(await http.post("/api/update-security-settings", json=body, headers=headers))


UPDATED_SECURITY = ok("Successfully updated security settings!")


async def test_get_security_settings(http: httpx.AsyncClient, tokens: dict[str, str]) -> None:
    response = await http.get("/api/get-security-settings", headers=raw(tokens, "alice"))
    assert answer(response) == (
        200,
        ok("Successfully fetched security settings!", security("alice@example.com")),
    )
    assert b'"data":{"email":"alice@example.com","mfa":"off","forceLogout":"off",' in (
        response.content
    )
    assert await get_security(http, raw(tokens, "alice"), "bob@example.com") == (403, NOT_YOURS)
    found = await get_security(http, raw(tokens, "admin"), "bob@example.com")
    assert found == (
        200,
        ok("Successfully fetched security settings!", security("bob@example.com")),
    )
    nobody = await get_security(http, raw(tokens, "admin"), "nobody@example.com")
    assert nobody == (404, USER_NOT_FOUND)


async def test_mfa_is_turned_on_with_the_current_password(
    http: httpx.AsyncClient, tokens: dict[str, str]
) -> None:
    alice = raw(tokens, "alice")
    assert await update_security(http, alice, mfa="on", currentPassword=PASSWORD) == (
        200,
        UPDATED_SECURITY,
    )
    _status, body = await get_security(http, alice)
    assert body["data"]["mfa"] == "on"


async def test_update_security_settings_bad_input(
    http: httpx.AsyncClient, tokens: dict[str, str]
) -> None:
    alice = raw(tokens, "alice")
    assert await update_security(http, alice, mfa="on") == (
        400,
        bad("currentPassword: needed to change mfa"),
    )
    assert await update_security(http, alice, mfa="maybe", currentPassword=PASSWORD) == (
        400,
        bad("mfa must be either 'on' or 'off'"),
    )
    assert await update_security(http, alice, forceLogout="yes") == (
        400,
        bad("forceLogout must be either 'on' or 'off'"),
    )
    assert await update_security(http, alice, newPassword=NEW_PASSWORD) == (
        400,
        bad(
            "currentPassword: Current password, new password and new password confirm "
            "must all be provided"
        ),
    )
    assert await update_security(http, alice, mfa="on", currentPassword="Wr0ng-password!") == (
        400,
        bad("currentPassword: the current password is incorrect"),
    )
    _status, body = await get_security(http, alice)
    assert body["data"]["mfa"] == "off"


async def test_nobody_changes_anothers_security_settings(
    http: httpx.AsyncClient, tokens: dict[str, str]
) -> None:
    refused = error(
        403,
        "FORBIDDEN",
        "only the person themselves may do this, admins included",
        "Forbidden",
    )
    for who in ("alice", "admin"):
        answered = await update_security(
            http, raw(tokens, who), email="bob@example.com", mfa="on", currentPassword=PASSWORD
        )
        assert answered == (403, refused)
    _status, body = await get_security(http, raw(tokens, "bob"))
    assert body["data"]["mfa"] == "off"


async def test_a_new_password_revokes_old_tokens_and_returns_a_new_one(
    http: httpx.AsyncClient, tokens: dict[str, str], gateway: Gateway
) -> None:
    response = await http.post(
        "/api/update-security-settings",
        json={
            "email": "alice@example.com",
            "currentPassword": PASSWORD,
            "newPassword": NEW_PASSWORD,
            "newPasswordConfirm": NEW_PASSWORD,
        },
        headers=raw(tokens, "alice"),
    )
    assert answer(response) == (200, UPDATED_SECURITY)
    fresh = response.cookies["token"]
    assert response.headers["authorization"] == f"Bearer {fresh}"
    assert (await http.get("/ping-auth", headers=raw(tokens, "alice"))).status_code == 401
    assert (await http.get("/ping-auth", headers={"Authorization": fresh})).status_code == 200
    await gateway.app.accounts.login("alice@example.com", NEW_PASSWORD)


async def test_new_passwords_must_match(http: httpx.AsyncClient, tokens: dict[str, str]) -> None:
    answered = await update_security(
        http,
        raw(tokens, "alice"),
        currentPassword=PASSWORD,
        newPassword=NEW_PASSWORD,
        newPasswordConfirm=NEW_PASSWORD + "x",
    )
    assert answered == (
        400,
        bad("newPasswordConfirm: the confirmation does not match the new password"),
    )


# --- notification settings --------------------------------------------------------------


def notification_settings(email: str, invites: str, reminders: str) -> dict[str, Any]:
    return ok(
        "Successfully fetched notification settings!",
        {"email": email, "invites": invites, "bookingReminder": reminders},
    )


async def get_notifications(
    http: httpx.AsyncClient, headers: dict[str, str], email: str | None = None
) -> tuple[int, Any]:
    params = {"email": email} if email else {}
    response = await http.get("/api/get-notification-settings", params=params, headers=headers)
    return answer(response)


UPDATED_NOTIFICATIONS = ok("Successfully updated notification settings!")


async def test_notification_settings_by_query_and_by_json(
    http: httpx.AsyncClient, tokens: dict[str, str]
) -> None:
    alice = raw(tokens, "alice")
    assert await get_notifications(http, alice) == (
        200,
        notification_settings("alice@example.com", "on", "on"),
    )
    by_query = await http.get(
        "/api/update-notification-settings", params={"invites": "off"}, headers=alice
    )
    assert answer(by_query) == (200, UPDATED_NOTIFICATIONS)
    assert await get_notifications(http, alice) == (
        200,
        notification_settings("alice@example.com", "off", "on"),
    )
    by_json = await http.request(
        "GET",
        "/api/update-notification-settings",
        json={"email": "alice@example.com", "invites": "on", "bookingReminder": "off"},
        headers=alice,
    )
    assert answer(by_json) == (200, UPDATED_NOTIFICATIONS)
    assert await get_notifications(http, alice) == (
        200,
        notification_settings("alice@example.com", "on", "off"),
    )


async def test_notification_settings_of_others(
    http: httpx.AsyncClient, tokens: dict[str, str]
) -> None:
    alice, admin = raw(tokens, "alice"), raw(tokens, "admin")
    refused = await http.get(
        "/api/update-notification-settings",
        params={"email": "bob@example.com", "invites": "off"},
        headers=alice,
    )
    assert answer(refused) == (403, NOT_YOURS)
    assert await get_notifications(http, alice, "bob@example.com") == (403, NOT_YOURS)
    bob = notification_settings("bob@example.com", "on", "on")
    assert await get_notifications(http, admin, "bob@example.com") == (200, bob)
    changed = await http.get(
        "/api/update-notification-settings",
        params={"email": "bob@example.com", "bookingReminder": "off"},
        headers=admin,
    )
    assert answer(changed) == (200, UPDATED_NOTIFICATIONS)
    assert await get_notifications(http, admin, "bob@example.com") == (
        200,
        notification_settings("bob@example.com", "on", "off"),
    )


async def test_notification_settings_bad_input(
    http: httpx.AsyncClient, tokens: dict[str, str]
) -> None:
    response = await http.get(
        "/api/update-notification-settings",
        params={"invites": "maybe"},
        headers=raw(tokens, "alice"),
    )
    assert answer(response) == (400, bad("invites must be either 'on' or 'off'"))


# --- get-push-tokens --------------------------------------------------------------------

TOKENS_MESSAGE = "Successfully fetched push tokens!"


async def test_push_tokens_for_admins(
    http: httpx.AsyncClient, tokens: dict[str, str], gateway: Gateway, world: World
) -> None:
    await gateway.app.notifications.register_push_token(world.principal(world.alice), TOKEN)
    admin = raw(tokens, "admin")
    by_query = await http.get(
        "/api/get-push-tokens",
        params={"emails": "alice@example.com,bob@example.com"},
        headers=admin,
    )
    assert answer(by_query) == (200, ok(TOKENS_MESSAGE, [{"expoPushToken": TOKEN}]))
    by_json = await http.request(
        "GET", "/api/get-push-tokens", json={"emails": ["bob@example.com"]}, headers=admin
    )
    assert answer(by_json) == (200, ok(TOKENS_MESSAGE))


async def test_push_tokens_errors(
    http: httpx.AsyncClient, tokens: dict[str, str], gateway: Gateway, world: World
) -> None:
    await gateway.app.notifications.register_push_token(world.principal(world.alice), TOKEN)
    basic = await http.get(
        "/api/get-push-tokens", params={"emails": "alice@example.com"}, headers=raw(tokens, "bob")
    )
    assert answer(basic) == (401, NOT_ADMIN)
    admin = raw(tokens, "admin")
    missing = await http.get("/api/get-push-tokens", headers=admin)
    assert answer(missing) == (400, bad("emails must be a list of e-mail addresses"))
    wrong = await http.get("/api/get-push-tokens", params={"emails": "nope"}, headers=admin)
    assert answer(wrong) == (400, bad("emails[0]: 'nope' is not a valid e-mail address"))
