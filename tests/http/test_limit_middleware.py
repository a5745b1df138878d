"""RequestLimitMiddleware at the ASGI level, for what no test server reaches: a
WebSocket handshake whose header lines are each short but together too large (uvicorn's
protocol refuses it first when serving; under another server the middleware does)."""

from __future__ import annotations

from starlette.types import Message, Receive, Scope, Send

from gateway.http.limits import RequestLimitMiddleware


async def never(scope: Scope, receive: Receive, send: Send) -> None:
    raise AssertionError("the app must not see a refused request")


def handshake(extensions: dict[str, object]) -> Scope:
    headers = [(b"x-fill-%d" % n, b"a" * 1000) for n in range(20)]
    return {"type": "websocket", "path": "/graphql", "headers": headers, "extensions": extensions}


async def refused(scope: Scope) -> list[Message]:
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "websocket.connect"}

    async def send(message: Message) -> None:
        sent.append(message)

    middleware = RequestLimitMiddleware(
        never, max_body=1024, max_header_bytes=16384, body_seconds=1
    )
    await middleware(scope, receive, send)
    return sent


async def test_a_handshake_with_too_many_header_bytes_gets_an_http_431() -> None:
    sent = await refused(handshake({"websocket.http.response": {}}))
    assert [m["type"] for m in sent] == [
        "websocket.http.response.start",
        "websocket.http.response.body",
    ]
    assert sent[0]["status"] == 431
    assert sent[1]["body"] == b"the request headers are larger than 16384 bytes\n"


async def test_without_the_http_response_extension_it_is_closed() -> None:
    assert await refused(handshake({})) == [{"type": "websocket.close", "code": 1009, "reason": ""}]
