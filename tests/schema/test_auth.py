"""Signing in, tokens, roles, registration and who may see what, through the real app."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from http.cookies import SimpleCookie
from typing import Any

import pytest

from domain.users import User
from gateway.app import Gateway
from tests.support.clock import MutableClock
from tests.support.graphql import JSON, GraphQLClient
from tests.support.mail import RecordingSender
from tests.support.tokens import claims_for, sign, unsigned
from tests.support.world import PASSWORD, World, booking_gid, user_gid

LOGIN = """
mutation Login($input: LoginInput!) {
  login(input: $input) {
    token expiresAt user { email role } errors { code message field }
  }
}
"""
ME = "{ me { email role } }"
REQUEST_CODE = """
mutation Request($input: RequestRegistrationCodeInput!) {
  requestRegistrationCode(input: $input) { sent errors { code message field } }
}
"""
REGISTER = """
mutation Register($input: RegisterInput!) {
  register(input: $input) {
    token expiresAt user { email name role } errors { code message field }
  }
}
"""
CREATE_USER = """
mutation Create($input: CreateUserInput!) {
  createUser(input: $input) { user { email name role } errors { code message field } }
}
"""
USERS = """
query Users($filter: UserFilter, $first: Int! = 20, $after: String) {
  users(filter: $filter, first: $first, after: $after) {
    totalCount
    edges { cursor node { email } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""
BOOK = """
mutation Book($input: BookRoomInput!) {
  bookRoom(input: $input) { booking { id code } errors { code message field } }
}
"""

BAD_LOGIN = "the e-mail address or the password is incorrect"
BAD_CODE = "the code is wrong or has expired; ask for a new one"
SIGN_IN_FIRST = "sign in first: this needs a valid token"
ADMINS_ONLY = "only an admin may do this"
PONG = "pong -> I am alive and kicking"
NEWCOMER = "dave@example.com"
NEW_PASSWORD = "N3w-Passw0rd!"
ALICE_EMAIL = "alice@example.com"
ALL_EMAILS = ["admin@example.com", ALICE_EMAIL, "bob@example.com", "carol@example.com"]


def error_of(body: JSON) -> JSON:
    """The response's only error: its message and its extensions (code, field)."""
    [error] = body["errors"]
    return {"message": error["message"], **error.get("extensions", {})}


def user_error(code: str, message: str, field: str | None = None) -> JSON:
    return {"code": code, "message": message, "field": field}


def failed_login(error: JSON) -> JSON:
    return {"token": None, "expiresAt": None, "user": None, "errors": [error]}


def new_user(role: str = "BASIC", email: str = NEWCOMER) -> JSON:
    return {"input": {"email": email, "name": "Dave", "password": NEW_PASSWORD, "role": role}}


def credentials(email: str, password: str) -> JSON:
    return {"input": {"email": email, "password": password}}


async def login(client: GraphQLClient, email: str, password: str) -> JSON:
    data = await client.data(LOGIN, credentials(email, password))
    payload: JSON = data["login"]
    return payload


# --- login ------------------------------------------------------------------------------


async def test_login_returns_a_token_and_sets_an_http_only_cookie(
    client: GraphQLClient, world: World
) -> None:
    response = await client.post(LOGIN, credentials(ALICE_EMAIL, PASSWORD))

    assert response.status_code == 200
    payload = response.json()["data"]["login"]
    assert payload["user"] == {"email": ALICE_EMAIL, "role": "BASIC"}
    assert payload["expiresAt"] == "2026-11-24T06:00:00+00:00"
    assert payload["errors"] == []
    [set_cookie] = response.headers.get_list("set-cookie")
    cookie = SimpleCookie()
    cookie.load(set_cookie)
    morsel = cookie["token"]
    assert morsel.value == payload["token"]
    assert morsel["httponly"] is True
    assert morsel["samesite"] == "lax"
    assert morsel["path"] == "/"
    assert morsel["expires"] == "Tue, 24 Nov 2026 06:00:00 GMT"
    assert not morsel["secure"]
    me = await client.data(ME, token=payload["token"])
    assert me["me"] == {"email": ALICE_EMAIL, "role": "BASIC"}


async def test_login_ignores_case_and_spaces_around_the_address(
    client: GraphQLClient, world: World
) -> None:
    payload = await login(client, "  Alice@EXAMPLE.com ", PASSWORD)
    assert payload["user"] == {"email": ALICE_EMAIL, "role": "BASIC"}


@pytest.mark.parametrize(
    ("email", "password"),
    [
        pytest.param(ALICE_EMAIL, "Wr0ng-Horse!", id="wrong-password"),
        pytest.param("nobody@example.com", PASSWORD, id="unknown-email"),
        pytest.param("not an address", PASSWORD, id="malformed-email"),
        pytest.param(ALICE_EMAIL, "", id="empty-password"),
    ],
)
async def test_every_failed_login_gives_the_same_answer(
    client: GraphQLClient, world: World, email: str, password: str
) -> None:
    response = await client.post(LOGIN, credentials(email, password))

    assert response.status_code == 200
    assert response.json()["data"]["login"] == failed_login(
        user_error("INVALID_CREDENTIALS", BAD_LOGIN)
    )
    assert "set-cookie" not in response.headers


async def test_logout_clears_the_token_cookie(client: GraphQLClient, world: World) -> None:
    response = await client.post("mutation { logout { ok errors { code message field } } }")

    assert response.status_code == 200
    assert response.json() == {"data": {"logout": {"ok": True, "errors": []}}}
    [set_cookie] = response.headers.get_list("set-cookie")
    cookie = SimpleCookie()
    cookie.load(set_cookie)
    morsel = cookie["token"]
    assert (morsel.value, morsel["max-age"], morsel["path"]) == ("", "0", "/")


# --- where the token travels --------------------------------------------------------------


@pytest.mark.parametrize(
    "carry",
    [
        pytest.param(lambda t: {"Authorization": f"Bearer {t}"}, id="bearer"),
        pytest.param(lambda t: {"Authorization": f"bearer  {t} "}, id="bearer-lower-case"),
        pytest.param(lambda t: {"Authorization": t}, id="raw-authorization"),
        pytest.param(lambda t: {"Cookie": f"theme=dark; token={t}"}, id="cookie"),
    ],
)
async def test_the_token_is_accepted_where_legacy_clients_send_it(
    client: GraphQLClient, tokens: dict[str, str], carry: Callable[[str], dict[str, str]]
) -> None:
    data = await client.data(ME, headers=carry(tokens["alice"]))
    assert data["me"] == {"email": ALICE_EMAIL, "role": "BASIC"}


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="nothing"),
        pytest.param({"Cookie": "theme=dark"}, id="other-cookie"),
        pytest.param({"Cookie": "token="}, id="empty-cookie"),
        pytest.param({"Cookie": 'token="unterminated'}, id="malformed-cookie"),
    ],
)
async def test_without_a_token_me_asks_to_sign_in(
    client: GraphQLClient, world: World, headers: dict[str, str]
) -> None:
    body = await client.run(ME, headers=headers)
    assert body["data"] is None
    assert error_of(body) == {"message": SIGN_IN_FIRST, "code": "UNAUTHENTICATED"}


