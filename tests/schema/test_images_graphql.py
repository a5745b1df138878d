"""User.image, Room.image and the image mutations, through the real app."""

from __future__ import annotations

from gateway.app import Gateway
from tests.schema.image_client import fetch, stored, uploaded
from tests.schema.test_sql_statement_counts import counting_statements
from tests.support import images
from tests.support.bookings import booked
from tests.support.graphql import GraphQLClient
from tests.support.world import World, room_gid, user_gid

IMAGE = "image { id hasImage format urls { thumbnail low mid high } }"
ME = f"{{ me {{ {IMAGE} }} }}"
ROOM = f"query Room($id: ID!) {{ room(id: $id) {{ code {IMAGE} }} }}"
NODE = f"query Node($id: ID!) {{ node(id: $id) {{ ... on User {{ name {IMAGE} }} }} }}"
DELETE_PROFILE = f"""
mutation Delete($input: DeleteProfileImageInput!) {{
  deleteProfileImage(input: $input) {{ user {{ name {IMAGE} }} errors {{ code message field }} }}
}}
"""
DELETE_ROOM = f"""
mutation Delete($input: DeleteRoomImageInput!) {{
  deleteRoomImage(input: $input) {{ room {{ code {IMAGE} }} errors {{ code message field }} }}
}}
"""


def default_image(kind: str) -> dict[str, object]:
    return {
        "id": None,
        "hasImage": False,
        "format": "png",
        "urls": {q: f"/images/defaults/{kind}/{q}" for q in ("thumbnail", "low", "mid", "high")},
    }


async def test_without_an_image_the_urls_are_the_defaults(
    client: GraphQLClient, tokens: dict[str, str]
) -> None:
    me = await client.data(ME, token=tokens["alice"])
    assert me["me"]["image"] == default_image("profile")
    room = await client.data(ROOM, {"id": room_gid("RM000")}, token=tokens["alice"])
    assert room["room"]["image"] == default_image("room")


async def test_user_and_room_images_show_their_urls(
    client: GraphQLClient, tokens: dict[str, str]
) -> None:
    mine = await uploaded(client.http, tokens["alice"], images.jpeg())
    room = await uploaded(client.http, tokens["admin"], images.png(), path="/images/rooms/RM000")
    me = (await client.data(ME, token=tokens["alice"]))["me"]["image"]
    assert me["id"] == mine
    assert me["hasImage"] is True
    assert me["format"] == "jpeg"
    assert me["urls"]["high"] == f"/images/{mine}/high"
    assert (await client.http.get(me["urls"]["thumbnail"], headers=_bearer(tokens))).is_success
    shown = await client.data(ROOM, {"id": "RM000"}, token=tokens["bob"])
    assert shown["room"]["image"]["id"] == room
    assert shown["room"]["image"]["urls"]["low"] == f"/images/{room}/low"


def _bearer(tokens: dict[str, str]) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['alice']}"}


async def test_user_image_follows_who_may_see_the_user(
    client: GraphQLClient, tokens: dict[str, str], world: World
) -> None:
    mine = await uploaded(client.http, tokens["alice"], images.png())
    alice = {"id": user_gid(world.alice)}
    assert (await client.data(NODE, alice, token=tokens["bob"]))["node"] is None
    await booked(client, tokens["alice"], "10:00", "11:00", attendees=[world.bob.email])
    seen = await client.data(NODE, alice, token=tokens["bob"])
    assert seen["node"]["image"]["id"] == mine
    assert (await client.data(NODE, alice, token=tokens["carol"]))["node"] is None
    by_admin = await client.data(NODE, alice, token=tokens["admin"])
    assert by_admin["node"]["image"]["id"] == mine


async def test_delete_profile_image(
    client: GraphQLClient, tokens: dict[str, str], gateway: Gateway
) -> None:
    mine = await uploaded(client.http, tokens["alice"], images.png())
    data = await client.data(DELETE_PROFILE, {"input": {}}, token=tokens["alice"])
    payload = data["deleteProfileImage"]
    assert payload == {"user": {"name": "Alice", "image": default_image("profile")}, "errors": []}
    assert await stored(gateway) == (0, 0)
    assert (await fetch(client.http, tokens["alice"], mine)).status_code == 404


async def test_a_basic_user_cannot_delete_another_users_profile_image(
    client: GraphQLClient, tokens: dict[str, str], world: World, gateway: Gateway
) -> None:
    await uploaded(client.http, tokens["bob"], images.png())
    for bob in (user_gid(world.bob), str(world.bob.id)):
        data = await client.data(DELETE_PROFILE, {"input": {"user": bob}}, token=tokens["alice"])
        assert data["deleteProfileImage"] == {
            "user": None,
            "errors": [
                {
                    "code": "FORBIDDEN",
                    "message": "only an admin may change another user's image",
                    "field": "user",
                }
            ],
        }
    assert await stored(gateway) == (1, 4)


async def test_an_admin_can_delete_anybodys_profile_image(
    client: GraphQLClient, tokens: dict[str, str], world: World, gateway: Gateway
) -> None:
    await uploaded(client.http, tokens["bob"], images.png())
    variables = {"input": {"user": user_gid(world.bob)}}
    data = await client.data(DELETE_PROFILE, variables, token=tokens["admin"])
    assert data["deleteProfileImage"]["user"] == {"name": "Bob", "image": default_image("profile")}
    assert await stored(gateway) == (0, 0)
    wrong = await client.data(
        DELETE_PROFILE, {"input": {"user": room_gid("RM000")}}, token=tokens["admin"]
    )
    error = wrong["deleteProfileImage"]["errors"][0]
    assert (error["code"], error["field"]) == ("INVALID_INPUT", "user")


async def test_only_admins_delete_room_images(
    client: GraphQLClient, tokens: dict[str, str], gateway: Gateway
) -> None:
    await uploaded(client.http, tokens["admin"], images.png(), path="/images/rooms/RM001")
    variables = {"input": {"room": room_gid("RM001")}}
    refused = await client.data(DELETE_ROOM, variables, token=tokens["alice"])
    assert refused["deleteRoomImage"]["errors"][0]["code"] == "FORBIDDEN"
    assert await stored(gateway) == (1, 4)
    done = await client.data(DELETE_ROOM, variables, token=tokens["admin"])
    assert done["deleteRoomImage"] == {
        "room": {"code": "RM001", "image": default_image("room")},
        "errors": [],
    }
    assert await stored(gateway) == (0, 0)
    missing = await client.data(DELETE_ROOM, {"input": {"room": "RM404"}}, token=tokens["admin"])
    assert missing["deleteRoomImage"]["errors"] == [
        {"code": "NOT_FOUND", "message": "no room with id 'RM404'", "field": "room"}
    ]


ROOMS = "query Rooms { rooms(first: 50) { edges { node { code image { id } } } } }"


async def _statements(client: GraphQLClient, gateway: Gateway, token: str) -> int:
    with counting_statements(gateway) as statements:
        data = await client.data(ROOMS, token=token)
    assert data["rooms"]["edges"]
    return len(statements)


async def test_room_images_cost_one_statement_whatever_the_number_of_rooms(
    client: GraphQLClient, tokens: dict[str, str], world: World, gateway: Gateway
) -> None:
    await uploaded(client.http, tokens["admin"], images.png(), path="/images/rooms/RM000")
    few = await _statements(client, gateway, tokens["alice"])
    await world.add_rooms(8)
    for code in world.rooms[-3:]:
        await uploaded(client.http, tokens["admin"], images.png(), path=f"/images/rooms/{code}")
    assert await _statements(client, gateway, tokens["alice"]) == few
