"""Profile and room images over HTTP through the real app: upload, serve, replace, refuse."""

from __future__ import annotations

import asyncio
import io
import os
from collections.abc import AsyncIterator

import pytest
from PIL import Image
from starlette.applications import Starlette
from starlette.types import Message

from gateway.app import Gateway
from tests.schema.image_client import bearer, fetch, refusal, stored, upload, uploaded
from tests.support import images
from tests.support.bookings import booked
from tests.support.graphql import GraphQLClient
from tests.support.world import World, room_gid, user_gid

MiB = 1024 * 1024
SIZES = {"thumbnail": (200, 150), "low": (600, 450), "mid": (1200, 900), "high": (2000, 1500)}


async def test_an_upload_is_served_in_four_qualities_with_etags(
    client: GraphQLClient, tokens: dict[str, str]
) -> None:
    http, alice = client.http, tokens["alice"]
    response = await upload(http, alice, images.jpeg(4000, 3000, orientation=1))
    assert response.status_code == 201, response.text
    body = response.json()["image"]
    image_id = body["id"]
    assert body["hasImage"] is True
    assert body["format"] == "jpeg"
    assert body["urls"] == {q: f"/images/{image_id}/{q}" for q in SIZES}
    etags = set()
    for quality, size in SIZES.items():
        served = await fetch(http, alice, image_id, quality)
        assert served.status_code == 200
        assert served.headers["content-type"] == "image/jpeg"
        assert served.headers["cache-control"].startswith("private, max-age=")
        assert images.decoded(served.content).size == size
        assert images.SECRET.encode() not in served.content
        etag = served.headers["etag"]
        etags.add(etag)
        again = await http.get(
            f"/images/{image_id}/{quality}",
            headers={"Authorization": f"Bearer {alice}", "If-None-Match": etag},
        )
        assert again.status_code == 304
        assert again.content == b""
        assert again.headers["etag"] == etag
    assert len(etags) == 4
    # Anything but the four names means mid, as the original had it.
    medium = await fetch(http, alice, image_id, "medium")
    assert medium.headers["etag"] == (await fetch(http, alice, image_id, "mid")).headers["etag"]
    changed = await http.get(
        f"/images/{image_id}/mid",
        headers={"Authorization": f"Bearer {alice}", "If-None-Match": '"other"'},
    )
    assert changed.status_code == 200


async def test_a_lying_file_name_does_not_decide_the_format(
    client: GraphQLClient, tokens: dict[str, str], gateway: Gateway
) -> None:
    http, alice = client.http, tokens["alice"]
    image_id = await uploaded(
        http, alice, images.png(300, 100), filename="holiday.jpg", content_type="image/jpeg"
    )
    served = await fetch(http, alice, image_id, "high")
    assert served.headers["content-type"] == "image/png"
    assert images.decoded(served.content).format == "PNG"
    text = await upload(
        http, alice, b"just some text", filename="photo.png", content_type="image/png"
    )
    assert "not a JPEG or PNG" in refusal(text, 400, "INVALID_INPUT")
    assert text.json()["error"]["field"] == "image"
    assert await stored(gateway) == (1, 4)


async def test_a_new_upload_replaces_the_old_image_and_its_variants(
    client: GraphQLClient, tokens: dict[str, str], gateway: Gateway
) -> None:
    http, alice = client.http, tokens["alice"]
    first = await uploaded(http, alice, images.jpeg())
    second = await uploaded(http, alice, images.png())
    assert first != second
    assert await stored(gateway) == (1, 4)
    assert (await fetch(http, alice, first)).status_code == 404
    assert (await fetch(http, alice, second)).status_code == 200


