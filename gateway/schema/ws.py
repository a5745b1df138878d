"""Strawberry's WebSocket protocol handlers, hardened against malformed and idle clients.

graphql-transport-ws: a frame that is not a JSON object with a string `type`, or a
`subscribe` without a string `id` and a `payload` object holding a string `query`, closes
the socket with 4400 and a reason (Strawberry would crash on them and drop the
connection without a close frame).

graphql-ws (the legacy protocol): such frames get an `error` message, the protocol's way
to refuse one message; a socket that sends no `connection_init` within the view's
`connection_init_wait_timeout` is closed with 4408, as graphql-transport-ws does.

Both: a socket with no operation running that sends nothing for `ws_idle_seconds` is
closed with 1001 (going away), so abandoned sockets do not hold a server slot forever.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from contextlib import suppress
from typing import Any, cast

from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import Message
from strawberry.subscriptions.protocols.graphql_ws.handlers import BaseGraphQLWSHandler
from strawberry.subscriptions.protocols.graphql_ws.types import OperationMessage

from gateway.schema.context import Context

BAD_FRAME = "WebSocket message must be a JSON object with a string `type`"
BAD_SUBSCRIBE = "`subscribe` needs a string `id` and a `payload` object with a string `query`"
BAD_START = "`start` needs a string `id` and a `payload` object with a string `query`"
IDLE_CLOSE = 1001
DEFAULT_IDLE_SECONDS = 300.0


def _bad_operation(message: dict[str, Any]) -> bool:
    """Whether an operation message lacks what running it needs, with the right types."""
    payload = message.get("payload")
    return (
        not isinstance(message.get("id"), str)
        or not isinstance(payload, dict)
        or not isinstance(payload.get("query"), str)
        or not isinstance(payload.get("variables"), dict | None)
        or not isinstance(payload.get("operationName"), str | None)
    )


class _Idle:
    """Closes the socket after `seconds` without a message while it is `quiet`
    (initialised, nothing running: before `connection_init` its own deadline applies)."""

    def __init__(
        self,
        seconds: float,
        quiet: Callable[[], bool],
        close: Callable[[int, str], Awaitable[None]],
    ) -> None:
        self._seconds = seconds
        self._quiet = quiet
        self._close = close
        self._last = asyncio.get_running_loop().time()
        self._task = asyncio.create_task(self._watch())

    def touch(self) -> None:
        self._last = asyncio.get_running_loop().time()

    async def _watch(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(max(0.0, self._last + self._seconds - loop.time()))
            if loop.time() - self._last < self._seconds:
                continue  # a message came meanwhile
            if self._quiet():
                await self._close(IDLE_CLOSE, f"idle for {self._seconds:g} s")
                return
            self.touch()  # not initialised yet, or an operation runs: look again later

    async def stop(self) -> None:
        self._task.cancel()
        with suppress(BaseException):
            await self._task


def _idle_seconds(view: object) -> float:
    seconds = getattr(view, "ws_idle_seconds", DEFAULT_IDLE_SECONDS)
    return float(seconds) if isinstance(seconds, int | float) else DEFAULT_IDLE_SECONDS


class TransportWSHandler(BaseGraphQLTransportWSHandler[Context, None]):
    """graphql-transport-ws, refusing malformed frames with 4400."""

    async def handle(self) -> None:
        self._idle = _Idle(
            _idle_seconds(self.view),
            lambda: self.connection_acknowledged and not self.operations,
            self.websocket.close,
        )
        try:
            await super().handle()
        finally:
            await self._idle.stop()

    async def handle_message(self, message: Message) -> None:
        self._idle.touch()
        raw = cast("object", message)
        if not isinstance(raw, dict) or not isinstance(raw.get("type"), str):
            await self.handle_invalid_message(BAD_FRAME)
            return
        if raw["type"] == "subscribe" and _bad_operation(raw):
            await self.handle_invalid_message(BAD_SUBSCRIBE)
            return
        await super().handle_message(message)


class LegacyWSHandler(BaseGraphQLWSHandler[Context, None]):
    """graphql-ws (subscriptions-transport-ws), with a connection_init deadline."""

    async def handle(self) -> None:
        timeout = getattr(self.view, "connection_init_wait_timeout", None)
        seconds = timeout.total_seconds() if timeout is not None else 60.0
        init = asyncio.create_task(self._init_deadline(seconds))
        self._idle = _Idle(
            _idle_seconds(self.view),
            lambda: self.connection_acknowledged and not self.tasks,
            self.websocket.close,
        )
        try:
            await super().handle()
        finally:
            init.cancel()
            with suppress(BaseException):
                await init
            await self._idle.stop()

    async def _init_deadline(self, seconds: float) -> None:
        await asyncio.sleep(seconds)
        if not self.connection_acknowledged:
            await self.websocket.close(code=4408, reason="Connection initialisation timeout")

    async def handle_message(self, message: OperationMessage) -> None:
        self._idle.touch()
        raw = cast("object", message)
        if not isinstance(raw, dict) or not isinstance(raw.get("type"), str):
            await self._refuse(BAD_FRAME)
        elif raw["type"] in ("start", "stop") and not isinstance(raw.get("id"), str):
            await self._refuse(f"`{raw['type']}` needs a string `id`")
        elif raw["type"] == "start" and _bad_operation(raw):
            await self._refuse(BAD_START, raw["id"])
        else:
            await super().handle_message(message)

    async def _refuse(self, reason: str, operation: str | None = None) -> None:
        """The protocol's `error` message: this message is refused, the socket stays."""
        error: dict[str, object] = {"type": "error", "payload": {"message": reason}}
        if operation is not None:
            error["id"] = operation
        await self.send_message(cast("OperationMessage", error))
