"""Puts the caller's Principal on every request's ASGI scope, as Starlette's `auth`."""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.auth.credentials import find_token
from gateway.services.authz import ANONYMOUS
from gateway.services.ports import Authenticator


class PrincipalMiddleware:
    """Pure ASGI (so it also covers WebSockets). `request.auth` is the Principal: an actor,
    nobody, or a rejected credential with its reason."""

    def __init__(self, app: ASGIApp, authenticate: Authenticator) -> None:
        self._app = app
        self._authenticate = authenticate

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            token = find_token(Headers(scope=scope))
            scope["auth"] = await self._authenticate(token) if token else ANONYMOUS
        await self._app(scope, receive, send)