async def test_an_image_over_one_mebibyte_is_accepted(
    client: GraphQLClient, tokens: dict[str, str], gateway: Gateway
) -> None:
    # Starlette's form parser would stop a part at 1 MiB unless told otherwise.
    noise = os.urandom(1200 * 1000 * 3)

    out = io.BytesIO()
    Image.frombytes("RGB", (1200, 1000), noise).save(out, "PNG")
    assert out.tell() > 3 * MiB
    image_id = await uploaded(client.http, tokens["alice"], out.getvalue())
    served = await fetch(client.http, tokens["alice"], image_id, "low")
    assert images.decoded(served.content).size == (600, 500)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"GIF89a not really", "not a JPEG or PNG"),
        (images.gif(), "not a JPEG or PNG"),
        (images.jpeg(600, 400)[:4000], "corrupt or truncated"),
        (images.png_declaring(100_000, 100_000), "too many pixels"),
        (images.png_declaring(7000, 7000), "too many pixels"),
    ],
    ids=["text", "gif", "truncated", "bomb", "over-40-megapixels"],
)
async def test_a_bad_upload_is_refused_and_stores_nothing(
    client: GraphQLClient,
    tokens: dict[str, str],
    gateway: Gateway,
    data: bytes,
    message: str,
) -> None:
    for path in ("/images/profile", f"/images/rooms/{room_gid('RM000')}"):
        token = tokens["admin"] if "rooms" in path else tokens["alice"]
        response = await upload(client.http, token, data, path=path)
        assert message in refusal(response, 400, "INVALID_INPUT")
    assert await stored(gateway) == (0, 0)


async def test_a_body_over_16_mib_is_refused_up_front(
    client: GraphQLClient, tokens: dict[str, str], gateway: Gateway
) -> None:
    big = images.png() + b"\0" * (16 * MiB)
    response = await upload(client.http, tokens["alice"], big)
    assert "16 MiB" in refusal(response, 413, "PAYLOAD_TOO_LARGE")
    assert await stored(gateway) == (0, 0)


async def test_a_streamed_body_is_cut_off_once_past_16_mib(
    client: GraphQLClient, tokens: dict[str, str], gateway: Gateway
) -> None:
    """No Content-Length: the limit is enforced while the body streams in."""
    boundary = "image-boundary"
    sent = 0

    async def body() -> AsyncIterator[bytes]:
        nonlocal sent
        yield (
            f'--{boundary}\r\nContent-Disposition: form-data; name="image"; '
            'filename="big.png"\r\nContent-Type: image/png\r\n\r\n'
        ).encode()
        for _ in range(40):
            sent += 1
            yield b"\0" * MiB
        yield f"\r\n--{boundary}--\r\n".encode()

    response = await client.http.post(
        "/images/profile",
        content=body(),
        headers={
            "Authorization": f"Bearer {tokens['alice']}",
            "Content-Type": f"multipart/form-data; boundary={boundary}",
        },
    )
    assert "16 MiB" in refusal(response, 413, "PAYLOAD_TOO_LARGE")
    assert "content-length" not in response.request.headers
    assert sent < 20  # the gateway stopped reading soon after 16 MiB
    assert await stored(gateway) == (0, 0)


async def test_an_upload_must_be_multipart_with_an_image_field(
    client: GraphQLClient, tokens: dict[str, str]
) -> None:
    headers = {"Authorization": f"Bearer {tokens['alice']}"}
    raw = await client.http.post("/images/profile", content=images.png(), headers=headers)
    assert "multipart/form-data" in refusal(raw, 400, "INVALID_INPUT")
    other = await client.http.post(
        "/images/profile", files={"picture": ("a.png", images.png())}, headers=headers
    )
    assert "field `image`" in refusal(other, 400, "INVALID_INPUT")


async def test_anonymous_callers_get_401(client: GraphQLClient, tokens: dict[str, str]) -> None:
    image_id = await uploaded(client.http, tokens["alice"], images.png())
    refusal(await upload(client.http, None, images.png()), 401, "UNAUTHENTICATED")
    refusal(await fetch(client.http, None, image_id), 401, "UNAUTHENTICATED")
    refusal(await client.http.delete("/images/profile"), 401, "UNAUTHENTICATED")


async def test_a_basic_user_cannot_change_another_users_profile_image(
    client: GraphQLClient, tokens: dict[str, str], world: World, gateway: Gateway
) -> None:
    http = client.http
    bobs = await uploaded(http, tokens["bob"], images.png())
    for bob in (user_gid(world.bob), str(world.bob.id)):
        response = await upload(http, tokens["alice"], images.jpeg(), user=bob)
        assert (
            refusal(response, 403, "FORBIDDEN") == "only an admin may change another user's image"
        )
        deleted = await http.delete(
            "/images/profile",
            params={"user": bob},
            headers={"Authorization": f"Bearer {tokens['alice']}"},
        )
        refusal(deleted, 403, "FORBIDDEN")
    assert await stored(gateway) == (1, 4)
    assert (await fetch(http, tokens["bob"], bobs)).status_code == 200


