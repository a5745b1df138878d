"""uvicorn's protocols, adjusted so that a refused or stalled connection gets an answer
and is closed, instead of hanging (used by `occupi serve`).

- HTTP (httptools): the request head must arrive within OCCUPI_HEADER_READ_SECONDS of
  the connection or of the request's first byte (408 otherwise: slowloris clients hold
  no slot); its header lines may be at most OCCUPI_MAX_HEADER_BYTES together (431) and
  its target as long (414), refused before the app sees the request;
- WebSocket (websockets' sans-I/O protocol): a handshake the library refuses, such as
  one with a header line over 8 KiB, gets the library's answer (431) and a close;
  uvicorn 0.54 dropped that answer and left the socket open.
"""

from __future__ import annotations

import asyncio
import json
import os
from functools import cache
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

from gateway.http.config import HttpLimits

CONFIG_ATTRIBUTE = "occupi_http"
"""A uvicorn Config may carry HttpLimits under this name (tests, embedding servers)."""


@cache
def _from_env() -> HttpLimits:
    """Read from the environment, as every worker process reads its settings."""
    return HttpLimits.from_env(os.environ)


class _HeadRefused(Exception):
    """Stops the parser once the refusal is written."""


def _answer(status: int, reason: str, message: str) -> bytes:
    body = json.dumps({"message": message}).encode()
    return (
        f"HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\n"
        f"content-length: {len(body)}\r\nconnection: close\r\n\r\n"
    ).encode() + body


class LimitedHttpToolsProtocol(HttpToolsProtocol):
    """httptools with a deadline and a size limit on each request head."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_bytes = self._url_bytes = 0
        self._refused = False
        self._head_timer: asyncio.TimerHandle | None = None
        given = getattr(self.config, CONFIG_ATTRIBUTE, None)
        self._limits = given if isinstance(given, HttpLimits) else _from_env()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if not self._refused:
            super().data_received(data)

    def send_400_response(self, msg: str) -> None:
        if not self._refused:  # the parser stopped because the head was refused
            super().send_400_response(msg)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._head_bytes = self._url_bytes = 0
        self._arm()

    def on_url(self, url: bytes) -> None:
        self._url_bytes += len(url)
        limit = self._limits.max_header_bytes
        if self._url_bytes > limit:
            message = f"the request target is longer than {limit} bytes"
            self._refuse(_answer(414, "URI Too Long", message))
            raise _HeadRefused
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._count(len(name) + len(value) + 4)
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()

    def _count(self, size: int) -> None:
        self._head_bytes += size
        limit = self._limits.max_header_bytes
        if self._head_bytes > limit:
            message = f"the request headers are larger than {limit} bytes"
            self._refuse(_answer(431, "Request Header Fields Too Large", message))
            raise _HeadRefused

    def _arm(self) -> None:
        if self._head_timer is None and not self._refused:
            seconds = self._limits.header_read_seconds
            self._head_timer = self.loop.call_later(seconds, self._head_too_slow)

    def _disarm(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_too_slow(self) -> None:
        self._head_timer = None
        seconds = self._limits.header_read_seconds
        message = f"the request headers did not arrive within {seconds:g} s"
        self._refuse(_answer(408, "Request Timeout", message))

    def _refuse(self, answer: bytes) -> None:
        self._refused = True
        self._disarm()
        self._unset_keepalive_if_required()
        if not self.transport.is_closing():
            self.transport.write(answer)
            self.transport.close()


class AnsweringWebSocketsProtocol(WebSocketsSansIOProtocol):
    """Sends the answer websockets prepared for a handshake it could not accept."""

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.handshake_initiated or self.conn.handshake_exc is None:
            return
        if not self.transport.is_closing():
            self.transport.write(b"".join(self.conn.data_to_send()))
            self.transport.close()