# --- rejected tokens -----------------------------------------------------------------------

TokenMaker = Callable[[World, dict[str, str], MutableClock], str]


def _expired(world: World, tokens: dict[str, str], clock: MutableClock) -> str:
    clock.advance(timedelta(hours=24, seconds=1))
    return tokens["alice"]


def _at_expiry(world: World, tokens: dict[str, str], clock: MutableClock) -> str:
    clock.advance(timedelta(hours=24))
    return tokens["alice"]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        pytest.param(_expired, "the token has expired; sign in again", id="expired"),
        pytest.param(_at_expiry, "the token has expired; sign in again", id="at-expiry"),
        pytest.param(
            lambda w, t, c: sign(
                claims_for(w.alice, c.now()), secret="another-secret-of-the-same-good-length-0123"
            ),
            "the token's signature is invalid",
            id="forged",
        ),
        pytest.param(
            lambda w, t, c: unsigned(claims_for(w.admin, c.now())),
            "the token is signed with an algorithm this server does not accept",
            id="alg-none",
        ),
        pytest.param(
            lambda w, t, c: sign(claims_for(w.alice, c.now()), algorithm="HS512"),
            "the token is signed with an algorithm this server does not accept",
            id="other-algorithm",
            marks=pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning"),
        ),
        pytest.param(
            lambda w, t, c: "not-a-jwt",
            "the token is malformed: Not enough segments",
            id="garbage",
        ),
        pytest.param(
            lambda w, t, c: sign(claims_for(w.alice, c.now(), sub="999999")),
            "the account no longer exists",
            id="unknown-user",
        ),
        pytest.param(
            lambda w, t, c: sign(claims_for(w.alice, c.now(), iss="someone-else")),
            "the token is malformed: Invalid issuer",
            id="other-issuer",
        ),
    ],
)
async def test_a_rejected_token_gets_a_precise_reason(
    client: GraphQLClient,
    world: World,
    tokens: dict[str, str],
    clock: MutableClock,
    make: TokenMaker,
    message: str,
) -> None:
    token = make(world, tokens, clock)
    expected = {"message": message, "code": "UNAUTHENTICATED"}

    for query in (ME, "{ pingAuth }"):
        body = await client.run(query, token=token)
        assert body["data"] is None
        assert error_of(body) == expected
    mutation = await client.data(CREATE_USER, new_user(), token=token)
    assert mutation["createUser"] == {
        "user": None,
        "errors": [user_error("UNAUTHENTICATED", message)],
    }


