"""Occupancy through GraphQL on the real app and database: API tokens (admins only, the
secret shown once, Bearer API tokens told apart from JWTs), zones and capacities, and the
live occupancy of the tree."""

from __future__ import annotations

from tests.support.graphql import JSON, GraphQLClient, error_codes
from tests.support.world import World, location_gid

CREATE = """
mutation C($input: CreateApiTokenInput!) {
  createApiToken(input: $input) {
    secret
    apiToken { id number name scopes locationId revokedAt }
    errors { code message field }
  }
}
"""
REVOKE = """
mutation R($input: RevokeApiTokenInput!) {
  revokeApiToken(input: $input) { apiToken { number revokedAt } errors { code message field } }
}
"""
TOKENS = "query { apiTokens { number name scopes } }"
OCCUPANCY = """
query O($location: ID!) {
  occupancy(location: $location) {
    number name count capacity percentage isActive timestamp earliestCount
    childCounts { number name count capacity childCounts { name capacity } }
  }
}
"""
ADD_ZONE = """
mutation Z($input: AddLocationInput!) {
  addLocation(input: $input) { location { number kind name } errors { code message field } }
}
"""
CAPACITY = """
mutation S($input: SetLocationCapacityInput!) {
  setLocationCapacity(input: $input) { location { number } errors { code message field } }
}
"""


async def create(client: GraphQLClient, token: str, **fields: object) -> JSON:
    variables = {"input": {"name": "dashboard", "scopes": ["READ"], **fields}}
    data = await client.data(CREATE, variables, token=token)
    payload: JSON = data["createApiToken"]
    return payload


async def add_zone(client: GraphQLClient, world: World, admin: str, capacity: int) -> JSON:
    data = await client.data(
        ADD_ZONE,
        {
            "input": {
                "kind": "ZONE",
                "name": "Lobby",
                "parentId": location_gid(world.floor_id),
                "capacity": capacity,
            }
        },
        token=admin,
    )
    payload: JSON = data["addLocation"]
    return payload


async def test_an_admin_creates_a_token_shown_once_and_lists_it_without_secret(
    client: GraphQLClient, world: World, tokens: dict[str, str]
) -> None:
    payload = await create(
        client, tokens["admin"], location=location_gid(world.floor_id), scopes=["READ", "INGEST"]
    )
    assert payload["errors"] == []
    assert payload["secret"].startswith("occ_")
    assert payload["apiToken"]["scopes"] == ["INGEST", "READ"]
    assert payload["apiToken"]["locationId"] == location_gid(world.floor_id)
    listed = await client.data(TOKENS, token=tokens["admin"])
    assert listed == {
        "apiTokens": [
            {
                "number": payload["apiToken"]["number"],
                "name": "dashboard",
                "scopes": ["INGEST", "READ"],
            }
        ]
    }


async def test_basic_users_cannot_create_list_or_revoke_tokens(
    client: GraphQLClient, world: World, tokens: dict[str, str]
) -> None:
    refused = await create(client, tokens["alice"])
    assert refused["secret"] is None
    assert refused["apiToken"] is None
    assert [e["code"] for e in refused["errors"]] == ["FORBIDDEN"]
    assert error_codes(await client.run(TOKENS, token=tokens["alice"])) == ["FORBIDDEN"]
    made = await create(client, tokens["admin"])
    revoke = {"input": {"id": made["apiToken"]["id"]}}
    answer = await client.data(REVOKE, revoke, token=tokens["alice"])
    assert [e["code"] for e in answer["revokeApiToken"]["errors"]] == ["FORBIDDEN"]
    done = await client.data(REVOKE, revoke, token=tokens["admin"])
    assert done["revokeApiToken"]["apiToken"]["revokedAt"] is not None
    by_number = {"input": {"id": str(made["apiToken"]["number"])}}
    again = await client.data(REVOKE, by_number, token=tokens["admin"])
    assert again["revokeApiToken"]["errors"] == []


