"""Tells the audit log each request's client address (as ClientAddressMiddleware
resolved it), so that use cases record it without passing it along."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.services.audit import client_scope


class AuditClientMiddleware:
    """Pure ASGI, inside ClientAddressMiddleware: HTTP requests and WebSockets alike."""

    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self._app(scope, receive, send)
            return
        client = scope.get("client")
        with client_scope(str(client[0]) if client else None):
            await self._app(scope, receive, send)
