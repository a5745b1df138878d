"""Occupi's documents as the original's clients read them (§6): bookings, rooms, people
and notifications, rendered from the views the services return. Every key here is a
column a projection may pick; nothing secret is ever a key."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from domain.notifications import Notification
from domain.rooms import Room
from gateway.services.views import BookingView, PersonView

BOOKING_COLUMNS = (
    "occupiId",
    "roomId",
    "roomName",
    "floorNo",
    "emails",
    "creator",
    "date",
    "start",
    "end",
    "checkedIn",
)
ROOM_COLUMNS = (
    "roomId",
    "roomName",
    "roomNo",
    "floorNo",
    "minOccupancy",
    "maxOccupancy",
    "description",
    "resources",
)
USER_COLUMNS = ("email", "name", "role")
NOTIFICATION_COLUMNS = (
    "notiId",
    "title",
    "message",
    "send_time",
    "sent",
    "emails",
    "unreadEmails",
)


def go_time(instant: datetime) -> str:
    """Go's RFC3339Nano in UTC, as values read back from Mongo were written:
    `2024-07-01T09:00:00Z`, fractions without trailing zeros."""
    utc = instant.astimezone(UTC)
    text = utc.strftime("%Y-%m-%dT%H:%M:%S")
    if utc.microsecond:
        text += f".{utc.microsecond:06d}".rstrip("0")
    return text + "Z"


def booking_row(booking: BookingView, room: Room | None) -> dict[str, Any]:
    details = booking.details
    emails = [a.email for a in details.attendees] if details else []
    creator = None
    if details is not None:
        creator = next(
            (a.email for a in details.attendees if a.user_id == details.creator_id),
            emails[0] if emails else None,
        )
    start = booking.interval.start
    day = datetime(start.year, start.month, start.day, tzinfo=UTC)
    return {
        "occupiId": booking.code,
        "roomId": room.code if room else None,
        "roomName": room.name if room else None,
        "floorNo": str(room.floor_id) if room else None,
        "emails": emails,
        "creator": creator,
        "date": go_time(day),
        "start": go_time(booking.interval.start),
        "end": go_time(booking.interval.end),
        "checkedIn": details.checked_in if details else False,
    }


def room_row(room: Room) -> dict[str, Any]:
    return {
        "roomId": room.code,
        "roomName": room.name,
        "roomNo": room.number,
        "floorNo": str(room.floor_id),
        "minOccupancy": room.limits.minimum,
        "maxOccupancy": room.limits.maximum,
        "description": room.description,
        "resources": list(room.resources),
    }


def user_row(person: PersonView) -> dict[str, Any]:
    return {
        "email": person.email,
        "name": person.name,
        "role": person.role.value if person.role else None,
    }


def notification_row(notification: Notification, addressee: str) -> dict[str, Any]:
    """The audience shown is the addressee only: who else got it is not theirs to see."""
    return {
        "notiId": notification.id,
        "title": notification.title,
        "message": notification.message,
        "send_time": go_time(notification.created_at),
        "sent": True,
        "emails": [addressee],
        "unreadEmails": [addressee] if notification.unread else [],
    }