async def test_bad_token_input_is_invalid_input_naming_the_field(
    client: GraphQLClient, world: World, tokens: dict[str, str]
) -> None:
    blank = await create(client, tokens["admin"], name="  ")
    assert blank["errors"] == [
        {"code": "INVALID_INPUT", "message": "a token needs a name", "field": "name"}
    ]
    none = await create(client, tokens["admin"], scopes=[])
    assert none["errors"] == [
        {"code": "INVALID_INPUT", "message": "a token needs a scope", "field": "scopes"}
    ]
    bad = {"input": {"id": "not a number"}}
    wrong = await client.data(REVOKE, bad, token=tokens["admin"])
    assert wrong["revokeApiToken"]["errors"][0]["field"] == "id"


async def test_a_read_token_reads_occupancy_of_its_subtree_but_is_no_user(
    client: GraphQLClient, world: World, tokens: dict[str, str]
) -> None:
    zone = await add_zone(client, world, tokens["admin"], 40)
    assert zone["errors"] == []
    assert zone["location"]["kind"] == "ZONE"
    secret = (await create(client, tokens["admin"], location=location_gid(world.floor_id)))[
        "secret"
    ]
    data = await client.data(OCCUPANCY, {"location": str(world.floor_id)}, token=secret)
    floor = data["occupancy"]
    assert (floor["number"], floor["count"], floor["capacity"]) == (world.floor_id, 0, 40)
    assert (floor["isActive"], floor["timestamp"], floor["earliestCount"]) == (False, None, None)
    assert floor["percentage"] == 0.0
    assert {c["name"] for c in floor["childCounts"]} >= {"Lobby"}
    outside = await client.run(OCCUPANCY, {"location": str(world.site_id)}, token=secret)
    assert error_codes(outside) == ["UNAUTHENTICATED"]
    me = await client.run("query { me { email } }", token=secret)
    assert error_codes(me) == ["UNAUTHENTICATED"]
    assert error_codes(await client.run(TOKENS, token=secret)) == ["UNAUTHENTICATED"]


async def test_a_revoked_token_and_a_forged_one_are_refused_and_jwts_still_work(
    client: GraphQLClient, world: World, tokens: dict[str, str]
) -> None:
    made = await create(client, tokens["admin"])
    await client.data(REVOKE, {"input": {"id": made["apiToken"]["id"]}}, token=tokens["admin"])
    revoked = await client.run(OCCUPANCY, {"location": str(world.site_id)}, token=made["secret"])
    assert revoked["errors"][0]["message"] == "the API token was revoked"
    forged = await client.run(OCCUPANCY, {"location": str(world.site_id)}, token="occ_forged")
    assert forged["errors"][0]["message"] == "the API token is unknown"
    person = await client.data(OCCUPANCY, {"location": str(world.site_id)}, token=tokens["alice"])
    assert person["occupancy"]["number"] == world.site_id


async def test_capacities_are_set_by_admins_on_leaves_and_summed_by_parents(
    client: GraphQLClient, world: World, tokens: dict[str, str]
) -> None:
    zone = (await add_zone(client, world, tokens["admin"], 40))["location"]
    refused = await client.data(
        CAPACITY, {"input": {"location": str(zone["number"]), "capacity": 5}}, token=tokens["bob"]
    )
    assert [e["code"] for e in refused["setLocationCapacity"]["errors"]] == ["FORBIDDEN"]
    done = await client.data(
        CAPACITY,
        {"input": {"location": str(zone["number"]), "capacity": 60}},
        token=tokens["admin"],
    )
    assert done["setLocationCapacity"]["errors"] == []
    parent = await client.data(
        CAPACITY,
        {"input": {"location": str(world.floor_id), "capacity": 60}},
        token=tokens["admin"],
    )
    assert parent["setLocationCapacity"]["errors"] == [
        {
            "code": "INVALID_INPUT",
            "message": "a location with children has the sum of their capacities",
            "field": "capacity",
        }
    ]
    site = (await client.data(OCCUPANCY, {"location": str(world.site_id)}, token=tokens["bob"]))[
        "occupancy"
    ]
    assert site["capacity"] == 60
    assert site["childCounts"][0]["childCounts"][0]["capacity"] == 60
