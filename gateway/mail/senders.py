"""Mail senders. The console sender is the development default; SMTP comes with scale-out."""

from __future__ import annotations

import logging
from typing import Protocol

from gateway.services.records import OutgoingMail

log = logging.getLogger("occupi.mail")


class MailSender(Protocol):
    """Delivers one mail or raises; the relay retries failures later."""

    @property
    def timeout(self) -> float:
        """The longest one `send` takes, in seconds, before it returns or raises. The relay
        starts no send that this long could carry past the end of its lease."""
        ...

    async def send(self, mail: OutgoingMail) -> None: ...


class ConsoleSender:
    """Writes each mail to the log, so development needs no mail server."""

    timeout = 1.0  # a log line

    async def send(self, mail: OutgoingMail) -> None:
        log.info(
            "mail to=%s bcc=%s subject=%r\n%s",
            ", ".join(mail.to) or "-",
            ", ".join(mail.bcc) or "-",
            mail.subject,
            mail.body,
        )
