"""Request limits enforced before any route runs: the size of the request head, the
size of the body (counted while it streams in) and how long the body may take to arrive.

Pure ASGI, outside every route: a refused request costs at most the limit in memory and
never reaches a parser. Routes that stream large bodies and enforce their own limit
while doing so (image uploads: 16 MiB, sensor ingest: OCCUPI_INGEST_MAX_BYTES) are
named in `own_limits` and keep their own answers; the read deadline covers them too.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence

from starlette.types import ASGIApp, Message, Receive, Scope, Send

TOO_LARGE = "PAYLOAD_TOO_LARGE"
HEADERS_TOO_LARGE = "HEADERS_TOO_LARGE"
TOO_SLOW = "REQUEST_TIMEOUT"
GRAPHQL_PATH = "/graphql"


def head_size(scope: Scope) -> int:
    """The bytes of every header line, as sent (the target has its own limit: a long
    URL is a 414 from the server, see gateway.http.server)."""
    return sum(len(name) + len(value) + 4 for name, value in scope["headers"])


async def refuse(scope: Scope, send: Send, status: int, code: str, message: str) -> None:
    """A JSON refusal: GraphQL-shaped on /graphql, `{"message", "error"}` elsewhere."""
    if scope["path"].rstrip("/") == GRAPHQL_PATH:
        body: object = {"errors": [{"message": message, "extensions": {"code": code}}]}
    else:
        body = {"message": message, "error": {"code": code, "message": message, "field": None}}
    encoded = json.dumps(body).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(encoded))]
    headers.append((b"connection", b"close"))  # the rest of the request is not read
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": encoded})


class _Replay:
    """Gives the app the body read ahead, then the live channel (for disconnects)."""

    def __init__(self, body: bytes, receive: Receive) -> None:
        self._body: bytes | None = body
        self._receive = receive

    async def __call__(self) -> Message:
        if self._body is None:
            return await self._receive()
        body, self._body = self._body, None
        return {"type": "http.request", "body": body, "more_body": False}


class _Deadline:
    """The live channel, except that a body still arriving at the deadline reads as a
    disconnect, which the streaming routes already answer."""

    def __init__(self, receive: Receive, seconds: float) -> None:
        self._receive = receive
        self._seconds = seconds
        self._ends: float | None = None
        self._done = False
        self.expired = False

    async def __call__(self) -> Message:
        if self._done:
            return await self._receive()
        loop = asyncio.get_running_loop()
        self._ends = self._ends or loop.time() + self._seconds
        try:
            async with asyncio.timeout_at(self._ends):
                message = await self._receive()
        except TimeoutError:
            self._done = self.expired = True
            return {"type": "http.disconnect"}
        self._done = message["type"] != "http.request" or not message.get("more_body", False)
        return message


class RequestLimitMiddleware:
    """Refuses with 431 a request head over `max_header_bytes` (HTTP and WebSocket
    handshakes), with 413 a body over `max_body` (on a declared Content-Length before
    reading any of it, otherwise as soon as the count passes it), and with 408 a body
    not complete `body_seconds` after it began."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body: int,
        max_header_bytes: int,
        body_seconds: float,
        own_limits: Sequence[str] = (),
    ) -> None:
        self._app = app
        self._max_body = max_body
        self._max_head = max_header_bytes
        self._seconds = body_seconds
        self._own = tuple(own_limits)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket" and head_size(scope) > self._max_head:
            await self._refuse_handshake(scope, receive, send)
            return
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        if head_size(scope) > self._max_head:
            message = f"the request headers are larger than {self._max_head} bytes"
            await refuse(scope, send, 431, HEADERS_TOO_LARGE, message)
            return
        if scope["path"].startswith(self._own):
            await self._own_limit(scope, receive, send)
            return
        await self._limited(scope, receive, send)

    async def _limited(self, scope: Scope, receive: Receive, send: Send) -> None:
        too_large = f"the request body is larger than {self._max_body} bytes"
        declared = _content_length(scope)
        if declared is not None and declared > self._max_body:
            await refuse(scope, send, 413, TOO_LARGE, too_large)
            return
        deadline = _Deadline(receive, self._seconds)
        chunks: list[bytes] = []
        seen = 0
        while True:
            message = await deadline()
            if message["type"] == "http.disconnect":
                if deadline.expired:
                    slow = f"the request body did not arrive within {self._seconds:g} s"
                    await refuse(scope, send, 408, TOO_SLOW, slow)
                return  # the client left: nobody reads an answer
            chunk = message.get("body", b"")
            seen += len(chunk)
            if seen > self._max_body:
                await refuse(scope, send, 413, TOO_LARGE, too_large)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        await self._app(scope, _Replay(b"".join(chunks), receive), send)

    async def _own_limit(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The route reads (and counts) its body itself; past the deadline its answer
        closes the connection, so the rest of a slow body holds no slot."""
        deadline = _Deadline(receive, self._seconds)

        async def closing(message: Message) -> None:
            if message["type"] == "http.response.start" and deadline.expired:
                headers = [*message.get("headers", []), (b"connection", b"close")]
                message = {**message, "headers": headers}
            await send(message)

        await self._app(scope, deadline, closing)

    async def _refuse_handshake(self, scope: Scope, receive: Receive, send: Send) -> None:
        await receive()  # websocket.connect
        if "websocket.http.response" not in scope.get("extensions", {}):
            await send({"type": "websocket.close", "code": 1009, "reason": ""})
            return
        body = f"the request headers are larger than {self._max_head} bytes\n".encode()
        headers = [(b"content-type", b"text/plain; charset=utf-8")]
        await send({"type": "websocket.http.response.start", "status": 431, "headers": headers})
        await send({"type": "websocket.http.response.body", "body": body})


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length" and value.isdigit():
            return int(value)
    return None