async def test_a_token_is_valid_until_just_before_it_expires(
    client: GraphQLClient, tokens: dict[str, str], clock: MutableClock
) -> None:
    clock.advance(timedelta(hours=24) - timedelta(seconds=1))
    data = await client.data(ME, token=tokens["alice"])
    assert data["me"]["email"] == ALICE_EMAIL


async def test_a_token_issued_when_the_server_clock_is_ahead_is_accepted(
    client: GraphQLClient, world: World, clock: MutableClock
) -> None:
    """The codec must judge tokens by the injected clock only, not by the wall clock."""
    clock.advance(timedelta(days=800))
    payload = await login(client, ALICE_EMAIL, PASSWORD)
    client.http.cookies.clear()

    body = await client.run(ME, token=payload["token"])
    assert body.get("errors") is None, body["errors"]
    assert body["data"]["me"]["email"] == ALICE_EMAIL


# --- roles come from the database ----------------------------------------------------------


@pytest.mark.parametrize(
    ("handle", "claimed", "expected"),
    [
        pytest.param("bob", "admin", None, id="basic-claiming-admin"),
        pytest.param("admin", "basic", f"{PONG} and you are an admin", id="admin-claiming-basic"),
    ],
)
async def test_the_role_is_read_from_the_database_not_the_token(
    client: GraphQLClient,
    world: World,
    clock: MutableClock,
    handle: str,
    claimed: str,
    expected: str | None,
) -> None:
    user = getattr(world, handle)
    token = sign(claims_for(user, clock.now(), role=claimed))

    body = await client.run("{ pingAdmin }", token=token)

    if expected is None:
        assert error_of(body) == {"message": ADMINS_ONLY, "code": "FORBIDDEN"}
    else:
        assert body == {"data": {"pingAdmin": expected}}


async def test_a_basic_user_claiming_admin_cannot_use_admin_operations(
    client: GraphQLClient, world: World, clock: MutableClock
) -> None:
    token = sign(claims_for(world.bob, clock.now(), role="admin"))
    forbidden = {"message": ADMINS_ONLY, "code": "FORBIDDEN"}

    assert (await client.data(ME, token=token))["me"] == {
        "email": "bob@example.com",
        "role": "BASIC",
    }
    assert error_of(await client.run(USERS, token=token)) == forbidden
    created = await client.data(
        CREATE_USER,
        {"input": {"email": NEWCOMER, "name": "Dave", "password": NEW_PASSWORD, "role": "ADMIN"}},
        token=token,
    )
    assert created["createUser"] == {
        "user": None,
        "errors": [user_error("FORBIDDEN", ADMINS_ONLY)],
    }


# --- the legacy pings ----------------------------------------------------------------------

Refused = tuple[str, str]
ANONYMOUS_ONLY: Refused = ("ALREADY_AUTHENTICATED", "only signed-out callers may do this")
SIGNED_IN_ONLY: Refused = ("UNAUTHENTICATED", SIGN_IN_FIRST)
ADMIN_ONLY: Refused = ("FORBIDDEN", ADMINS_ONLY)
OPEN_PONG = f"{PONG} and you are not auth'd, only non-auth'd users can access this endpoint"
AUTH_PONG = f"{PONG} and you are auth'd"
ADMIN_PONG = f"{PONG} and you are an admin"