async def test_an_admin_can_change_anybodys_profile_image(
    client: GraphQLClient, tokens: dict[str, str], world: World, gateway: Gateway
) -> None:
    http, admin = client.http, tokens["admin"]
    image_id = await uploaded(http, admin, images.png(), user=user_gid(world.bob))
    assert (await fetch(http, tokens["bob"], image_id)).status_code == 200
    missing = await upload(http, admin, images.png(), user="999999")
    assert refusal(missing, 404, "NOT_FOUND") == "no user with id '999999'"
    deleted = await http.delete(
        "/images/profile",
        params={"user": str(world.bob.id)},
        headers={"Authorization": f"Bearer {admin}"},
    )
    assert deleted.status_code == 200
    assert deleted.json()["image"]["hasImage"] is False
    assert await stored(gateway) == (0, 0)
    assert (await fetch(http, tokens["bob"], image_id)).status_code == 404


async def test_deleting_ones_own_image(
    client: GraphQLClient, tokens: dict[str, str], gateway: Gateway
) -> None:
    headers = {"Authorization": f"Bearer {tokens['alice']}"}
    await uploaded(client.http, tokens["alice"], images.png())
    first = await client.http.delete("/images/profile", headers=headers)
    assert first.status_code == 200
    assert first.json()["image"]["urls"]["mid"] == "/images/defaults/profile/mid"
    assert await stored(gateway) == (0, 0)
    again = await client.http.delete("/images/profile", headers=headers)
    assert again.status_code == 200  # nothing to delete is fine, as in the original


async def test_room_images_are_for_admins_to_change_and_everyone_to_see(
    client: GraphQLClient, tokens: dict[str, str], gateway: Gateway
) -> None:
    http, room = client.http, f"/images/rooms/{room_gid('RM000')}"
    basic = await upload(http, tokens["alice"], images.jpeg(), path=room)
    assert refusal(basic, 403, "FORBIDDEN") == "only an admin may do this"
    assert await stored(gateway) == (0, 0)
    image_id = await uploaded(http, tokens["admin"], images.jpeg(), path=room)
    for handle in ("alice", "bob", "carol", "admin"):
        assert (await fetch(http, tokens[handle], image_id, "thumbnail")).status_code == 200
    replaced = await uploaded(http, tokens["admin"], images.png(), path="/images/rooms/RM000")
    assert await stored(gateway) == (1, 4)
    assert (await fetch(http, tokens["alice"], image_id)).status_code == 404
    refused = await http.delete(room, headers={"Authorization": f"Bearer {tokens['alice']}"})
    refusal(refused, 403, "FORBIDDEN")
    assert (await fetch(http, tokens["alice"], replaced)).status_code == 200
    missing = await upload(http, tokens["admin"], images.png(), path="/images/rooms/RM999")
    assert refusal(missing, 404, "NOT_FOUND") == "no room with id 'RM999'"
    deleted = await http.delete(room, headers={"Authorization": f"Bearer {tokens['admin']}"})
    assert deleted.status_code == 200
    assert deleted.json()["image"]["urls"]["low"] == "/images/defaults/room/low"
    assert await stored(gateway) == (0, 0)


async def test_a_profile_image_is_seen_by_its_owner_admins_and_people_sharing_a_booking(
    client: GraphQLClient, tokens: dict[str, str], world: World
) -> None:
    http = client.http
    image_id = await uploaded(http, tokens["alice"], images.png())
    for handle in ("bob", "carol"):
        stranger = await fetch(http, tokens[handle], image_id)
        assert refusal(stranger, 404, "NOT_FOUND") == f"no image with id '{image_id}'"
    never_issued = await fetch(http, tokens["bob"], "00000000-0000-4000-8000-000000000000")
    refusal(never_issued, 404, "NOT_FOUND")  # answered exactly like a hidden one
    await booked(client, tokens["alice"], "10:00", "11:00", attendees=[world.bob.email])
    assert (await fetch(http, tokens["bob"], image_id)).status_code == 200
    assert (await fetch(http, tokens["carol"], image_id)).status_code == 404
    assert (await fetch(http, tokens["admin"], image_id)).status_code == 200
    assert (await fetch(http, tokens["alice"], image_id)).status_code == 200


