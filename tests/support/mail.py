"""A mail sender that keeps what it is given (the delivery port's test double)."""

from __future__ import annotations

import re

from gateway.services.records import OutgoingMail


class RecordingSender:
    timeout = 1.0

    def __init__(self) -> None:
        self.sent: list[OutgoingMail] = []

    async def send(self, mail: OutgoingMail) -> None:
        self.sent.append(mail)

    def to(self, address: str) -> list[OutgoingMail]:
        return [m for m in self.sent if address in m.to or address in m.bcc]

    def code_for(self, address: str) -> str:
        for mail in reversed(self.to(address)):
            found = re.search(r"\b(\d{6})\b", mail.body)
            if found:
                return found.group(1)
        raise AssertionError(f"no code mailed to {address}")