@pytest.mark.parametrize(
    ("caller", "field", "expected"),
    [
        ("anonymous", "ping", PONG),
        ("alice", "ping", PONG),
        ("admin", "ping", PONG),
        ("anonymous", "pingOpen", OPEN_PONG),
        ("alice", "pingOpen", ANONYMOUS_ONLY),
        ("admin", "pingOpen", ANONYMOUS_ONLY),
        ("anonymous", "pingAuth", SIGNED_IN_ONLY),
        ("alice", "pingAuth", AUTH_PONG),
        ("admin", "pingAuth", AUTH_PONG),
        ("anonymous", "pingAdmin", SIGNED_IN_ONLY),
        ("alice", "pingAdmin", ADMIN_ONLY),
        ("admin", "pingAdmin", ADMIN_PONG),
    ],
)
async def test_pings_answer_by_who_is_calling(
    client: GraphQLClient,
    tokens: dict[str, str],
    caller: str,
    field: str,
    expected: str | Refused,
) -> None:
    body = await client.run(f"{{ {field} }}", token=tokens.get(caller))

    if isinstance(expected, str):
        assert body == {"data": {field: expected}}
    else:
        code, message = expected
        assert body["data"] is None
        assert error_of(body) == {"message": message, "code": code}


# --- registration --------------------------------------------------------------------------


async def request_code(client: GraphQLClient, gateway: Gateway, email: str = NEWCOMER) -> JSON:
    data = await client.data(REQUEST_CODE, {"input": {"email": email}})
    await gateway.relay.drain()
    payload: JSON = data["requestRegistrationCode"]
    return payload


async def register(
    client: GraphQLClient, code: str, *, email: str = NEWCOMER, password: str = NEW_PASSWORD
) -> JSON:
    variables = {"input": {"email": email, "code": code, "password": password, "name": "Dave"}}
    data = await client.data(REGISTER, variables)
    payload: JSON = data["register"]
    return payload


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


BAD_CODE_ANSWER = failed_login(user_error("INVALID_CODE", BAD_CODE, "code"))


async def test_registration_mails_a_code_that_creates_a_basic_account(
    client: GraphQLClient, world: World, gateway: Gateway, mail: RecordingSender
) -> None:
    assert await request_code(client, gateway) == {"sent": True, "errors": []}
    [sent] = mail.to(NEWCOMER)
    assert sent.subject == "Your Occupi verification code"
    code = mail.code_for(NEWCOMER)
    assert re.fullmatch(r"\d{6}", code)
    assert f"Your verification code is {code}. It expires in 10 minutes." in sent.body

    payload = await register(client, code)

    assert payload["errors"] == []
    assert payload["user"] == {"email": NEWCOMER, "name": "Dave", "role": "BASIC"}
    assert payload["expiresAt"] == "2026-11-24T06:00:00+00:00"
    me = await client.data(ME, token=payload["token"])
    assert me["me"] == {"email": NEWCOMER, "role": "BASIC"}
    client.http.cookies.clear()
    assert (await login(client, NEWCOMER, NEW_PASSWORD))["errors"] == []


async def test_a_code_works_only_once(
    client: GraphQLClient, world: World, gateway: Gateway, mail: RecordingSender
) -> None:
    await request_code(client, gateway)
    code = mail.code_for(NEWCOMER)
    assert (await register(client, code))["errors"] == []

    assert await register(client, code, password="An0ther-Passw0rd!") == BAD_CODE_ANSWER


@pytest.mark.parametrize(("wrong_attempts", "succeeds"), [(1, True), (4, True), (5, False)])
async def test_wrong_codes_are_refused_and_five_of_them_burn_the_code(
    client: GraphQLClient,
    world: World,
    gateway: Gateway,
    mail: RecordingSender,
    wrong_attempts: int,
    succeeds: bool,
) -> None:
    await request_code(client, gateway)
    code = mail.code_for(NEWCOMER)
    for _ in range(wrong_attempts):
        assert await register(client, wrong(code)) == BAD_CODE_ANSWER

    payload = await register(client, code)

    if succeeds:
        assert payload["errors"] == []
        assert payload["user"]["email"] == NEWCOMER
    else:
        assert payload == BAD_CODE_ANSWER


