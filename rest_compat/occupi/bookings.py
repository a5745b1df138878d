"""POST /api/book-room, /api/check-in, /api/cancel-booking and GET /api/available-slots
(§4.1-4.3, §4.12) over the booking use cases: their rules (bookable hours, conflicts,
capacity, who may cancel) decide; an address a body names must be the caller's own
(admins may name anybody's for a cancellation)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime, tzinfo
from typing import Any

from pydantic import AwareDatetime, BaseModel, Field
from starlette.responses import Response

from domain.errors import ErrorCode, invalid
from gateway.services.bookings import BookingRequest
from rest_compat.occupi.envelopes import (
    ERRORS,
    LegacyError,
    OccupiEnvelope,
    OccupiError,
    guard_failure,
    success,
)
from rest_compat.occupi.sessions import rendered
from rest_compat.rendering import Struct
from rest_compat.routing import SIGNED_IN, Call, Endpoint, Reply

TAGS = ("Occupi bookings",)
NOT_FOUND = LegacyError(404, "INTERNAL_SERVER_ERROR", "Booking not found", "Booking not found")
BOOKING_ERRORS: Mapping[ErrorCode, LegacyError] = {
    **ERRORS,
    ErrorCode.FORBIDDEN: LegacyError(403, "FORBIDDEN", None, "Forbidden"),
    ErrorCode.RATE_LIMITED: LegacyError(429, "TOO_MANY_REQUESTS", None, "Too Many Requests"),
}
BY_CODE_ERRORS: Mapping[ErrorCode, LegacyError] = {**BOOKING_ERRORS, ErrorCode.NOT_FOUND: NOT_FOUND}
NO_SLOTS_INPUT = LegacyError(
    400,
    "BAD_REQUEST",
    "You may have sent an empty room id or an invalid date",
    "Valid room id and date are required",
)


class BookRoomRequest(BaseModel):
    """`emails` are the attendees (the creator is one anyway); `creator`, when given,
    must be the caller. `roomName`, `floorNo` (a string or a number) and `date` are
    accepted as the original's clients send them; the room id and the times decide."""

    room_id: str = Field(alias="roomId")
    room_name: str | None = Field(default=None, alias="roomName")
    emails: list[str] = Field(default_factory=list)
    creator: str | None = None
    floor_no: str | int | None = Field(default=None, alias="floorNo")
    date: str | None = None
    start: AwareDatetime
    end: AwareDatetime


class CheckInRequest(BaseModel):
    """The original read `creator`; its docs and the mobile app send `email`. Either,
    when given, must be the caller's own address."""

    booking_id: str = Field(alias="bookingId")
    creator: str | None = None
    email: str | None = None


class CancelBookingRequest(BaseModel):
    """Only `bookingId` decides; the rest of the original's body is accepted. `creator`
    names the caller, or anybody for an admin."""

    booking_id: str = Field(alias="bookingId")
    creator: str | None = None
    room_id: str | None = Field(default=None, alias="roomId")
    room_name: str | None = Field(default=None, alias="roomName")
    emails: list[str] | None = None
    floor_no: str | int | None = Field(default=None, alias="floorNo")
    date: str | None = None
    start: str | None = None
    end: str | None = None


class Booked(OccupiEnvelope[str]):
    """`data` is the booking's id (BOOKOCCUPI…), which check-in and cancel take."""


class Done(OccupiEnvelope[None]):
    pass


class Slot(BaseModel):
    start: str
    end: str


class Slots(OccupiEnvelope[list[Slot] | None]):
    """Free intervals in the site's time zone; null when the day is fully booked."""


@rendered(BOOKING_ERRORS)
async def book_room(call: Call[BookRoomRequest]) -> Response:
    """Book a room for the caller and the invited `emails`. A slot that overlaps
    another booking is refused ("Booking coincides with another booking")."""
    body = call.body
    call.app.legacy_lists.require_self(call.principal, body.creator, "creator")
    booking = await call.app.bookings.book(
        call.principal,
        BookingRequest(
            room_code=body.room_id, start=body.start, end=body.end, attendees=body.emails
        ),
    )
    return success("Successfully booked!", booking.code)


@rendered(BY_CODE_ERRORS)
async def check_in(call: Call[CheckInRequest]) -> Response:
    """Check the caller in to a booking they are part of; repeating it changes nothing."""
    body = call.body
    for name, value in (("creator", body.creator), ("email", body.email)):
        call.app.legacy_lists.require_self(call.principal, value, name)
    await call.app.bookings.check_in(call.principal, body.booking_id)
    return success("Successfully checked in!")


@rendered(BY_CODE_ERRORS)
async def cancel_booking(call: Call[CancelBookingRequest]) -> Response:
    """Cancel a booking: its creator, or an admin. Attendees are mailed."""
    body = call.body
    if body.creator is not None:
        await call.app.legacy_lists.person_id(call.principal, body.creator, "creator")
    await call.app.bookings.cancel(call.principal, body.booking_id)
    return success("Successfully cancelled booking!")


def _slot_input(raw: bytes, params: Mapping[str, str]) -> tuple[str, date]:
    """`{roomId, date}` as a JSON body, or the same as query parameters."""
    found: Mapping[str, Any] = params
    if raw.strip():
        try:
            loaded = json.loads(raw)
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


SIGNED_IN_ONLY = guard_failure("No valid token.", ErrorCode.UNAUTHENTICATED)
REFUSED = Reply(OccupiError, "The body names somebody else's address.")
BAD = Reply(OccupiError, "Bad input, or a booking rule refused it: the message says which.")
MISSING = Reply(OccupiError, "No such booking (or not one of yours).")


def _post(
    path: str, handler: Any, summary: str, ok: Reply, request: type[BaseModel], **more: Reply
) -> Endpoint:
    responses = {200: ok, 400: BAD, 401: SIGNED_IN_ONLY, 403: REFUSED}
    responses.update({int(k.removeprefix("s")): v for k, v in more.items()})
    return Endpoint(
        "POST",
        path,
        handler,
        summary=summary,
        responses=responses,
        guard=SIGNED_IN,
        tags=TAGS,
        request=request,
    )


ENDPOINTS = (
    _post(
        "/api/book-room",
        book_room,
        "Book a room",
        Reply(Booked, "Booked: data is the booking id."),
        BookRoomRequest,
        s404=Reply(OccupiError, "No such room."),
        s429=Reply(OccupiError, "Too many invitations today."),
    ),
    _post(
        "/api/check-in",
        check_in,
        "Check in to a booking",
        Reply(Done, "Checked in."),
        CheckInRequest,
        s404=MISSING,
    ),
    _post(
        "/api/cancel-booking",
        cancel_booking,
        "Cancel a booking",
        Reply(Done, "Cancelled."),
        CancelBookingRequest,
        s404=MISSING,
    ),
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
