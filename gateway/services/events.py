"""Events published after commit; gateway.live and gateway.mail listen to them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class BookingChange(StrEnum):
    CREATED = "created"
    CANCELLED = "cancelled"
    CHECKED_IN = "checked_in"


def room_bookings_topic(room_code: str) -> str:
    return f"room:{room_code}:bookings"


@dataclass(frozen=True)
class BookingEvent:
    change: BookingChange
    booking_code: str
    room_code: str
    starts_at: datetime
    ends_at: datetime
    occurred_at: datetime

    @property
    def topic(self) -> str:
        return room_bookings_topic(self.room_code)


@dataclass(frozen=True)
class MailQueued:
    """Something was added to the outbox; the relay should drain it."""

    occurred_at: datetime

    @property
    def topic(self) -> str:
        return "outbox"


Event = BookingEvent | MailQueued