@pytest.mark.parametrize(("minutes", "succeeds"), [(9, True), (11, False)])
async def test_a_code_expires_after_ten_minutes(
    client: GraphQLClient,
    world: World,
    gateway: Gateway,
    mail: RecordingSender,
    clock: MutableClock,
    minutes: int,
    succeeds: bool,
) -> None:
    await request_code(client, gateway)
    clock.advance(timedelta(minutes=minutes))

    payload = await register(client, mail.code_for(NEWCOMER))

    assert (payload["errors"] == []) is succeeds
    if not succeeds:
        assert payload == BAD_CODE_ANSWER


async def test_a_new_code_replaces_the_previous_one(
    client: GraphQLClient,
    world: World,
    gateway: Gateway,
    mail: RecordingSender,
    clock: MutableClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    codes = iter([111_111, 222_222])
    monkeypatch.setattr("gateway.services.accounts.secrets.randbelow", lambda _: next(codes))
    await request_code(client, gateway)
    first = mail.code_for(NEWCOMER)
    clock.advance(timedelta(minutes=1))  # past the cooldown between codes
    await request_code(client, gateway)
    second = mail.code_for(NEWCOMER)
    assert (first, second) == ("111111", "222222")

    assert await register(client, first) == BAD_CODE_ANSWER
    assert (await register(client, second))["errors"] == []


async def test_asking_again_within_a_minute_sends_nothing(
    client: GraphQLClient, world: World, gateway: Gateway, mail: RecordingSender
) -> None:
    assert await request_code(client, gateway) == {"sent": True, "errors": []}
    again = await request_code(client, gateway)
    # The same answer for an address that has an account: the cooldown reveals nothing.
    taken = await request_code(client, gateway, ALICE_EMAIL)
    taken_again = await request_code(client, gateway, ALICE_EMAIL)

    too_soon = user_error(
        "RATE_LIMITED",
        "a mail went to this address less than 60 seconds ago; ask again after that",
        "email",
    )
    assert again == {"sent": False, "errors": [too_soon]}
    assert taken == {"sent": True, "errors": []}
    assert taken_again == again
    assert len(mail.to(NEWCOMER)) == 1
    assert len(mail.to(ALICE_EMAIL)) == 1


async def test_the_code_cooldown_answers_its_wait(
    client: GraphQLClient, world: World, gateway: Gateway
) -> None:
    await request_code(client, gateway)
    again = await client.data(
        "mutation($e: String!) { requestRegistrationCode(input: {email: $e}) "
        "{ sent errors { code retryAfter } } }",
        {"e": NEWCOMER},
    )
    assert again["requestRegistrationCode"] == {
        "sent": False,
        "errors": [{"code": "RATE_LIMITED", "retryAfter": 60}],
    }


async def test_registering_a_taken_address_mails_a_notice_and_no_code(
    client: GraphQLClient, world: World, gateway: Gateway, mail: RecordingSender
) -> None:
    assert await request_code(client, gateway, "  ALICE@example.com") == {
        "sent": True,
        "errors": [],
    }

    [notice] = mail.to(ALICE_EMAIL)
    assert notice.subject == "You already have an Occupi account"
    assert re.search(r"\d{6}", notice.body) is None
    assert await register(client, "000000", email=ALICE_EMAIL) == BAD_CODE_ANSWER


async def test_requesting_a_code_for_a_malformed_address_is_refused(
    client: GraphQLClient, world: World, gateway: Gateway, mail: RecordingSender
) -> None:
    payload = await request_code(client, gateway, "dave-at-example")

    assert payload == {
        "sent": False,
        "errors": [
            user_error("INVALID_INPUT", "'dave-at-example' is not a valid e-mail address", "email")
        ],
    }
    assert mail.sent == []


LENGTH_RULE = "password must be 8 to 256 characters long"
CLASSES_RULE = "password needs a lower-case letter, an upper-case letter, a digit and a symbol"


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Sh0rt!", LENGTH_RULE),
        ("all-lower-case-1", CLASSES_RULE),
        ("ALL-UPPER-CASE-1", CLASSES_RULE),
        ("No-Digits-Here!", CLASSES_RULE),
        ("NoSymbols123", CLASSES_RULE),
    ],
)
async def test_a_weak_password_is_refused_without_using_up_the_code(
    client: GraphQLClient,
    world: World,
    gateway: Gateway,
    mail: RecordingSender,
    password: str,
    message: str,
) -> None:
    await request_code(client, gateway)
    code = mail.code_for(NEWCOMER)

    payload = await register(client, code, password=password)

    assert payload == failed_login(user_error("INVALID_INPUT", message, "password"))
    assert (await register(client, code))["errors"] == []


