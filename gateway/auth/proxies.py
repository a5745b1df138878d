"""The one place that decides a request's client address: the direct peer, or what the
trusted reverse proxies in front of the gateway say it is (OCCUPI_TRUSTED_PROXIES)."""

from __future__ import annotations

from collections.abc import Sequence

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from domain.addresses import IPNetwork
from domain.forwarding import forwarded_for, resolve_client, x_forwarded_for

PEER_KEY = "occupi.peer"
"""The scope key keeping the direct peer, once `client` holds the resolved address."""


def client_of(headers: Headers, peer: str | None, trusted: Sequence[IPNetwork]) -> str | None:
    """The client address of a request with these headers from `peer`.

    Headers are read only when the peer is trusted. `X-Forwarded-For` and `Forwarded`
    are both read: a proxy writes one of them, and a client could forge the other, so
    when both are present they must name the same client, or the peer answers.
    """
    if not trusted:
        return resolve_client(peer, None, trusted)
    answers: set[str | None] = set()
    if xff := headers.getlist("x-forwarded-for"):
        answers.add(resolve_client(peer, x_forwarded_for(xff), trusted))
    if forwarded := headers.getlist("forwarded"):
        hops = forwarded_for(forwarded)
        answers.add(resolve_client(peer, hops, trusted) if hops else resolve_client(peer, [], []))
    if len(answers) == 1:
        return answers.pop()
    return resolve_client(peer, None, trusted)


class ClientAddressMiddleware:
    """Pure ASGI (so it covers WebSockets): replaces the scope's `client` host with the
    resolved client address, so throttling, address rules and logs all see the same one.
    The direct peer stays under `PEER_KEY`."""

    def __init__(self, app: ASGIApp, trusted: Sequence[IPNetwork]) -> None:
        self._app = app
        self._trusted = tuple(trusted)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            client = scope.get("client")
            peer = str(client[0]) if client else None
            resolved = client_of(Headers(scope=scope), peer, self._trusted)
            scope[PEER_KEY] = peer
            if resolved is not None and client:
                scope["client"] = (resolved, client[1])
        await self._app(scope, receive, send)
