"""Profile images (§4.14 to §4.16). Downloads are 303 redirects, as in the
original, but to the gateway's own image URLs (gateway.images.urls), which check who may
see the image; uploads are multipart, at most 16 MiB, and decoded before anything is
stored."""

from __future__ import annotations

from starlette.responses import RedirectResponse, Response

from domain.errors import DomainError
from domain.images import OwnerKind, quality_of
from gateway.images.uploads import MAX_BODY, BodyTooLarge, read_upload
from gateway.images.urls import default_url, image_url
from rest_compat.occupi.envelopes import Done, OccupiError, failure, success
from rest_compat.occupi.self_input import (
    DONE,
    PEOPLE_ERRORS,
    PERSON_ERRORS,
    Email,
    Loose,
    Text,
    answers,
    given,
    named,
    text,
)
from rest_compat.rendering import go_json, json_response
from rest_compat.routing import SIGNED_IN, Call, Endpoint, Reply

TAGS = ("Occupi: images",)


class ProfileImageQuery(Loose):
    email: Email = None
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


ENDPOINTS = (
    Endpoint(
        "POST",
        "/api/upload-profile-image",
        upload_profile_image,
        summary="Upload a profile image (multipart)",
        responses={200: Reply(Done, DONE), **PERSON_ERRORS, 413: TOO_LARGE},
        guard=SIGNED_IN,
        tags=TAGS,
    ),
    Endpoint(
        "GET",
        "/api/download-profile-image",
        download_profile_image,
        summary="Where a profile image is (303)",
        responses={303: REDIRECT, **PERSON_ERRORS},
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
        responses={200: Reply(Done, DONE), **PERSON_ERRORS},
        guard=SIGNED_IN,
        tags=TAGS,
        request=ProfileImageQuery,
        body_optional=True,
    ),
)