# --- creating users ------------------------------------------------------------------------


async def count_users(client: GraphQLClient, tokens: dict[str, str], search: str) -> int:
    data = await client.data(USERS, {"filter": {"search": search}}, token=tokens["admin"])
    count: int = data["users"]["totalCount"]
    return count


@pytest.mark.parametrize(
    ("caller", "code", "message"),
    [
        ("anonymous", "UNAUTHENTICATED", SIGN_IN_FIRST),
        ("alice", "FORBIDDEN", ADMINS_ONLY),
    ],
)
async def test_only_admins_create_users(
    client: GraphQLClient, tokens: dict[str, str], caller: str, code: str, message: str
) -> None:
    data = await client.data(CREATE_USER, new_user(), token=tokens.get(caller))

    assert data["createUser"] == {"user": None, "errors": [user_error(code, message)]}
    assert await count_users(client, tokens, "dave") == 0


async def test_an_address_can_have_only_one_account(
    client: GraphQLClient, tokens: dict[str, str]
) -> None:
    data = await client.data(
        CREATE_USER, new_user(email=" Alice@Example.COM"), token=tokens["admin"]
    )

    assert data["createUser"] == {
        "user": None,
        "errors": [user_error("EMAIL_TAKEN", f"{ALICE_EMAIL} already has an account", "email")],
    }
    assert await count_users(client, tokens, "alice") == 1


@pytest.mark.parametrize("role", ["BASIC", "ADMIN"])
async def test_an_admin_creates_users_of_either_role(
    client: GraphQLClient, tokens: dict[str, str], role: str
) -> None:
    data = await client.data(CREATE_USER, new_user(role), token=tokens["admin"])
    assert data["createUser"] == {
        "user": {"email": NEWCOMER, "name": "Dave", "role": role},
        "errors": [],
    }

    session = await login(client, NEWCOMER, NEW_PASSWORD)
    client.http.cookies.clear()
    body = await client.run("{ pingAdmin }", token=session["token"])
    if role == "ADMIN":
        assert body == {"data": {"pingAdmin": ADMIN_PONG}}
    else:
        assert error_of(body) == {"message": ADMINS_ONLY, "code": "FORBIDDEN"}


# --- listing users -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("caller", "code", "message"),
    [
        ("anonymous", "UNAUTHENTICATED", SIGN_IN_FIRST),
        ("bob", "FORBIDDEN", ADMINS_ONLY),
    ],
)
async def test_only_admins_list_users(
    client: GraphQLClient, tokens: dict[str, str], caller: str, code: str, message: str
) -> None:
    body = await client.run(USERS, token=tokens.get(caller))
    assert body["data"] is None
    assert error_of(body) == {"message": message, "code": code}


def emails(connection: JSON) -> list[str]:
    return [edge["node"]["email"] for edge in connection["edges"]]


@pytest.mark.parametrize(
    ("filter", "expected"),
    [
        pytest.param(None, ALL_EMAILS, id="everybody"),
        pytest.param({"role": "ADMIN"}, ["admin@example.com"], id="admins"),
        pytest.param({"role": "BASIC"}, ALL_EMAILS[1:], id="basic-users"),
        pytest.param({"search": "ALI"}, [ALICE_EMAIL], id="email-any-case"),
        pytest.param({"search": "Carol"}, ["carol@example.com"], id="name"),
        pytest.param({"search": "example.com"}, ALL_EMAILS, id="domain"),
        pytest.param({"search": "%"}, [], id="wildcard-is-literal"),
        pytest.param({"role": "ADMIN", "search": "alice"}, [], id="both-must-match"),
    ],
)
async def test_users_can_be_filtered_by_role_and_search(
    client: GraphQLClient, tokens: dict[str, str], filter: JSON | None, expected: list[str]
) -> None:
    data = await client.data(USERS, {"filter": filter}, token=tokens["admin"])

    assert emails(data["users"]) == expected
    assert data["users"]["totalCount"] == len(expected)


