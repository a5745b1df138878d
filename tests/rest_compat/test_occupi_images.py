"""Golden tests: profile and room images through the Occupi endpoints: uploads (and the
uploads refused, which store nothing), 303 redirects to the gateway's image URLs."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from domain.images import OwnerKind
from tests.rest_compat.occupi_self import (
    NOT_ADMIN,
    NOT_YOURS,
    UNAUTHORISED,
    answer,
    bad,
    error,
    ok,
    raw,
)
from tests.support.images import jpeg, png, png_declaring
from tests.support.world import World

UPLOADED = ok("Successfully uploaded image!")
DELETED = ok("Successfully deleted image!")
MAX_BODY = 16 * 1024 * 1024
IMAGE_URL = re.compile(r"^/images/(?P<id>[0-9a-f-]{36})/(?P<quality>thumbnail|low|mid|high)$")
DEFAULT_PROFILE = "/images/defaults/profile/mid"


async def upload_profile(
    http: httpx.AsyncClient,
    headers: dict[str, str],
    data: bytes,
    email: str | None = None,
    name: str = "me.jpg",
) -> tuple[int, Any]:
    fields = {"email": email} if email else {}
    response = await http.post(
        "/api/upload-profile-image",
        files={"image": (name, data, "image/jpeg")},
        data=fields,
        headers=headers,
    )
    return answer(response)


async def profile_location(http: httpx.AsyncClient, headers: dict[str, str], **params: str) -> str:
    response = await http.get("/api/download-profile-image", params=params, headers=headers)
    assert response.status_code == 303, response.text
    return response.headers["location"]


async def test_upload_and_download_a_profile_image(
    http: httpx.AsyncClient, tokens: dict[str, str]
) -> None:
    alice = raw(tokens, "alice")
    assert await profile_location(http, alice) == DEFAULT_PROFILE
    assert await upload_profile(http, alice, jpeg(), name="photo.jpg2") == (200, UPLOADED)
    found = IMAGE_URL.match(await profile_location(http, alice))
    assert found
    assert found["quality"] == "mid"
    for asked, served in (("medium", "mid"), ("thumbnail", "thumbnail"), ("HIGH", "high")):
        location = await profile_location(http, alice, quality=asked)
        assert location == f"/images/{found['id']}/{served}"
    image = await http.get(location, headers=alice)
    assert (image.status_code, image.headers["content-type"]) == (200, "image/jpeg")
    by_json = await http.request(
        "GET", "/api/download-profile-image", json={"quality": "low"}, headers=alice
    )
    assert by_json.headers["location"] == f"/images/{found['id']}/low"


async def test_profile_images_of_others(http: httpx.AsyncClient, tokens: dict[str, str]) -> None:
    alice, admin, bob = raw(tokens, "alice"), raw(tokens, "admin"), raw(tokens, "bob")
    assert await upload_profile(http, alice, png(), email="bob@example.com") == (403, NOT_YOURS)
    assert await profile_location(http, bob) == DEFAULT_PROFILE
    assert await upload_profile(http, admin, png(), email="bob@example.com") == (200, UPLOADED)
    bobs = await profile_location(http, admin, email="bob@example.com")
    assert IMAGE_URL.match(bobs)
    refused = await http.get(
        "/api/download-profile-image", params={"email": "bob@example.com"}, headers=alice
    )
    assert answer(refused) == (403, NOT_YOURS)
    deleting = await http.request(
        "DELETE", "/api/delete-profile-image", json={"email": "bob@example.com"}, headers=alice
    )
    assert answer(deleting) == (403, NOT_YOURS)
    assert await profile_location(http, bob) == bobs
    deleted = await http.delete(
        "/api/delete-profile-image", params={"email": "bob@example.com"}, headers=admin
    )
    assert answer(deleted) == (200, DELETED)
    assert await profile_location(http, bob) == DEFAULT_PROFILE


async def test_delete_ones_own_profile_image(
    http: httpx.AsyncClient, tokens: dict[str, str]
) -> None:
    alice = raw(tokens, "alice")
    assert await upload_profile(http, alice, jpeg()) == (200, UPLOADED)
    assert answer(await http.delete("/api/delete-profile-image", headers=alice)) == (200, DELETED)
    assert await profile_location(http, alice) == DEFAULT_PROFILE
    # Having none is fine.
    assert answer(await http.delete("/api/delete-profile-image", headers=alice)) == (200, DELETED)


BROKEN = jpeg()[:400]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"hello, not an image", "the file is not a JPEG or PNG image"),
        (BROKEN, "the image is corrupt or truncated"),
        (png_declaring(30_000, 30_000), "the image has too many pixels: at most"),
    ],
    ids=["not-an-image", "truncated", "bomb"],
)
async def test_bad_uploads_store_nothing(
    http: httpx.AsyncClient, tokens: dict[str, str], data: bytes, message: str
) -> None:
    alice = raw(tokens, "alice")
    status, body = await upload_profile(http, alice, data)
    assert status == 400
    assert body == bad(body["error"]["message"])
    assert body["error"]["message"].startswith(message)
    assert await profile_location(http, alice) == DEFAULT_PROFILE


async def test_an_upload_without_a_file(http: httpx.AsyncClient, tokens: dict[str, str]) -> None:
    alice = raw(tokens, "alice")
    response = await http.post(
        "/api/upload-profile-image", data={"email": "alice@example.com"}, headers=alice
    )
    assert answer(response) == (
        400,
        bad("send the image as multipart/form-data in the field `image`"),
    )
    response = await http.post(
        "/api/upload-profile-image",
        files={"other": ("x.jpg", jpeg(), "image/jpeg")},
        headers=alice,
    )
    assert answer(response) == (400, bad("the form has no file in the field `image`"))


async def test_an_upload_over_16_mib(http: httpx.AsyncClient, tokens: dict[str, str]) -> None:
    alice = raw(tokens, "alice")
    request = http.build_request(
        "POST",
        "/api/upload-profile-image",
        files={"image": ("big.jpg", b"\xff" * (MAX_BODY + 10), "image/jpeg")},
        headers=alice,
    )
    over = int(request.headers["content-length"]) - MAX_BODY
    response = await http.send(request)
    assert answer(response) == (
        413,
        error(
            413,
            "REQUEST_ENTITY_TOO_LARGE",
            f"Request body too large by {over} bytes, max {MAX_BODY} bytes",
            "Request Entity Too Large",
        ),
    )
    assert await profile_location(http, alice) == DEFAULT_PROFILE


async def test_image_by_id_redirects(http: httpx.AsyncClient, tokens: dict[str, str]) -> None:
    alice = raw(tokens, "alice")
    default = await http.get("/api/image/null", params={"quality": "medium"}, headers=alice)
    assert (default.status_code, default.headers["location"]) == (
        303,
        "/images/defaults/room/mid",
    )
    some = "0b6c3d7e-1f2a-4b5c-8d9e-0a1b2c3d4e5f"
    found = await http.get(f"/api/image/{some}", params={"quality": "low"}, headers=alice)
    assert (found.status_code, found.headers["location"]) == (303, f"/images/{some}/low")
    assert answer(await http.get(f"/api/image/{some}")) == (401, UNAUTHORISED)


# --- room images ------------------------------------------------------------------------


async def upload_room(
    http: httpx.AsyncClient,
    headers: dict[str, str],
    *,
    query: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
) -> tuple[int, Any]:
    response = await http.post(
        "/api/upload-room-image",
        params=query or {},
        data=form or {},
        files={"image": ("room.png", png(), "image/png")},
        headers=headers,
    )
    return answer(response)


async def room_image_id(world: World, code: str) -> str | None:
    app, admin = world.gateway.app, world.principal(world.admin)
    room = await app.directory.room(admin, code)
    found = await app.images.images_of(admin, OwnerKind.ROOM, [room.id])
    return found[room.id].id if room.id in found else None


async def test_upload_a_room_image(
    http: httpx.AsyncClient, tokens: dict[str, str], world: World
) -> None:
    admin = raw(tokens, "admin")
    status, body = await upload_room(http, admin, query={"roomid": "RM000"})
    assert (status, body) == (200, ok("Successfully uploaded image!", {"id": body["data"]["id"]}))
    assert await room_image_id(world, "RM000") == body["data"]["id"]
    status, again = await upload_room(http, admin, form={"roomId": "RM000"})
    assert status == 200
    assert await room_image_id(world, "RM000") == again["data"]["id"] != body["data"]["id"]


async def test_room_image_upload_errors(
    http: httpx.AsyncClient, tokens: dict[str, str], world: World
) -> None:
    assert await upload_room(http, raw(tokens, "alice"), query={"roomid": "RM000"}) == (
        401,
        NOT_ADMIN,
    )
    admin = raw(tokens, "admin")
    assert await upload_room(http, admin) == (400, bad("roomid must be provided"))
    assert await upload_room(http, admin, query={"roomid": "RM999"}) == (
        404,
        error(404, "BAD_REQUEST", "no room with id 'RM999'", "Not found"),
    )
    assert await room_image_id(world, "RM000") is None


async def test_delete_a_room_image(
    http: httpx.AsyncClient, tokens: dict[str, str], world: World
) -> None:
    admin = raw(tokens, "admin")
    _status, body = await upload_room(http, admin, query={"roomid": "RM000"})
    image = body["data"]["id"]
    refused = await http.request(
        "DELETE",
        "/api/delete-room-image",
        json={"id": image, "roomId": "RM000"},
        headers=raw(tokens, "alice"),
    )
    assert answer(refused) == (401, NOT_ADMIN)
    wrong = await http.request(
        "DELETE", "/api/delete-room-image", json={"id": "other", "roomId": "RM000"}, headers=admin
    )
    assert answer(wrong) == (
        404,
        error(404, "BAD_REQUEST", "room RM000 has no image 'other'", "Not found"),
    )
    missing = await http.delete("/api/delete-room-image", params={"id": image}, headers=admin)
    assert answer(missing) == (400, bad("roomId: ID and roomid must be provided"))
    assert await room_image_id(world, "RM000") == image
    deleted = await http.delete(
        "/api/delete-room-image", params={"id": image, "roomid": "RM000"}, headers=admin
    )
    assert answer(deleted) == (200, DELETED)
    assert await room_image_id(world, "RM000") is None


@pytest.mark.parametrize(
    "data",
    [b"hello, not an image", BROKEN, png_declaring(30_000, 30_000)],
    ids=["text", "cut", "bomb"],
)
async def test_bad_room_uploads_store_nothing(
    http: httpx.AsyncClient, tokens: dict[str, str], world: World, data: bytes
) -> None:
    response = await http.post(
        "/api/upload-room-image",
        params={"roomid": "RM000"},
        files={"image": ("room.png", data, "image/png")},
        headers=raw(tokens, "admin"),
    )
    status, body = answer(response)
    assert (status, body) == (400, bad(body["error"]["message"]))
    assert "image" in body["error"]["message"]
    assert await room_image_id(world, "RM000") is None