@pytest.mark.parametrize(
    ("kind", "quality", "size"),
    [
        ("profile", "thumbnail", (200, 200)),
        ("profile", "high", (2000, 2000)),
        ("room", "low", (600, 450)),
        ("room", "whatever", (1200, 900)),
    ],
)
async def test_default_images_are_served_to_anybody(
    client: GraphQLClient, kind: str, quality: str, size: tuple[int, int]
) -> None:
    response = await client.http.get(f"/images/defaults/{kind}/{quality}")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    assert images.decoded(response.content).size == size
    cached = await client.http.get(
        f"/images/defaults/{kind}/{quality}", headers={"If-None-Match": response.headers["etag"]}
    )
    assert cached.status_code == 304


async def test_there_are_defaults_for_profiles_and_rooms_only(client: GraphQLClient) -> None:
    refusal(await client.http.get("/images/defaults/cat/mid"), 404, "NOT_FOUND")


async def test_concurrent_uploads_leave_one_image(
    client: GraphQLClient, tokens: dict[str, str], gateway: Gateway
) -> None:
    responses = await asyncio.gather(
        *(upload(client.http, tokens["alice"], images.png(50 + n, 40)) for n in range(5))
    )
    assert [r.status_code for r in responses] == [201] * 5
    assert await stored(gateway) == (1, 4)
    served = [await fetch(client.http, tokens["alice"], r.json()["image"]["id"]) for r in responses]
    assert sorted(r.status_code for r in served) == [200, 404, 404, 404, 404]


async def test_one_file_per_upload(client: GraphQLClient, tokens: dict[str, str]) -> None:
    files = [("image", ("a.png", images.png())), ("image", ("b.png", images.png()))]
    response = await client.http.post(
        "/images/profile", files=files, headers=bearer(tokens["alice"])
    )
    assert "Too many files" in refusal(response, 400, "INVALID_INPUT")


@pytest.mark.parametrize(
    ("content_type", "body", "message"),
    [
        ("multipart/form-data", b"--x\r\n", "Missing boundary"),
        ("multipart/form-data; boundary=x", b"no parts at all", "Invalid multipart data"),
        (
            "multipart/form-data; boundary=x",
            b"--x\r\nContent-Disposition: form-data\r\n\r\nabc\r\n--x--\r\n",
            '"name" must be provided',
        ),
        (
            "multipart/form-data; boundary=x",
            b'--x\r\nContent-Disposition: form-data; name="image"; filename="a.png"\r\n\r\nab',
            "no file in the field `image`",  # the part never ends
        ),
    ],
    ids=["no-boundary", "no-parts", "no-name", "unterminated"],
)
async def test_a_malformed_multipart_body_is_refused(
    client: GraphQLClient,
    tokens: dict[str, str],
    gateway: Gateway,
    content_type: str,
    body: bytes,
    message: str,
) -> None:
    response = await client.http.post(
        "/images/profile",
        content=body,
        headers={**bearer(tokens["alice"]), "Content-Type": content_type},
    )
    assert message in refusal(response, 400, "INVALID_INPUT")
    assert await stored(gateway) == (0, 0)


async def test_a_client_that_goes_away_mid_upload_is_no_server_error(
    app: Starlette, tokens: dict[str, str], gateway: Gateway
) -> None:
    head = (
        b'--x\r\nContent-Disposition: form-data; name="image"; filename="a.png"\r\n\r\n'
        + images.png()[:100]
    )
    incoming: list[Message] = [
        {"type": "http.request", "body": head, "more_body": True},
        {"type": "http.disconnect"},
    ]
    sent: list[Message] = []

    async def receive() -> Message:
        return incoming.pop(0)

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/images/profile",
        "raw_path": b"/images/profile",
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"testserver"),
            (b"authorization", f"Bearer {tokens['alice']}".encode()),
            (b"content-type", b"multipart/form-data; boundary=x"),
        ],
        "client": ("127.0.0.1", 1234),
        "server": ("testserver", 80),
    }
    await app(scope, receive, send)
    assert sent[0]["type"] == "http.response.start"
    assert sent[0]["status"] == 400
    assert await stored(gateway) == (0, 0)