async def test_users_are_paged_with_cursors(client: GraphQLClient, tokens: dict[str, str]) -> None:
    async def page(first: int, after: str | None = None) -> Any:
        variables = {"first": first, "after": after}
        return (await client.data(USERS, variables, token=tokens["admin"]))["users"]

    first = await page(3)
    assert emails(first) == ALL_EMAILS[:3]
    assert first["totalCount"] == 4
    assert first["pageInfo"] == {
        "hasNextPage": True,
        "hasPreviousPage": False,
        "startCursor": first["edges"][0]["cursor"],
        "endCursor": first["edges"][2]["cursor"],
    }

    second = await page(3, first["pageInfo"]["endCursor"])
    assert emails(second) == ALL_EMAILS[3:]
    assert second["totalCount"] == 4
    assert second["pageInfo"]["hasNextPage"] is False
    assert second["pageInfo"]["hasPreviousPage"] is True

    middle = await page(2, first["edges"][0]["cursor"])
    assert emails(middle) == ALL_EMAILS[1:3]
    assert middle["pageInfo"]["hasNextPage"] is True

    empty = await page(0)
    assert empty["edges"] == []
    assert empty["totalCount"] == 4
    assert empty["pageInfo"] == {
        "hasNextPage": True,
        "hasPreviousPage": False,
        "startCursor": None,
        "endCursor": None,
    }


# --- who sees a booking's details ----------------------------------------------------------

BOOKING = (
    "query Booking($id: ID!) { booking(id: $id) { id code createdBy { id name email role } } }"
)
ROOM_DAY = """
query RoomDay($date: Date!) {
  room(id: "RM000") {
    bookings(date: $date) {
      id start end title checkedIn createdAt attendees { email } createdBy { id name email }
    }
  }
}
"""


async def book_for_alice(client: GraphQLClient, tokens: dict[str, str]) -> JSON:
    """Alice books RM000 from 10:00 to 11:00 in Johannesburg today and invites Carol; the
    new booking's id and code."""
    request = {
        "roomId": "RM000",
        "start": "2026-11-23T10:00:00+02:00",
        "end": "2026-11-23T11:00:00+02:00",
        "attendees": ["carol@example.com"],
        "title": "Planning",
    }
    data = await client.data(BOOK, {"input": request}, token=tokens["alice"])
    assert data["bookRoom"]["errors"] == []
    booking: JSON = data["bookRoom"]["booking"]
    assert booking["id"] == booking_gid(booking["code"])
    return booking


def missing_booking(code: str) -> JSON:
    return {"message": f"no booking with id {code!r}", "code": "NOT_FOUND", "field": "id"}


async def test_nobody_outside_a_booking_can_fetch_it(
    client: GraphQLClient, tokens: dict[str, str]
) -> None:
    booking = await book_for_alice(client, tokens)
    unknown = "BOOKOCCUPI2026ZZZZZZZZ"

    # By global id and by code alike: a hidden booking must be indistinguishable from a
    # missing one, field included.
    for hidden_ref, missing_ref in (
        (booking["id"], booking_gid(unknown)),
        (booking["code"], unknown),
    ):
        hidden = await client.run(BOOKING, {"id": hidden_ref}, token=tokens["bob"])
        missing = await client.run(BOOKING, {"id": missing_ref}, token=tokens["bob"])

        assert missing["data"] is None
        assert error_of(missing) == missing_booking(unknown)
        assert hidden["data"] is None
        assert error_of(hidden) == missing_booking(booking["code"])


@pytest.mark.parametrize(
    ("viewer", "sees_account"), [("alice", True), ("carol", False), ("admin", True)]
)
async def test_the_people_involved_and_admins_can_fetch_a_booking(
    client: GraphQLClient, world: World, tokens: dict[str, str], viewer: str, sees_account: bool
) -> None:
    booking = await book_for_alice(client, tokens)

    data = await client.data(BOOKING, {"id": booking["id"]}, token=tokens[viewer])

    # Carol, an attendee, sees who booked, but Alice's address and role are Alice's own.
    creator = {
        "id": user_gid(world.alice),
        "name": "Alice",
        "email": ALICE_EMAIL if sees_account else None,
        "role": "BASIC" if sees_account else None,
    }
    assert data["booking"] == {**booking, "createdBy": creator}


