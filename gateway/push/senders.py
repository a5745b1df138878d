"""The default push sender: pushes go to the log (development, tests)."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from gateway.services.notification_records import PushMessage

log = logging.getLogger(__name__)


class LoggingPushSender:
    """Writes each push to the log instead of a device; the token is shortened, as it
    lets anybody push to the device."""

    def __init__(self) -> None:
        self.sent: list[PushMessage] = []

    async def send(self, messages: Sequence[PushMessage]) -> None:
        for message in messages:
            self.sent.append(message)
            log.info("push to %s…: %s", message.to[:22], message.title)
        del self.sent[:-100]  # a short memory, for a look in a debugger, never a leak
