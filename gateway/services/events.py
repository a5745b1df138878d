"""Events published after commit; gateway.live and gateway.mail listen to them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain.bookings import BookingChange, BookingChanged
from domain.notifications import Notification
from domain.users import Actor

__all__ = [
    "BookingChange",
    "BookingEvent",
    "Event",
    "MailQueued",
    "NotificationEvent",
    "OccupancyChanged",
    "notifications_topic",
    "occupancy_topic",
    "room_bookings_topic",
]


def room_bookings_topic(room_code: str) -> str:
    return f"room:{room_code}:bookings"


@dataclass(frozen=True)
class BookingEvent:
    """A booking of a room changed; subscribers receive it only as far as they may see it."""

    changed: BookingChanged
    room_code: str

    @property
    def topic(self) -> str:
        return room_bookings_topic(self.room_code)

    @property
    def change(self) -> BookingChange:
        return self.changed.change

    @property
    def booking_code(self) -> str:
        return self.changed.booking.code

    @property
    def occurred_at(self) -> datetime:
        return self.changed.occurred_at

    def visible_to(self, actor: Actor) -> bool:
        return self.changed.visible_to(actor)


@dataclass(frozen=True)
class MailQueued:
    """Something was added to the outbox; the relay should drain it."""

    occurred_at: datetime

    @property
    def topic(self) -> str:
        return "outbox"


class AddressRuleChange(StrEnum):
    ALLOWED = "allowed"
    REMOVED = "removed"
    ANONYMOUS_BLOCKED = "anonymous_blocked"
    ANONYMOUS_ALLOWED = "anonymous_allowed"


@dataclass(frozen=True)
class AddressRuleChanged:
    """An admin changed the sign-in address rules of `user_ids` (only those whose rules
    really changed): allowed or removed `address`, or set their block-anonymous flag
    (`address` None). For notifications ("IP address added/removed")."""

    change: AddressRuleChange
    address: str | None
    user_ids: tuple[int, ...]
    by: Actor
    occurred_at: datetime

    @property
    def topic(self) -> str:
        return "address-rules"


def notifications_topic(user_id: int) -> str:
    return f"user:{user_id}:notifications"


@dataclass(frozen=True)
class NotificationEvent:
    """A notification reached one recipient; only they receive it live and by push."""

    notification: Notification

    @property
    def topic(self) -> str:
        return notifications_topic(self.notification.recipient_id)

    @property
    def occurred_at(self) -> datetime:
        return self.notification.created_at

    def visible_to(self, actor: Actor) -> bool:
        return actor.user_id == self.notification.recipient_id


def occupancy_topic(location_id: int) -> str:
    return f"location:{location_id}:occupancy"


@dataclass(frozen=True)
class OccupancyChanged:
    """The live count of a location (a leaf or an ancestor of one) changed at ingest."""

    location_id: int
    occurred_at: datetime

    @property
    def topic(self) -> str:
        return occupancy_topic(self.location_id)


Event = BookingEvent | MailQueued | NotificationEvent | AddressRuleChanged | OccupancyChanged
