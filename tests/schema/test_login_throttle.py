"""Sign-in throttling, logging out everywhere and changing passwords, through the real app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from http.cookies import SimpleCookie

import httpx
import pytest
from starlette.applications import Starlette

from tests.support.clock import MutableClock
from tests.support.graphql import JSON, GraphQLClient
from tests.support.world import PASSWORD, World

LOGIN = """
mutation Login($input: LoginInput!) {
  login(input: $input) { token user { email } errors { code message field } }
}
"""
LOGIN_WAIT = """
mutation Login($input: LoginInput!) {
  login(input: $input) { token errors { code message retryAfter } }
}
"""
ME = "{ me { email } }"
LOGOUT_EVERYWHERE = "mutation { logoutEverywhere { ok errors { code message field } } }"
CHANGE_PASSWORD = """
mutation Change($input: ChangePasswordInput!) {
  changePassword(input: $input) {
    token expiresAt user { email } errors { code message field }
  }
}
"""
ALICE = "alice@example.com"
NEW_PASSWORD = "N3w-Passw0rd!"
WRONG = "Wrong-Guess-1"
BAD_LOGIN = "the e-mail address or the password is incorrect"
REVOKED = "the token was revoked; sign in again"


def credentials(email: str, password: str) -> JSON:
    return {"input": {"email": email, "password": password}}


def error(code: str, message: str, field: str | None = None) -> JSON:
    return {"code": code, "message": message, "field": field}


def throttled(seconds: int) -> JSON:
    return error("RATE_LIMITED", f"too many failed sign-ins; try again in {seconds} seconds")


BAD = error("INVALID_CREDENTIALS", BAD_LOGIN)


async def login(client: GraphQLClient, email: str, password: str) -> JSON:
    payload: JSON = (await client.data(LOGIN, credentials(email, password)))["login"]
    return payload


async def errors_of(client: GraphQLClient, email: str, password: str) -> list[JSON]:
    found: list[JSON] = (await login(client, email, password))["errors"]
    return found


@pytest.fixture
async def elsewhere(app: Starlette) -> AsyncIterator[GraphQLClient]:
    """A client from another network address than `client`'s."""
    transport = httpx.ASGITransport(app=app, client=("198.51.100.7", 4321))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield GraphQLClient(http)


# --- throttling ---------------------------------------------------------------------------


async def test_the_sign_in_throttle_answers_its_wait_over_graphql_and_rest(
    client: GraphQLClient, world: World
) -> None:
    wrong = {"input": {"email": world.alice.email, "password": "Wrong-Guess-1"}}
    for _ in range(5):
        await client.data(LOGIN, wrong)
    refused = (await client.data(LOGIN_WAIT, wrong))["login"]
    rest = await client.http.post(
        "/auth/login", json={"email": world.alice.email, "password": PASSWORD}
    )

    [error] = refused["errors"]
    assert error["code"] == "RATE_LIMITED"
    assert error["retryAfter"] == 60
    assert error["message"] == "too many failed sign-ins; try again in 60 seconds"
    assert rest.status_code == 429
    assert rest.headers["Retry-After"] == "60"


async def test_after_five_wrong_passwords_the_right_one_waits_for_the_retry_time(
    client: GraphQLClient, world: World, clock: MutableClock
) -> None:
    for _ in range(5):
        assert await errors_of(client, ALICE, WRONG) == [BAD]

    refused = await login(client, ALICE, PASSWORD)
    assert refused == {"token": None, "user": None, "errors": [throttled(60)]}
    clock.advance(timedelta(seconds=30))
    assert await errors_of(client, ALICE, PASSWORD) == [throttled(30)]
    clock.advance(timedelta(seconds=30))

    accepted = await login(client, ALICE, PASSWORD)
    assert (accepted["user"], accepted["errors"]) == ({"email": ALICE}, [])


async def test_guesses_in_aliases_of_one_request_are_throttled_too(
    client: GraphQLClient, world: World
) -> None:
    aliases = "\n".join(
        f'g{i}: login(input: {{email: "{ALICE}", password: "guess-{i}"}}) '
        "{ token errors { code message field } }"
        for i in range(15)
    )

    data = await client.data(f"mutation {{ {aliases} }}")

    answers = [data[f"g{i}"] for i in range(15)]
    assert all(a["token"] is None for a in answers)
    assert [a["errors"] for a in answers] == [[BAD]] * 5 + [[throttled(60)]] * 10


async def test_one_client_address_is_throttled_across_accounts(
    client: GraphQLClient, elsewhere: GraphQLClient, world: World
) -> None:
    for email in (ALICE, "bob@example.com", "carol@example.com", "admin@example.com"):
        for _ in range(4):
            assert await errors_of(client, email, WRONG) == [BAD]
    for i in range(4):
        assert await errors_of(client, f"nobody{i}@example.com", WRONG) == [BAD]

    assert await errors_of(client, ALICE, PASSWORD) == [throttled(60)]
    assert await errors_of(elsewhere, ALICE, PASSWORD) == []


