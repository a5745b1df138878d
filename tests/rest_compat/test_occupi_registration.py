"""Golden tests: Occupi's registration and password reset routes through the real app,
the mailed codes read from mail: /auth/register, /auth/resend-otp, /auth/verify-otp,
/auth/is-verified, /auth/forgot-password and /auth/reset-password-*."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from gateway.app import Gateway
from tests.rest_compat.test_occupi_auth import (
    ALREADY,
    BAD_CODE,
    CODE_MAILED,
    NOT_ADMIN,
    SIGNED_IN,
    credentials,
    fail,
    post,
    token_cookie,
)
from tests.support.mail import RecordingSender
from tests.support.world import World

NEW = "dave@example.com"
NEW_PASSWORD = "N3w-Passw0rd!"
VERIFIED = {"data": None, "message": "OTP verified successfully!", "status": 200}
LIMITED = {
    "error": {"code": "RATE_LIMIT", "details": None, "message": "Too many requests"},
    "message": "Too Many Requests",
    "status": 429,
}


async def code_for(gateway: Gateway, mail: RecordingSender, address: str) -> str:
    await gateway.relay.drain()
    return mail.code_for(address)


async def test_register_then_verify_otp_makes_the_account_with_that_password(
    http: httpx.AsyncClient, world: World, gateway: Gateway, mail: RecordingSender
) -> None:
    body = {"email": NEW, "password": NEW_PASSWORD, "expoPushToken": "ExponentPushToken[dave]"}
    started = await post(http, "/auth/register", body)
    assert (started.status_code, started.json()) == (200, CODE_MAILED)
    async with gateway.db.reading() as uow:  # only the hash is kept while the code is out
        waiting = await uow.pending_registrations.get(NEW)
    assert waiting is not None
    assert NEW_PASSWORD not in waiting.password_hash
    assert waiting.password_hash.startswith("$argon2id$")

    unverified = await post(http, "/auth/is-verified", {"email": NEW})
    assert unverified.json() == {"data": None, "message": "User is not verified", "status": 200}
    wrong = await post(http, "/auth/verify-otp", {"email": NEW, "otp": "000000"})
    assert (wrong.status_code, wrong.json()) == (400, BAD_CODE)
    code = await code_for(gateway, mail, NEW)
    done = await post(http, "/auth/verify-otp", {"email": NEW, "otp": code})
    assert (done.status_code, done.json()) == (200, VERIFIED)

    verified = await post(http, "/auth/is-verified", {"email": NEW})
    assert verified.json() == {"data": None, "message": "User is verified", "status": 200}
    login = await post(http, "/auth/login", credentials(NEW, NEW_PASSWORD))
    assert (login.status_code, login.json()) == (200, SIGNED_IN)
    admin = world.principal(world.admin)
    devices = await gateway.app.notifications.push_tokens_of(admin, [NEW])
    assert devices == ("ExponentPushToken[dave]",)


async def test_registering_a_taken_address_answers_alike_and_changes_nothing(
    http: httpx.AsyncClient, world: World, gateway: Gateway, mail: RecordingSender
) -> None:
    response = await post(http, "/auth/register", credentials(password=NEW_PASSWORD))
    assert (response.status_code, response.json()) == (200, CODE_MAILED)
    await gateway.relay.drain()
    [notice] = mail.to("alice@example.com")
    assert notice.subject == "You already have an Occupi account"
    assert (await post(http, "/auth/login", credentials())).json() == SIGNED_IN


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"email": NEW}, "missing field required: password"),
        (
            {"email": "not-an-address", "password": NEW_PASSWORD},
            "'not-an-address' is not a valid e-mail address",
        ),
        ({"email": NEW, "password": "weakpassword"}, None),
        ({"email": NEW, "password": NEW_PASSWORD, "expoPushToken": "nope"}, None),
    ],
    ids=["no-password", "bad-email", "weak-password", "bad-push-token"],
)
async def test_bad_registrations_are_400s_naming_the_field(
    http: httpx.AsyncClient, world: World, body: dict[str, str], message: str | None
) -> None:
    response = await post(http, "/auth/register", body)
    found = response.json()
    assert response.status_code == 400
    assert (found["error"]["code"], found["message"], found["status"]) == (
        "BAD_REQUEST",
        "Invalid request payload",
        400,
    )
    if message is not None:
        assert found["error"]["message"] == message
    else:
        assert found["error"]["message"]  # the rule's own words, e.g. the password policy


async def test_a_second_registration_waits_for_the_first(
    http: httpx.AsyncClient, world: World
) -> None:
    await post(http, "/auth/register", {"email": NEW, "password": NEW_PASSWORD})
    again = await post(http, "/auth/register", {"email": NEW, "password": "0ther-Passw0rd!"})
    assert again.status_code == 429
    assert again.json()["error"]["code"] == "TOO_MANY_REQUESTS"


async def test_resend_otp_is_limited_per_client(
    http: httpx.AsyncClient, world: World, gateway: Gateway, mail: RecordingSender, clock: Any
) -> None:
    await post(http, "/auth/register", {"email": NEW, "password": NEW_PASSWORD})
    clock.advance(timedelta(minutes=2))
    first = await post(http, "/auth/resend-otp", {"email": NEW})
    assert (first.status_code, first.json()) == (200, CODE_MAILED)
    second = await post(http, "/auth/resend-otp", {"email": "someone@example.com"})
    assert (second.status_code, second.json()) == (429, LIMITED)
    assert second.headers["Retry-After"] == "60"
    assert second.content == (
        b'{"error":{"code":"RATE_LIMIT","details":null,"message":"Too many requests"},'
        b'"message":"Too Many Requests","status":429}'
    )
    await gateway.relay.drain()
    assert len(mail.to(NEW)) == 2


async def test_signed_in_callers_cannot_register(
    http: httpx.AsyncClient, tokens: dict[str, str]
) -> None:
    response = await post(
        http,
        "/auth/register",
        {"email": NEW, "password": NEW_PASSWORD},
        headers={"Authorization": tokens["bob"]},
    )
    assert (response.status_code, response.json()) == (401, ALREADY)


# --- password reset -----------------------------------------------------------------------


def reset_body(code: str, new: str = NEW_PASSWORD, confirm: str | None = None) -> dict[str, str]:
    return {
        "email": "alice@example.com",
        "otp": code,
        "newPassword": new,
        "newPasswordConfirm": new if confirm is None else confirm,
    }


async def test_forgot_password_then_reset_signs_in_with_the_new_password(
    http: httpx.AsyncClient,
    world: World,
    gateway: Gateway,
    mail: RecordingSender,
    tokens: dict[str, str],
) -> None:
    asked = await post(http, "/auth/forgot-password", {"email": "alice@example.com"})
    assert (asked.status_code, asked.json()) == (200, CODE_MAILED)
    nobody = await post(http, "/auth/forgot-password", {"email": "nobody@example.com"})
    assert (nobody.status_code, nobody.json()) == (200, CODE_MAILED)
    code = await code_for(gateway, mail, "alice@example.com")
    assert mail.to("nobody@example.com") == []

    mismatch = await post(
        http, "/auth/reset-password-login", reset_body(code, confirm="Other-Passw0rd!")
    )
    assert (mismatch.status_code, mismatch.json()) == (
        400,
        fail(
            400,
            "BAD_REQUEST",
            "the confirmation does not match the new password",
            "Invalid request payload",
        ),
    )
    wrong = await post(http, "/auth/reset-password-login", reset_body("000000"))
    assert (wrong.status_code, wrong.json()) == (400, BAD_CODE)
    admin_route = await post(http, "/auth/reset-password-admin-login", reset_body(code))
    assert (admin_route.status_code, admin_route.json()) == (400, NOT_ADMIN)

    done = await post(http, "/auth/reset-password-mobile-login", reset_body(code))
    assert (done.status_code, done.json()["message"]) == (200, "Successful login!")
    assert done.headers["authorization"] == f"Bearer {done.json()['data']['token']}"
    old = await http.get("/ping-auth", headers={"Authorization": tokens["alice"]})
    assert old.status_code == 401  # every earlier token is revoked
    assert (await post(http, "/auth/login", credentials())).status_code == 401
    web = await post(http, "/auth/login", credentials(password=NEW_PASSWORD))
    assert web.json() == SIGNED_IN
    assert token_cookie(web)["token"].value
