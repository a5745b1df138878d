"""Events on the wire between gateway processes: versioned JSON, checked field by field.

The format is written out by hand rather than derived from the dataclasses, so renaming a
domain field cannot silently change what processes of another version expect. Instants
travel as ISO 8601 with their offset: the instant and its offset survive, a named zone
becomes a fixed offset (events carry UTC instants anyway).

`decode` raises UndecodableMessage, and nothing else, for any input it cannot turn into
an Event: a reader logs it and skips the message.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from enum import StrEnum
from typing import Any, TypeVar

from domain.bookings import (
    Attendee,
    Booking,
    BookingChange,
    BookingChanged,
    BookingSource,
    BookingStatus,
)
from domain.errors import DomainError
from domain.intervals import Interval
from domain.notifications import Notification, NotificationKind
from gateway.services.events import (
    BookingEvent,
    Event,
    MailQueued,
    NotificationEvent,
    OccupancyChanged,
)

__all__ = ["MAX_MESSAGE_BYTES", "VERSION", "UndecodableMessage", "decode", "encode"]

VERSION = 1
# A booking has at most 500 attendees, well under this; anything bigger is not ours.
MAX_MESSAGE_BYTES = 1 << 20
_BOOKING = "booking"
_MAIL_QUEUED = "mail_queued"
_NOTIFICATION = "notification"
_OCCUPANCY = "occupancy"

_E = TypeVar("_E", bound=StrEnum)
_T = TypeVar("_T")


class UndecodableMessage(ValueError):
    """A message that is not an Event of a version this process understands."""


def encode(event: Event) -> bytes:
    """One event as compact JSON. Raises ValueError for a naive datetime, which no event
    should carry: an instant without an offset cannot be read back as the same instant."""
    body: dict[str, Any]
    if isinstance(event, BookingEvent):
        changed = event.changed
        body = {
            "type": _BOOKING,
            "room_code": event.room_code,
            "change": changed.change.value,
            "occurred_at": _instant(changed.occurred_at),
            "booking": _booking(changed.booking),
        }
    elif isinstance(event, NotificationEvent):
        body = {"type": _NOTIFICATION, "notification": _notification(event.notification)}
    elif isinstance(event, OccupancyChanged):
        body = {
            "type": _OCCUPANCY,
            "location_id": event.location_id,
            "occurred_at": _instant(event.occurred_at),
        }
    else:
        body = {"type": _MAIL_QUEUED, "occurred_at": _instant(event.occurred_at)}
    # ASCII escapes keep any str encodable, lone surrogates included.
    return json.dumps({"v": VERSION, **body}, separators=(",", ":")).encode("ascii")


def decode(data: bytes) -> Event:
    """The event `encode` made of it; UndecodableMessage for anything else."""
    if len(data) > MAX_MESSAGE_BYTES:
        raise UndecodableMessage(f"message of {len(data)} bytes exceeds {MAX_MESSAGE_BYTES}")
    try:
        message = json.loads(data)
    except (ValueError, RecursionError) as error:  # bad JSON, bad UTF-8, absurd nesting
        raise UndecodableMessage(f"not JSON: {error}") from None
    body = _object(message, "message")
    version = body.get("v")
    if version != VERSION or isinstance(version, bool):
        raise UndecodableMessage(f"unsupported message version {version!r}")
    kind = _field(body, "type", str)
    try:
        if kind == _BOOKING:
            return _booking_event(body)
        if kind == _MAIL_QUEUED:
            return MailQueued(_read_instant(body, "occurred_at"))
        if kind == _NOTIFICATION:
            return NotificationEvent(_read_notification(_object(body.get("notification"), kind)))
        if kind == _OCCUPANCY:
            location_id = _field(body, "location_id", int)
            return OccupancyChanged(location_id, _read_instant(body, "occurred_at"))
    except UndecodableMessage:
        raise
    except (DomainError, ValueError) as error:  # a rule of the domain refused the values
        raise UndecodableMessage(f"invalid {kind} message: {error}") from None
    raise UndecodableMessage(f"unknown message type {kind!r}")


def _instant(value: datetime) -> str:
    if value.utcoffset() is None:
        raise ValueError(f"cannot encode the naive datetime {value.isoformat()}")
    return value.isoformat()


def _optional_instant(value: datetime | None) -> str | None:
    return None if value is None else _instant(value)


def _booking(booking: Booking) -> dict[str, Any]:
    return {
        "id": booking.id,
        "code": booking.code,
        "room_id": booking.room_id,
        "creator_id": booking.creator_id,
        "start": _instant(booking.interval.start),
        "end": _instant(booking.interval.end),
        "status": booking.status.value,
        "source": booking.source.value,
        "attendees": [
            {
                "email": attendee.email,
                "user_id": attendee.user_id,
                "checked_in_at": _optional_instant(attendee.checked_in_at),
            }
            for attendee in booking.attendees
        ],
        "created_at": _instant(booking.created_at),
        "cancelled_at": _optional_instant(booking.cancelled_at),
        "title": booking.title,
        "cancelled_by": booking.cancelled_by,
    }


def _booking_event(body: dict[str, Any]) -> BookingEvent:
    raw = _object(body.get("booking"), "booking")
    attendees = _field(raw, "attendees", list)
    booking = Booking(
        id=_integer(raw, "id"),
        code=_field(raw, "code", str),
        room_id=_integer(raw, "room_id"),
        creator_id=_integer(raw, "creator_id"),
        interval=Interval(_read_instant(raw, "start"), _read_instant(raw, "end")),
        status=_choice(raw, "status", BookingStatus),
        source=_choice(raw, "source", BookingSource),
        attendees=tuple(_attendee(_object(item, "attendee")) for item in attendees),
        created_at=_read_instant(raw, "created_at"),
        cancelled_at=_optional(raw, "cancelled_at", _read_instant),
        title=_field(raw, "title", str),
        cancelled_by=_optional(raw, "cancelled_by", _integer),
    )
    changed = BookingChanged(
        _choice(body, "change", BookingChange), booking, _read_instant(body, "occurred_at")
    )
    return BookingEvent(changed, _field(body, "room_code", str))


def _notification(notification: Notification) -> dict[str, Any]:
    return {
        "id": notification.id,
        "title": notification.title,
        "message": notification.message,
        "kind": notification.kind.value,
        "created_at": _instant(notification.created_at),
        "recipient_id": notification.recipient_id,
        "booking_code": notification.booking_code,
        "read_at": _optional_instant(notification.read_at),
    }


def _read_notification(raw: dict[str, Any]) -> Notification:
    return Notification(
        id=_field(raw, "id", str),
        title=_field(raw, "title", str),
        message=_field(raw, "message", str),
        kind=_choice(raw, "kind", NotificationKind),
        created_at=_read_instant(raw, "created_at"),
        recipient_id=_integer(raw, "recipient_id"),
        booking_code=_optional(raw, "booking_code", lambda r, k: _field(r, k, str)),
        read_at=_optional(raw, "read_at", _read_instant),
    )


def _attendee(raw: dict[str, Any]) -> Attendee:
    return Attendee(
        email=_field(raw, "email", str),
        user_id=_optional(raw, "user_id", _integer),
        checked_in_at=_optional(raw, "checked_in_at", _read_instant),
    )


def _object(value: object, name: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise UndecodableMessage(f"{name} must be a JSON object, not {type(value).__name__}")
    return value


def _field(raw: dict[str, Any], key: str, kind: type[_T]) -> _T:
    if key not in raw:
        raise UndecodableMessage(f"missing field {key!r}")
    value = raw[key]
    # JSON true/false arrive as bool, which Python also counts as int.
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise UndecodableMessage(
            f"field {key!r} must be {kind.__name__}, not {type(value).__name__}"
        )
    return value


def _integer(raw: dict[str, Any], key: str) -> int:
    return _field(raw, key, int)


def _choice(raw: dict[str, Any], key: str, kind: type[_E]) -> _E:
    value = _field(raw, key, str)
    try:
        return kind(value)
    except ValueError:
        raise UndecodableMessage(f"field {key!r} has the unknown value {value!r}") from None


def _read_instant(raw: dict[str, Any], key: str) -> datetime:
    value = _field(raw, key, str)
    try:
        instant = datetime.fromisoformat(value)
    except ValueError:
        raise UndecodableMessage(f"field {key!r} is not an ISO 8601 instant") from None
    if instant.utcoffset() is None:
        raise UndecodableMessage(f"field {key!r} has no UTC offset")
    return instant


def _optional(
    raw: dict[str, Any], key: str, read: Callable[[dict[str, Any], str], _T]
) -> _T | None:
    if key not in raw:
        raise UndecodableMessage(f"missing field {key!r}")
    return None if raw[key] is None else read(raw, key)
