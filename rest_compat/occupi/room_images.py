"""Room images (§4.17 to §4.19): `/api/image/{id}` redirects (303) to the gateway's own
image URL; admins upload (multipart, at most 16 MiB) and delete them."""

from __future__ import annotations

from pydantic import BaseModel
from starlette.responses import RedirectResponse, Response

from domain.errors import DomainError, ErrorCode, invalid
from domain.images import OwnerKind, quality_of
from gateway.images.uploads import BodyTooLarge, read_upload
from gateway.images.urls import default_url, image_url
from rest_compat.occupi.envelopes import Done, OccupiEnvelope, OccupiError, failure, success
from rest_compat.occupi.images import REDIRECT, TOO_LARGE, too_large
from rest_compat.occupi.self_input import (
    BAD_INPUT,
    DONE,
    NOT_ADMIN,
    NOT_SIGNED_IN,
    SELF_ERRORS,
    Loose,
    Text,
    answers,
    given,
    named,
    query,
    required,
    text,
)
from rest_compat.routing import ADMIN, SIGNED_IN, Call, Endpoint, Reply

TAGS = ("Occupi: images",)


class ImageId(BaseModel):
    id: str


class UploadedRoomImage(OccupiEnvelope[ImageId]):
    """`data.id` is the new image's id, for /api/image/{id}."""


class RoomImageQuery(Loose):
    id: Text = None
    roomId: Text = None
    quality: Text = None


@answers(SELF_ERRORS)
async def room_image(call: Call[RoomImageQuery]) -> Response:
    """303 to the image `id` at `quality`; `null` is the default room image. Whether the
    caller may see it is decided where the redirect leads."""
    image = call.request.path_params["id"]
    body_id = text(call.body.id, "id") if call.body is not None else None
    image = body_id or image
    quality = quality_of(text(given(call, "quality"), "quality"))
    if image == "null":
        return RedirectResponse(default_url(OwnerKind.ROOM, quality), status_code=303)
    return RedirectResponse(image_url(image, quality), status_code=303)


async def upload_room_image(call: Call[None]) -> Response:
    """Admins only. Multipart: the file `image` and the room id, `roomid` (as the original
    read it) or `roomId` (as the docs and the web app sent it), in the query or the form.
    The room's image is replaced."""
    app, principal = call.app, call.principal
    try:
        room = query(call, "roomid", "roomId")
        upload = await read_upload(call.request, ("roomid", "roomId"))
        room = room or upload.fields.get("roomid") or upload.fields.get("roomId")
        code = required(room, "roomid")
        record = await app.images.upload_room(principal, code.strip(), upload.data)
    except BodyTooLarge as error:
        return too_large(error)
    except DomainError as error:
        return failure(named(error, {}), SELF_ERRORS)
    return success("Successfully uploaded image!", {"id": record.id})


@answers(SELF_ERRORS)
async def delete_room_image(call: Call[RoomImageQuery]) -> Response:
    """Admins only: `id` (the image) and `roomId` (JSON) or `roomid`/`roomId` (query).
    The id must be the room's current image."""
    app, principal = call.app, call.principal
    image = text(given(call, "id"), "id")
    room = text(given(call, "roomId", "roomid"), "roomId")
    if not image or not room:
        raise invalid("ID and roomid must be provided", "id" if not image else "roomId")
    found = await app.directory.room(principal, room.strip())
    current = (await app.images.images_of(principal, OwnerKind.ROOM, [found.id])).get(found.id)
    if current is None or current.id != image:
        raise DomainError(
            ErrorCode.NOT_FOUND, f"room {found.code} has no image {image!r}", field="id"
        )
    await app.images.delete_room(principal, found.code)
    return success("Successfully deleted image!")


ENDPOINTS = (
    Endpoint(
        "GET",
        "/api/image/{id}",
        room_image,
        summary="Where a room image is (303)",
        responses={303: REDIRECT, 400: BAD_INPUT, 401: NOT_SIGNED_IN},
        guard=SIGNED_IN,
        tags=TAGS,
        request=RoomImageQuery,
        body_optional=True,
    ),
    Endpoint(
        "POST",
        "/api/upload-room-image",
        upload_room_image,
        summary="Upload a room's image (multipart)",
        responses={
            200: Reply(UploadedRoomImage, "Stored."),
            400: BAD_INPUT,
            401: NOT_ADMIN,
            404: Reply(OccupiError, "No such room."),
            413: TOO_LARGE,
        },
        guard=ADMIN,
        tags=TAGS,
    ),
    Endpoint(
        "DELETE",
        "/api/delete-room-image",
        delete_room_image,
        summary="Delete a room's image",
        responses={
            200: Reply(Done, DONE),
            400: BAD_INPUT,
            401: NOT_ADMIN,
            404: Reply(OccupiError, "No such room, or not its image."),
        },
        guard=ADMIN,
        tags=TAGS,
        request=RoomImageQuery,
        body_optional=True,
    ),
)
