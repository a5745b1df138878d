"""Turns committed notifications into pushes to their recipients' devices."""

from __future__ import annotations

import asyncio
import logging

from gateway.services.events import Event, NotificationEvent
from gateway.services.notification_records import PushMessage
from gateway.services.ports import Database, PushSender

log = logging.getLogger(__name__)


class PushDispatcher:
    """An event sink: each NotificationEvent becomes a push to every device of its
    recipient. Sending runs in the background, so a slow push service never holds up the
    request that caused it; `stop` waits for sends under way."""

    def __init__(self, db: Database, sender: PushSender) -> None:
        self._db = db
        self._sender = sender
        self._sending: set[asyncio.Task[None]] = set()

    @property
    def sender(self) -> PushSender:
        return self._sender

    async def publish(self, event: Event) -> None:
        if isinstance(event, NotificationEvent):
            task = asyncio.create_task(self._push(event))
            self._sending.add(task)
            task.add_done_callback(self._sending.discard)

    async def _push(self, event: NotificationEvent) -> None:
        notification = event.notification
        try:
            async with self._db.reading() as uow:
                tokens = await uow.notifications.push_tokens([notification.recipient_id])
            data = {"notiId": notification.id, "kind": notification.kind.value}
            messages = [
                PushMessage(token, notification.title, notification.message, data)
                for token in tokens.get(notification.recipient_id, [])
            ]
            await self._sender.send(messages)
        except Exception:  # best effort: the notification itself is stored
            log.exception("push of notification %s failed", notification.id)

    async def drain(self) -> None:
        """Wait for every push under way (tests, shutdown)."""
        while self._sending:
            await asyncio.gather(*self._sending, return_exceptions=True)

    async def stop(self) -> None:
        await self.drain()
