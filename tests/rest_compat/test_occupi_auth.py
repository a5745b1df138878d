"""Golden tests: Occupi's /auth/* routes through the real app, status and whole body,
with the cookie or mobile hand-over of the token and the mailed codes read from mail."""

from __future__ import annotations

import re
from http.cookies import SimpleCookie
from typing import Any

import httpx
import pytest

from gateway.app import Gateway
from gateway.services.authz import Principal
from tests.support.mail import RecordingSender
from tests.support.world import PASSWORD, World

NEW_PASSWORD = "N3w-Passw0rd!"
JWT = re.compile(r"^[\w-]+\.[\w-]+\.[\w-]+$")
SIGNED_IN = {"data": None, "message": "Successful login!", "status": 200}
CODE_MAILED = {"data": None, "message": "Please check your email for an otp.", "status": 200}


def fail(status: int, code: str, message: str, summary: str) -> dict[str, Any]:
    return {
        "error": {"code": code, "details": None, "message": message},
        "message": summary,
        "status": status,
    }


ALREADY = fail(401, "INVALID_AUTH", "User already authorized", "Bad Request")
UNAUTHORISED = fail(401, "INVALID_AUTH", "User not authorized or Invalid auth token", "Bad Request")
BAD_LOGIN = fail(
    401, "INVALID_AUTH", "the e-mail address or the password is incorrect", "Invalid credentials"
)
NOT_ADMIN = fail(400, "INVALID_AUTH", "Only admins can access this route", "Not an admin")
BAD_CODE = fail(
    400, "BAD_REQUEST", "the code is wrong or has expired; ask for a new one", "Invalid OTP"
)


def token_cookie(response: httpx.Response) -> SimpleCookie:
    [header] = [h for h in response.headers.get_list("set-cookie") if h.startswith("token=")]
    cookie = SimpleCookie()
    cookie.load(header)
    return cookie


async def post(http: httpx.AsyncClient, path: str, body: object, **kw: Any) -> httpx.Response:
    return await http.post(path, json=body, **kw)


async def pinged(http: httpx.AsyncClient, headers: dict[str, str]) -> int:
    return (await http.get("/ping-auth", headers=headers)).status_code


def credentials(email: str = "alice@example.com", password: str = PASSWORD) -> dict[str, str]:
    return {"email": email, "password": password}


# --- sign-in ------------------------------------------------------------------------------


async def test_web_login_sets_the_token_cookie(http: httpx.AsyncClient, world: World) -> None:
    response = await post(http, "/auth/login", credentials())
    assert (response.status_code, response.json()) == (200, SIGNED_IN)
    assert response.content == b'{"data":null,"message":"Successful login!","status":200}'
    morsel = token_cookie(response)["token"]
    assert JWT.match(morsel.value)
    lifetime = int(world.gateway.settings.token_lifetime.total_seconds())
    assert (morsel["path"], morsel["httponly"], morsel["max-age"]) == ("/", True, str(lifetime))
    assert "authorization" not in response.headers
    assert await pinged(http, {"Cookie": f"token={morsel.value}"}) == 200


@pytest.mark.parametrize("path", ["/auth/login-mobile", "/auth/login-admin-mobile"])
async def test_mobile_login_hands_the_token_over_in_data_and_header(
    http: httpx.AsyncClient, world: World, path: str
) -> None:
    response = await post(http, path, credentials("admin@example.com"))
    body = response.json()
    assert response.status_code == 200
    assert body == {"data": {"token": body["data"]["token"]}, **SIGNED_IN | {"data": body["data"]}}
    token = body["data"]["token"]
    assert JWT.match(token)
    assert response.headers["authorization"] == f"Bearer {token}"
    assert not response.headers.get_list("set-cookie")
    assert await pinged(http, {"Authorization": token}) == 200


@pytest.mark.parametrize("path", ["/auth/login-admin", "/auth/login-admin-mobile"])
async def test_admin_login_checks_the_stored_role(
    http: httpx.AsyncClient, world: World, path: str
) -> None:
    refused = await post(http, path, credentials())
    assert (refused.status_code, refused.json()) == (400, NOT_ADMIN)
    assert not refused.headers.get_list("set-cookie")
    admitted = await post(http, path, credentials("admin@example.com"))
    assert admitted.status_code == 200


@pytest.mark.parametrize(
    "body",
    [credentials(password="Wr0ng-password!"), credentials("nobody@example.com")],
    ids=["wrong-password", "unknown-address"],
)
async def test_a_wrong_address_or_password_gets_one_answer(
    http: httpx.AsyncClient, world: World, body: dict[str, str]
) -> None:
    response = await post(http, "/auth/login", body)
    assert (response.status_code, response.json()) == (401, BAD_LOGIN)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"email": "alice@example.com"}, "missing field required: password"),
        ({"password": PASSWORD}, "missing field required: email"),
        ({"email": 3, "password": PASSWORD}, "email: Input should be a valid string"),
    ],
)
async def test_bad_login_input_names_the_field(
    http: httpx.AsyncClient, world: World, body: object, message: str
) -> None:
    response = await post(http, "/auth/login", body)
    assert (response.status_code, response.json()) == (
        400,
        fail(400, "BAD_REQUEST", message, "Invalid request payload"),
    )


