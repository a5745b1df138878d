"""Golden tests: the four ping endpoints, byte for byte, for every kind of caller."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from pydantic import TypeAdapter

from rest_compat import occupi
from tests.rest_compat.conftest import presented

JSON = "application/json; charset=utf-8"

PONG = b'{"data":null,"message":"pong -\\u003e I am alive and kicking","status":200}'
OPEN = (
    b'{"data":null,"message":"pong -\\u003e I am alive and kicking and you are not auth\'d, '
    b'only non-auth\'d users can access this endpoint","status":200}'
)
# The body the original's middleware_test.go asserts, to the byte.
AUTH = (
    b'{"data":null,"message":"pong -\\u003e I am alive and kicking and you are auth\'d",'
    b'"status":200}'
)
ADMIN = (
    b'{"data":null,"message":"pong -\\u003e I am alive and kicking and you are an admin",'
    b'"status":200}'
)
ALREADY = (
    b'{"error":{"code":"INVALID_AUTH","details":null,"message":"User already authorized"},'
    b'"message":"Bad Request","status":401}'
)
UNAUTHORISED = (
    b'{"error":{"code":"INVALID_AUTH","details":null,'
    b'"message":"User not authorized or Invalid auth token"},"message":"Bad Request","status":401}'
)
NOT_ADMIN = (
    b'{"error":{"code":"INVALID_AUTH","details":null,'
    b'"message":"User not authorized to access admin route"},"message":"Bad Request","status":401}'
)

Answer = tuple[int, str, bytes]
PATHS = ("/ping", "/ping-open", "/ping-auth", "/ping-admin")


def answers(pong: bytes, open_: Answer, auth: Answer, admin: Answer) -> dict[str, Answer]:
    return dict(zip(PATHS, ((200, JSON, pong), open_, auth, admin), strict=True))


SIGNED_OUT = answers(PONG, (200, JSON, OPEN), (401, JSON, UNAUTHORISED), (401, JSON, UNAUTHORISED))
BASIC = answers(PONG, (401, JSON, ALREADY), (200, JSON, AUTH), (401, JSON, NOT_ADMIN))
AN_ADMIN = answers(PONG, (401, JSON, ALREADY), (200, JSON, AUTH), (200, JSON, ADMIN))

# A rejected token counts as none for ping-open, and as a failed sign-in elsewhere.
EXPECTED = {
    "basic": BASIC,
    "admin": AN_ADMIN,
    "expired": SIGNED_OUT,
    "forged": SIGNED_OUT,
    "unsigned": SIGNED_OUT,
    "garbage": SIGNED_OUT,
}
FORMS = ("cookie", "raw", "bearer")


async def ask(http: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, Answer]:
    found = {}
    for path in PATHS:
        response = await http.get(path, headers=headers)
        found[path] = (response.status_code, response.headers["content-type"], response.content)
    return found


def declared_model(path: str, status: int) -> Any:
    [endpoint] = [e for e in occupi.API.endpoints if e.path == path]
    return endpoint.responses[status].model


def assert_documented(found: dict[str, Answer]) -> None:
    """Every answer matches the response model its endpoint declares for that status."""
    for path, (status, _type, body) in found.items():
        TypeAdapter(declared_model(path, status)).validate_json(body)


async def test_anonymous_callers(http: httpx.AsyncClient) -> None:
    found = await ask(http, {})
    assert found == SIGNED_OUT
    assert_documented(found)


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("caller", list(EXPECTED))
async def test_callers_by_credential_form(
    http: httpx.AsyncClient, credentials: dict[str, str], caller: str, form: str
) -> None:
    found = await ask(http, presented(credentials[caller], form))
    assert found == EXPECTED[caller]
    assert_documented(found)


@pytest.mark.parametrize(
    "headers",
    [{"Cookie": "token="}, {"Cookie": "other=1"}, {"Cookie": 'token="unterminated'}],
    ids=["empty-cookie", "other-cookie", "malformed-cookie"],
)
async def test_cookies_without_a_token_are_anonymous(
    http: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    assert await ask(http, headers) == SIGNED_OUT


async def test_head_is_answered_where_get_is(http: httpx.AsyncClient) -> None:
    response = await http.head("/ping")
    assert (response.status_code, response.headers["content-type"]) == (200, JSON)
    assert response.headers["content-length"] == str(len(PONG))
