"""GET /api/available-slots (§4.12): a room's free slots on a day, as a JSON body or
query parameters, in the site's time zone."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, tzinfo
from typing import Any

from pydantic import BaseModel
from starlette.responses import Response

from domain.errors import ErrorCode, invalid
from rest_compat import json_input
from rest_compat.occupi.bookings import BOOKING_ERRORS, SIGNED_IN_ONLY, TAGS
from rest_compat.occupi.envelopes import LegacyError, OccupiEnvelope, OccupiError, success
from rest_compat.occupi.sessions import rendered
from rest_compat.rendering import Struct
from rest_compat.routing import SIGNED_IN, Call, Endpoint, Reply

NO_SLOTS_INPUT = LegacyError(
    400,
    "BAD_REQUEST",
    "You may have sent an empty room id or an invalid date",
    "Valid room id and date are required",
)


class Slot(BaseModel):
    start: str
    end: str


class Slots(OccupiEnvelope[list[Slot] | None]):
    """Free intervals in the site's time zone; null when the day is fully booked."""


def _slot_input(raw: bytes, params: Mapping[str, str]) -> tuple[str, date]:
    """`{roomId, date}` as a JSON body, or the same as query parameters."""
    found: Mapping[str, Any] = params
    if raw.strip():
        try:
            loaded = json_input.loads(raw)
        except ValueError:
            loaded = None
        found = loaded if isinstance(loaded, dict) else {}
    room, when = found.get("roomId"), found.get("date")
    if not isinstance(room, str) or not room.strip() or not isinstance(when, str):
        raise invalid("roomId and date are required", "roomId")
    try:
        instant = datetime.fromisoformat(when.strip())
    except ValueError:
        raise invalid("date must be an RFC 3339 time", "date") from None
    return room.strip(), instant.date()


SLOT_ERRORS: Mapping[ErrorCode, LegacyError] = {
    **BOOKING_ERRORS,
    ErrorCode.INVALID_INPUT: NO_SLOTS_INPUT,
}


def _local(instant: datetime, zone: tzinfo) -> str:
    """Go's RFC3339 with the zone's offset, as the original wrote computed times."""
    return instant.astimezone(zone).isoformat()


@rendered(SLOT_ERRORS)
async def available_slots(call: Call[None]) -> Response:
    """The free parts of the room's bookable hours on the date's day (its Y-M-D as
    written), from now on, in the site's time zone. A JSON body or query parameters."""
    room_code, day = _slot_input(await call.request.body(), call.request.query_params)
    slots = await call.app.bookings.available_slots(call.principal, room_code, day)
    zone = (await call.app.directory.room(call.principal, room_code)).calendar.zone
    data = [Struct(start=_local(s.start, zone), end=_local(s.end, zone)) for s in slots]
    return success("Successfully fetched available slots!", data or None)


ENDPOINTS = (
    Endpoint(
        "GET",
        "/api/available-slots",
        available_slots,
        summary="A room's free slots on a day",
        responses={
            200: Reply(Slots, "The free slots, or null."),
            400: Reply(OccupiError, "No room id, or no valid date."),
            401: SIGNED_IN_ONLY,
            404: Reply(OccupiError, "No such room."),
        },
        guard=SIGNED_IN,
        tags=TAGS,
    ),
)
