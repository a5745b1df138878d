"""Profile and room images (§4.14 to §4.19). Downloads are 303 redirects, as in the
original, but to the gateway's own image URLs (gateway.images.urls), which check who may
see the image; uploads are multipart, at most 16 MiB, and decoded before anything is
stored."""

from __future__ import annotations

from pydantic import BaseModel
from starlette.responses import RedirectResponse, Response

from domain.errors import DomainError, ErrorCode, invalid
from domain.images import OwnerKind, quality_of
from gateway.images.uploads import MAX_BODY, BodyTooLarge, read_upload
from gateway.images.urls import default_url, image_url
from rest_compat.occupi.envelopes import OccupiEnvelope, OccupiError, failure, success
from rest_compat.occupi.people import NOT_ADMIN, NOT_SIGNED_IN
from rest_compat.occupi.self_input import (
    BAD_INPUT,
    DONE,
    NO_SUCH_USER,
    NOT_YOURS,
    PEOPLE_ERRORS,
    SELF_ERRORS,
    Done,
    Email,
    Loose,
    Text,
    answers,
    given,
    named,
    query,
    required,
    text,
)
from rest_compat.rendering import go_json, json_response
from rest_compat.routing import ADMIN, SIGNED_IN, Call, Endpoint, Reply

TAGS = ("Occupi: images",)
ROOM_ERRORS = {**SELF_ERRORS}


class ImageId(BaseModel):
    id: str


class UploadedRoomImage(OccupiEnvelope[ImageId]):
    """`data.id` is the new image's id, for /api/image/{id}."""


class ProfileImageQuery(Loose):
    email: Email = None
    quality: Text = None


class RoomImageQuery(Loose):
    id: Text = None
    roomId: Text = None
    quality: Text = None


REDIRECT = Reply(None, "303 See Other: `Location` is the image's URL; no body.")
TOO_LARGE = Reply(OccupiError, "The body is larger than 16 MiB; nothing is stored.")


def too_large(error: BodyTooLarge) -> Response:
    over = max(0, error.size - MAX_BODY)
    body = {
        "error": {
            "code": "REQUEST_ENTITY_TOO_LARGE",
            "details": None,
            "message": f"Request body too large by {over} bytes, max {MAX_BODY} bytes",
        },
        "message": "Request Entity Too Large",
        "status": 413,
    }
    return json_response(go_json(body), 413)


async def upload_profile_image(call: Call[None]) -> Response:
    """Multipart: the file `image` (JPEG or PNG, whatever its name) and, optionally,
    `email`: only admins may name somebody else."""
    app, principal = call.app, call.principal
    try:
        upload = await read_upload(call.request, ("email",))
        person = await app.lookup.person(principal, upload.fields.get("email"))
        await app.images.upload_profile(principal, upload.data, person.id)
    except BodyTooLarge as error:
        return too_large(error)
    except DomainError as error:
        return failure(named(error, {}), PEOPLE_ERRORS)
    return success("Successfully uploaded image!")


@answers(PEOPLE_ERRORS)
async def download_profile_image(call: Call[ProfileImageQuery]) -> Response:
    """303 to the profile image of the caller (or of the person `email` names: only
    admins may name somebody else) at `quality` (thumbnail, low, mid, high; anything else
    is mid), or to the default profile image."""
    app, principal = call.app, call.principal
    person = await app.lookup.person(principal, text(given(call, "email"), "email"))
    quality = quality_of(text(given(call, "quality"), "quality"))
    found = await app.images.images_of(principal, OwnerKind.PROFILE, [person.id])
    record = found.get(person.id)
    url = image_url(record.id, quality) if record else default_url(OwnerKind.PROFILE, quality)
    return RedirectResponse(url, status_code=303)


@answers(PEOPLE_ERRORS)
async def delete_profile_image(call: Call[ProfileImageQuery]) -> Response:
    """Remove the profile image of the caller (or, for admins, of the person `email`
    names); having none is fine."""
    app, principal = call.app, call.principal
    person = await app.lookup.person(principal, text(given(call, "email"), "email"))
    await app.images.delete_profile(principal, person.id)
    return success("Successfully deleted image!")


@answers(ROOM_ERRORS)
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
        return failure(named(error, {}), ROOM_ERRORS)
    return success("Successfully uploaded image!", {"id": record.id})


@answers(ROOM_ERRORS)
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


PROFILE_ERRORS = {400: BAD_INPUT, 401: NOT_SIGNED_IN, 403: NOT_YOURS, 404: NO_SUCH_USER}

ENDPOINTS = (
    Endpoint(
        "POST",
        "/api/upload-profile-image",
        upload_profile_image,
        summary="Upload a profile image (multipart)",
        responses={200: Reply(Done, DONE), **PROFILE_ERRORS, 413: TOO_LARGE},
        guard=SIGNED_IN,
        tags=TAGS,
    ),
    Endpoint(
        "GET",
        "/api/download-profile-image",
        download_profile_image,
        summary="Where a profile image is (303)",
        responses={303: REDIRECT, **PROFILE_ERRORS},
        guard=SIGNED_IN,
        tags=TAGS,
        request=ProfileImageQuery,
        body_optional=True,
    ),
    Endpoint(
        "DELETE",
        "/api/delete-profile-image",
        delete_profile_image,
        summary="Delete a profile image",
        responses={200: Reply(Done, DONE), **PROFILE_ERRORS},
        guard=SIGNED_IN,
        tags=TAGS,
        request=ProfileImageQuery,
        body_optional=True,
    ),
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
