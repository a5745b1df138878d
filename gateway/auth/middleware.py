"""Finds the caller's token and turns it into the request's Principal.

A token is accepted as `Authorization: Bearer <jwt>`, as a raw `Authorization: <jwt>`
(the legacy mobile client) or as the `token` cookie (the legacy web client).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from http.cookies import CookieError, SimpleCookie

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.services.authz import (
    ANONYMOUS,
    CREDENTIAL_SCOPE_KEY,
    PRINCIPAL_SCOPE_KEY,
    Principal,
    strip_bearer,
)

AUTH_COOKIE = "token"
Authenticate = Callable[[str], Awaitable[Principal]]


def find_token(headers: Headers) -> str | None:
    authorization = headers.get("authorization", "").strip()
    if authorization:
        return strip_bearer(authorization)
    cookie = SimpleCookie()
    try:
        cookie.load(headers.get("cookie", ""))
    except CookieError:  # a malformed Cookie header means no cookie, not a 500
        return None
    morsel = cookie.get(AUTH_COOKIE)
    return morsel.value if morsel and morsel.value else None


class PrincipalMiddleware:
    """Pure ASGI (so it also covers WebSockets): sets the principal on every request's scope."""

    def __init__(self, app: ASGIApp, authenticate: Authenticate) -> None:
        self._app = app
        self._authenticate = authenticate

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            token = find_token(Headers(scope=scope))
            scope[PRINCIPAL_SCOPE_KEY] = await self._authenticate(token) if token else ANONYMOUS
            scope[CREDENTIAL_SCOPE_KEY] = token
        await self._app(scope, receive, send)
