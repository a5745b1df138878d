"""POST /api/book-room, /api/check-in and /api/cancel-booking (§4.1-4.3) over the
booking use cases: their rules (bookable hours, conflicts, capacity, who may cancel)
decide; an address a body names must be the caller's own (admins may name anybody's for
a cancellation)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import AwareDatetime, BaseModel, Field
from starlette.responses import Response

from domain.errors import ErrorCode
from gateway.services.bookings import BookingRequest
from rest_compat.occupi.envelopes import (
    ERRORS,
    Done,
    LegacyError,
    OccupiEnvelope,
    OccupiError,
    guard_failure,
    success,
)
from rest_compat.occupi.sessions import rendered
from rest_compat.routing import SIGNED_IN, Call, Endpoint, Reply

TAGS = ("Occupi bookings",)
NOT_FOUND = LegacyError(404, "INTERNAL_SERVER_ERROR", "Booking not found", "Booking not found")
BOOKING_ERRORS: Mapping[ErrorCode, LegacyError] = {
    **ERRORS,
    ErrorCode.FORBIDDEN: LegacyError(403, "FORBIDDEN", None, "Forbidden"),
    ErrorCode.RATE_LIMITED: LegacyError(429, "TOO_MANY_REQUESTS", None, "Too Many Requests"),
}
BY_CODE_ERRORS: Mapping[ErrorCode, LegacyError] = {**BOOKING_ERRORS, ErrorCode.NOT_FOUND: NOT_FOUND}


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
)
