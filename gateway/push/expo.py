"""Pushes through Expo's push API (or anything speaking its format)."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import httpx

from gateway.services.notification_records import PushMessage

log = logging.getLogger(__name__)
CHUNK = 100  # Expo accepts at most 100 messages per request
TIMEOUT_SECONDS = 10.0


class ExpoPushSender:
    """POSTs JSON lists of `{to, title, body, data}` to `url`, 100 messages at a time.

    Best effort: a failed request (refused, timed out, an error status) is logged and the
    rest are still tried; nothing is raised and nothing is retried.
    """

    def __init__(
        self,
        url: str,
        *,
        timeout: float = TIMEOUT_SECONDS,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._url = url
        self._timeout = timeout
        self._transport = transport

    async def send(self, messages: Sequence[PushMessage]) -> None:
        if not messages:
            return
        async with httpx.AsyncClient(timeout=self._timeout, transport=self._transport) as http:
            for start in range(0, len(messages), CHUNK):
                chunk = messages[start : start + CHUNK]
                body = [
                    {"to": m.to, "title": m.title, "body": m.body, "data": dict(m.data)}
                    for m in chunk
                ]
                try:
                    response = await http.post(
                        self._url, json=body, headers={"Accept": "application/json"}
                    )
                    response.raise_for_status()
                except (httpx.HTTPError, httpx.InvalidURL) as error:
                    log.warning("%d pushes not sent: %s", len(chunk), error)