async def test_a_throttled_unknown_address_answers_like_a_known_account(
    client: GraphQLClient, elsewhere: GraphQLClient, world: World
) -> None:
    for _ in range(5):
        assert await errors_of(client, ALICE, WRONG) == [BAD]
        assert await errors_of(elsewhere, "nobody@example.com", WRONG) == [BAD]

    known = await login(client, ALICE, WRONG)
    unknown = await login(elsewhere, "nobody@example.com", WRONG)
    assert known == unknown == {"token": None, "user": None, "errors": [throttled(60)]}


# --- logging out everywhere ---------------------------------------------------------------


async def test_logging_out_everywhere_revokes_the_callers_tokens(
    client: GraphQLClient, tokens: dict[str, str], clock: MutableClock
) -> None:
    old = tokens["alice"]
    clock.advance(timedelta(minutes=1))
    other = (await login(client, ALICE, PASSWORD))["token"]

    response = await client.post(LOGOUT_EVERYWHERE, token=other)

    assert response.json() == {"data": {"logoutEverywhere": {"ok": True, "errors": []}}}
    [set_cookie] = response.headers.get_list("set-cookie")
    cookie = SimpleCookie()
    cookie.load(set_cookie)
    assert (cookie["token"].value, cookie["token"]["max-age"]) == ("", "0")
    for token in (old, other):
        body = await client.run(ME, token=token)
        assert body["data"] is None
        [rejected] = body["errors"]
        assert (rejected["message"], rejected["extensions"]["code"]) == (
            REVOKED,
            "UNAUTHENTICATED",
        )
    assert (await client.data(ME, token=tokens["bob"]))["me"] == {"email": "bob@example.com"}
    fresh = (await login(client, ALICE, PASSWORD))["token"]
    assert (await client.data(ME, token=fresh))["me"] == {"email": ALICE}


async def test_logging_out_everywhere_needs_a_signed_in_caller(client: GraphQLClient) -> None:
    data = await client.data(LOGOUT_EVERYWHERE)

    assert data["logoutEverywhere"] == {
        "ok": False,
        "errors": [error("UNAUTHENTICATED", "sign in first: this needs a valid token")],
    }


# --- changing the password ----------------------------------------------------------------


def change(current: str, new: str, confirm: str | None = None) -> JSON:
    return {
        "input": {
            "currentPassword": current,
            "newPassword": new,
            "newPasswordConfirm": new if confirm is None else confirm,
        }
    }


async def test_changing_the_password_revokes_old_tokens_and_returns_a_working_one(
    client: GraphQLClient, tokens: dict[str, str]
) -> None:
    old = tokens["alice"]

    response = await client.post(CHANGE_PASSWORD, change(PASSWORD, NEW_PASSWORD), token=old)

    payload = response.json()["data"]["changePassword"]
    assert (payload["user"], payload["errors"]) == ({"email": ALICE}, [])
    assert "token=" in response.headers["set-cookie"]
    assert (await client.data(ME, token=payload["token"]))["me"] == {"email": ALICE}
    body = await client.run(ME, token=old)
    assert body["errors"][0]["message"] == REVOKED
    assert await errors_of(client, ALICE, PASSWORD) == [BAD]
    assert await errors_of(client, ALICE, NEW_PASSWORD) == []


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        pytest.param(
            change(WRONG, NEW_PASSWORD),
            error("INVALID_INPUT", "the current password is incorrect", "currentPassword"),
            id="wrong-current",
        ),
        pytest.param(
            change(PASSWORD, "weakpassword"),
            error(
                "INVALID_INPUT",
                "password needs a lower-case letter, an upper-case letter, a digit and a symbol",
                "newPassword",
            ),
            id="weak",
        ),
        pytest.param(
            change(PASSWORD, NEW_PASSWORD, "N3w-Passw0rd?"),
            error(
                "INVALID_INPUT",
                "the confirmation does not match the new password",
                "newPasswordConfirm",
            ),
            id="mismatched-confirm",
        ),
        pytest.param(
            change(PASSWORD, PASSWORD),
            error(
                "INVALID_INPUT",
                "the new password must differ from the current one",
                "newPassword",
            ),
            id="unchanged",
        ),
    ],
)
async def test_a_refused_password_change_says_precisely_why(
    client: GraphQLClient, tokens: dict[str, str], variables: JSON, expected: JSON
) -> None:
    data = await client.data(CHANGE_PASSWORD, variables, token=tokens["alice"])

    assert data["changePassword"] == {
        "token": None,
        "expiresAt": None,
        "user": None,
        "errors": [expected],
    }
    assert (await client.data(ME, token=tokens["alice"]))["me"] == {"email": ALICE}
