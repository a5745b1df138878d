"""PUT /api/add-room (§4.20, admins): a room on a floor, through Directory.add_room."""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel, Field
from starlette.responses import Response

from domain.errors import ErrorCode, invalid
from gateway.services.directory import NewRoom
from rest_compat.occupi.envelopes import (
    ERRORS,
    LegacyError,
    OccupiEnvelope,
    OccupiError,
    guard_failure,
    success,
)
from rest_compat.occupi.sessions import rendered
from rest_compat.routing import ADMIN, Call, Endpoint, Reply

ROOM_ERRORS: Mapping[ErrorCode, LegacyError] = {
    **ERRORS,
    # A floor that does not exist is bad input here, not a missing resource.
    ErrorCode.NOT_FOUND: LegacyError(400, "BAD_REQUEST", summary="Invalid request payload"),
}


class AddRoomRequest(BaseModel):
    """`floorNo` is the floor's number as view-rooms shows it, a string or a number (the
    docs say a number, the original wanted a string); so is `roomNo`. `resources` (in
    the docs, dropped by the original) are kept."""

    room_id: str = Field(alias="roomId")
    room_no: str | int = Field(alias="roomNo")
    floor_no: str | int = Field(alias="floorNo")
    min_occupancy: int = Field(alias="minOccupancy")
    max_occupancy: int | None = Field(default=None, alias="maxOccupancy")
    description: str = ""
    room_name: str = Field(alias="roomName")
    resources: list[str] = Field(default_factory=list)


class RoomId(BaseModel):
    roomid: str


class RoomAdded(OccupiEnvelope[RoomId]):
    """`data.roomid` is the new room's id (RM…), which every other endpoint takes."""


def _floor_id(raw: str | int) -> int:
    text = str(raw).strip()
    if not text.isdigit() or len(text) > 9:
        raise invalid("floorNo: a floor number, as view-rooms shows it", "floorNo")
    return int(text)


@rendered(ROOM_ERRORS)
async def add_room(call: Call[AddRoomRequest]) -> Response:
    """Admins add a room on a floor. Room ids start with RM and are unique; the
    occupancy limits must make sense (none negative, the maximum at least 1 and not
    below the minimum)."""
    body = call.body
    room = await call.app.directory.add_room(
        call.principal,
        NewRoom(
            floor_id=_floor_id(body.floor_no),
            code=body.room_id,
            name=body.room_name,
            number=str(body.room_no),
            description=body.description,
            min_occupancy=body.min_occupancy,
            max_occupancy=body.max_occupancy,
            resources=body.resources,
        ),
    )
    return success("Successfully added room!", {"roomid": room.code})


ENDPOINTS = (
    Endpoint(
        "PUT",
        "/api/add-room",
        add_room,
        summary="Add a room (admins)",
        responses={
            200: Reply(RoomAdded, "Added."),
            400: Reply(OccupiError, "Bad input, a taken room id, or no such floor."),
            401: guard_failure(
                "Not signed in, or not an admin.", ErrorCode.UNAUTHENTICATED, ErrorCode.FORBIDDEN
            ),
        },
        guard=ADMIN,
        tags=("Occupi rooms",),
        request=AddRoomRequest,
    ),
)
