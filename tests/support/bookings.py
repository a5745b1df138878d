"""Booking helpers for the GraphQL tests: site-local times, and the booking mutations."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from tests.support.graphql import JSON, GraphQLClient
from tests.support.world import ZONE

JOHANNESBURG = ZoneInfo(ZONE)
# The test clock starts on Monday 23 November 2026 at 08:00 in Johannesburg.
TODAY = date(2026, 11, 23)
TOMORROW = date(2026, 11, 24)

BOOKING_FIELDS = """
fragment BookingFields on Booking {
  id
  code
  title
  start
  end
  status
  source
  createdAt
  cancelledAt
  checkedIn
  room { id code }
  createdBy { email }
  attendees { email checkedInAt user { email name } }
}
"""

BOOK_ROOM = (
    """
mutation Book($input: BookRoomInput!) {
  bookRoom(input: $input) { booking { ...BookingFields } errors { code message field } }
}
"""
    + BOOKING_FIELDS
)

CANCEL_BOOKING = (
    """
mutation Cancel($input: CancelBookingInput!) {
  cancelBooking(input: $input) { booking { ...BookingFields } errors { code message field } }
}
"""
    + BOOKING_FIELDS
)

CHECK_IN = (
    """
mutation CheckIn($input: CheckInInput!) {
  checkIn(input: $input) { booking { ...BookingFields } errors { code message field } }
}
"""
    + BOOKING_FIELDS
)


def local(hhmm: str, day: date = TOMORROW, zone: ZoneInfo = JOHANNESBURG) -> datetime:
    """Site-local wall time on `day`, as an aware instant in the site's zone."""
    return datetime.combine(day, time.fromisoformat(hhmm), tzinfo=zone)


def instant(hhmm: str, day: date = TOMORROW, zone: ZoneInfo = JOHANNESBURG) -> datetime:
    """Site-local wall time on `day`, as a UTC instant (what the clock returns)."""
    return local(hhmm, day, zone).astimezone(UTC)


def utc_iso(instant: datetime) -> str:
    """How the API writes an instant: ISO 8601 in UTC."""
    return instant.astimezone(UTC).isoformat()


def slot(start: str, end: str, day: date = TOMORROW, zone: ZoneInfo = JOHANNESBURG) -> JSON:
    """A TimeSlot as the API returns it, from site-local wall times."""
    return {
        "start": utc_iso(local(start, day, zone)),
        "end": utc_iso(local(end, day, zone)),
    }


def codes(payload: JSON) -> list[str]:
    """The codes of a mutation payload's `errors`."""
    return [e["code"] for e in payload["errors"]]


async def book(
    client: GraphQLClient,
    token: str | None,
    *,
    room: str = "RM000",
    start: datetime | None = None,
    end: datetime | None = None,
    attendees: Sequence[str] = (),
    title: str = "",
) -> JSON:
    """The bookRoom payload; by default tomorrow 10:00-11:00 site-local in RM000."""
    variables: dict[str, Any] = {
        "input": {
            "roomId": room,
            "start": (start or local("10:00")).isoformat(),
            "end": (end or local("11:00")).isoformat(),
            "attendees": list(attendees),
            "title": title,
        }
    }
    kwargs: dict[str, Any] = {} if token is None else {"token": token}
    data = await client.data(BOOK_ROOM, variables, **kwargs)
    payload: JSON = data["bookRoom"]
    return payload


async def booked(
    client: GraphQLClient,
    token: str,
    start: str,
    end: str,
    *,
    day: date = TOMORROW,
    room: str = "RM000",
    attendees: Sequence[str] = (),
) -> str:
    """Book between two site-local wall times; the new booking's (global) id. It must
    succeed."""
    payload = await book(
        client, token, room=room, start=local(start, day), end=local(end, day), attendees=attendees
    )
    assert payload["errors"] == [], payload["errors"]
    booking_id: str = payload["booking"]["id"]
    return booking_id


def by_booking(booking_id: str) -> JSON:
    """The variables of cancelBooking and checkIn: the booking's id or its code."""
    return {"input": {"bookingId": booking_id}}


async def cancel(client: GraphQLClient, token: str, booking_id: str) -> JSON:
    data = await client.data(CANCEL_BOOKING, by_booking(booking_id), token=token)
    payload: JSON = data["cancelBooking"]
    return payload


async def check_in(client: GraphQLClient, token: str, booking_id: str) -> JSON:
    data = await client.data(CHECK_IN, by_booking(booking_id), token=token)
    payload: JSON = data["checkIn"]
    return payload