@pytest.mark.parametrize(
    ("viewer", "sees_details"),
    [("bob", False), ("alice", True), ("carol", True), ("admin", True)],
)
async def test_a_rooms_day_hides_who_booked_from_outsiders(
    client: GraphQLClient, world: World, tokens: dict[str, str], viewer: str, sees_details: bool
) -> None:
    booking = await book_for_alice(client, tokens)

    data = await client.data(ROOM_DAY, {"date": "2026-11-23"}, token=tokens[viewer])

    details: dict[str, Any] = dict.fromkeys(
        ("title", "checkedIn", "createdAt", "attendees", "createdBy")
    )
    if sees_details:
        details = {
            "title": "Planning",
            "checkedIn": False,
            "createdAt": "2026-11-23T06:00:00+00:00",
            "attendees": [{"email": ALICE_EMAIL}, {"email": "carol@example.com"}],
            "createdBy": {
                "id": user_gid(world.alice),
                "name": "Alice",
                "email": None if viewer == "carol" else ALICE_EMAIL,
            },
        }
    assert data["room"]["bookings"] == [
        {
            "id": booking["id"],
            "start": "2026-11-23T08:00:00+00:00",
            "end": "2026-11-23T09:00:00+00:00",
            **details,
        }
    ]


# --- who sees a person's address and role ---------------------------------------------------

PEOPLE = "createdBy { id name email role } attendees { email user { id name email role } }"
BOOK_WITH_PEOPLE = f"""
mutation Book($input: BookRoomInput!) {{
  bookRoom(input: $input) {{ booking {{ id {PEOPLE} }} errors {{ code message field }} }}
}}
"""
BOOKING_PEOPLE = f"query Booking($id: ID!) {{ booking(id: $id) {{ id {PEOPLE} }} }}"


def person(user: User, viewer: str) -> JSON:
    """`user` as `viewer` may see them: address and role only for themselves and admins."""
    full = viewer == "admin" or user.email == f"{viewer}@example.com"
    return {
        "id": user_gid(user),
        "name": user.name,
        "email": user.email if full else None,
        "role": user.role.value.upper() if full else None,
    }


def people_as_seen_by(world: World, viewer: str) -> JSON:
    """Alice's booking with the admin and Bob invited, as `viewer` sees its people."""
    return {
        "createdBy": person(world.alice, viewer),
        "attendees": [
            {"email": u.email, "user": person(u, viewer)}
            for u in (world.alice, world.admin, world.bob)
        ],
    }


async def test_inviting_people_does_not_reveal_their_roles_or_addresses(
    client: GraphQLClient, world: World, tokens: dict[str, str]
) -> None:
    """Alice invites the admin's and Bob's addresses: she learns their accounts' ids and
    names, never which of them is an admin, nor any account's address or role but hers."""
    request = {
        "roomId": "RM000",
        "start": "2026-11-23T10:00:00+02:00",
        "end": "2026-11-23T11:00:00+02:00",
        "attendees": ["ADMIN@example.com", "bob@example.com"],
    }
    data = await client.data(BOOK_WITH_PEOPLE, {"input": request}, token=tokens["alice"])
    payload = data["bookRoom"]
    assert payload["errors"] == []
    booking = payload["booking"]
    code = booking["id"]

    assert booking == {"id": code, **people_as_seen_by(world, "alice")}
    fetched = await client.data(BOOKING_PEOPLE, {"id": code}, token=tokens["alice"])
    assert fetched["booking"] == {"id": code, **people_as_seen_by(world, "alice")}
    roles = [a["user"]["role"] for a in fetched["booking"]["attendees"]]
    assert roles == ["BASIC", None, None]


@pytest.mark.parametrize("viewer", ["bob", "admin"])
async def test_an_invitee_sees_only_their_own_account_and_an_admin_sees_all(
    client: GraphQLClient, world: World, tokens: dict[str, str], viewer: str
) -> None:
    request = {
        "roomId": "RM000",
        "start": "2026-11-23T10:00:00+02:00",
        "end": "2026-11-23T11:00:00+02:00",
        "attendees": ["admin@example.com", "bob@example.com"],
    }
    data = await client.data(BOOK_WITH_PEOPLE, {"input": request}, token=tokens["alice"])
    code = data["bookRoom"]["booking"]["id"]

    fetched = await client.data(BOOKING_PEOPLE, {"id": code}, token=tokens[viewer])

    assert fetched["booking"] == {"id": code, **people_as_seen_by(world, viewer)}
    if viewer == "admin":
        roles = [a["user"]["role"] for a in fetched["booking"]["attendees"]]
        assert roles == ["BASIC", "ADMIN", "BASIC"]
        assert fetched["booking"]["createdBy"]["email"] == ALICE_EMAIL