async def test_malformed_json_is_a_400_not_a_500(http: httpx.AsyncClient, world: World) -> None:
    response = await http.post("/auth/login", content=b'{"email": "a@b.co",}')
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "BAD_REQUEST"


async def test_signed_in_callers_cannot_sign_in_again(
    http: httpx.AsyncClient, tokens: dict[str, str]
) -> None:
    response = await post(
        http, "/auth/login", credentials(), headers={"Cookie": f"token={tokens['alice']}"}
    )
    assert (response.status_code, response.json()) == (401, ALREADY)


async def test_too_many_failures_are_throttled(http: httpx.AsyncClient, world: World) -> None:
    for _ in range(5):
        await post(http, "/auth/login", credentials(password="Wr0ng-password!"))
    response = await post(http, "/auth/login", credentials())
    assert response.status_code == 429
    assert response.json() == fail(
        429,
        "TOO_MANY_REQUESTS",
        "too many failed sign-ins; try again in 60 seconds",
        "Too many login attempts",
    )


async def mfa_on(world: World) -> None:
    principal = Principal(actor=world.alice.as_actor())
    await world.gateway.app.accounts.update_security_settings(
        principal, mfa=True, current_password=PASSWORD, client=None
    )


async def test_a_challenged_sign_in_answers_200_without_a_token_then_the_code_signs_in(
    http: httpx.AsyncClient, world: World, gateway: Gateway, mail: RecordingSender
) -> None:
    await mfa_on(world)
    challenged = await post(http, "/auth/login-mobile", credentials())
    assert (challenged.status_code, challenged.json()) == (200, CODE_MAILED)
    assert "authorization" not in challenged.headers
    await gateway.relay.drain()
    code = mail.code_for("alice@example.com")

    wrong = await post(
        http, "/auth/verify-otp-login", {"email": "alice@example.com", "otp": "000000"}
    )
    assert (wrong.status_code, wrong.json()) == (400, BAD_CODE)
    done = await post(http, "/auth/verify-otp-login", {"email": "alice@example.com", "otp": code})
    assert (done.status_code, done.json()) == (200, SIGNED_IN)
    assert JWT.match(token_cookie(done)["token"].value)


async def test_the_admin_code_route_refuses_a_basic_account(
    http: httpx.AsyncClient, world: World, gateway: Gateway, mail: RecordingSender
) -> None:
    await mfa_on(world)
    await post(http, "/auth/login-admin", credentials())
    await gateway.relay.drain()
    code = mail.code_for("alice@example.com")
    for path in ("/auth/verify-otp-admin-login", "/auth/verify-otp-mobile-admin-login"):
        refused = await post(http, path, {"email": "alice@example.com", "otp": code})
        assert refused.status_code == 400
        assert refused.json()["message"] in ("Not an admin", "Invalid OTP")
        assert "authorization" not in refused.headers
        assert not refused.headers.get_list("set-cookie")


async def test_a_new_client_address_is_confirmed_by_code(
    world: World, app: Any, gateway: Gateway, mail: RecordingSender
) -> None:
    for peer in ("192.0.2.10", "198.51.100.7"):
        transport = httpx.ASGITransport(app=app, client=(peer, 4321))
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            response = await post(http, "/auth/login", credentials())
    assert response.json() == {
        "data": None,
        "message": "New login location detected. Please check your email for an otp.",
        "status": 200,
    }


async def test_logout_clears_the_cookies_and_revokes_the_token(
    http: httpx.AsyncClient, world: World, clock: Any
) -> None:
    token = (await post(http, "/auth/login-mobile", credentials())).json()["data"]["token"]
    response = await http.post("/auth/logout", headers={"Authorization": token})
    assert response.content == b'{"data":null,"message":"Logged out successfully!","status":200}'
    cleared = {h.split("=", 1)[0]: h for h in response.headers.get_list("set-cookie")}
    assert set(cleared) == {"token", "occupi-sessions-store"}
    assert all("Max-Age=0" in h for h in cleared.values())
    assert await pinged(http, {"Authorization": token}) == 401
    again = await http.post("/auth/logout", headers={"Authorization": token})
    assert (again.status_code, again.json()) == (401, UNAUTHORISED)


@pytest.mark.parametrize(
    "path",
    [
        "/auth/verify-2fa",
        "/auth/verify-otp-enable-2fa",
        "/auth/login-admin-begin",
        "/auth/login-admin-finish/1",
        "/auth/register-admin-begin",
        "/auth/register-admin-finish/1",
    ],
)
async def test_routes_not_served_are_gins_404(http: httpx.AsyncClient, path: str) -> None:
    response = await http.post(path, json={"email": "alice@example.com"})
    assert (response.status_code, response.content) == (404, b"404 page not found")
