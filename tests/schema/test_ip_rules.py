"""IP rules through the real app: admins change them, people see only their own."""

from __future__ import annotations

from tests.support.bookings import booked
from tests.support.graphql import JSON, GraphQLClient, error_codes
from tests.support.world import World, room_gid, user_gid

OFFICE = "203.0.113.5"
ZONE_ID = "has a zone id (%…); give the address without it"
FIELDS = "address users { email } errors { code message field }"
ALLOW = f"""
mutation Allow($input: AllowAddressInput!) {{ allowAddress(input: $input) {{ {FIELDS} }} }}
"""
REMOVE = f"""
mutation Remove($input: RemoveAllowedAddressInput!) {{
  removeAllowedAddress(input: $input) {{ {FIELDS} }}
}}
"""
BLOCK = f"""
mutation Block($input: SetBlockAnonymousAddressesInput!) {{
  setBlockAnonymousAddresses(input: $input) {{ {FIELDS} }}
}}
"""
MINE = """
{ me { email allowedAddresses { address addedAt addedBy { email } }
       blockAnonymousAddresses } }
"""
SOMEONE = """
query Someone($id: ID!) {
  node(id: $id) { ... on User { email allowedAddresses { address } blockAnonymousAddresses } }
}
"""
ADDED_BY = """
query AddedBy($id: ID!) { node(id: $id) { ... on User { allowedAddresses { addedBy { email } } } } }
"""
INFO = """
query Info($address: String) {
  addressInfo(address: $address) {
    address version isPrivate isLoopback isLinkLocal isMulticast isReserved isGlobal
    allowedFor { email }
  }
}
"""


def change(address: str, *users: str) -> JSON:
    return {"input": {"address": address, "users": list(users)}}


async def allow(client: GraphQLClient, token: str, address: str, *users: str) -> JSON:
    payload: JSON = (await client.data(ALLOW, change(address, *users), token=token))["allowAddress"]
    return payload


async def test_a_basic_user_cannot_change_anybodys_address_rules(
    client: GraphQLClient, world: World, tokens: dict[str, str]
) -> None:
    alice, bob = user_gid(world.alice), user_gid(world.bob)
    forbidden = [{"code": "FORBIDDEN", "message": "only an admin may do this", "field": None}]
    for query, variables, name in (
        (ALLOW, change(OFFICE, alice), "allowAddress"),
        (REMOVE, change(OFFICE, bob), "removeAllowedAddress"),
        (BLOCK, {"input": {"users": [bob], "block": True}}, "setBlockAnonymousAddresses"),
    ):
        payload = (await client.data(query, variables, token=tokens["alice"]))[name]
        assert payload == {"address": None, "users": None, "errors": forbidden}
    for who in ("alice", "bob"):
        me = (await client.data(MINE, token=tokens[who]))["me"]
        assert (me["allowedAddresses"], me["blockAnonymousAddresses"]) == ([], False)


async def test_an_admin_allows_and_removes_addresses(
    client: GraphQLClient, world: World, tokens: dict[str, str]
) -> None:
    payload = await allow(
        client, tokens["admin"], f"::ffff:{OFFICE}", user_gid(world.alice), str(world.bob.id)
    )
    assert payload == {
        "address": OFFICE,
        "users": [{"email": "alice@example.com"}, {"email": "bob@example.com"}],
        "errors": [],
    }
    me = (await client.data(MINE, token=tokens["alice"]))["me"]
    added_at = world.gateway.app.clock.now().isoformat()
    # Alice may not know of the admin's account (they share no booking): the mail names them.
    assert me["allowedAddresses"] == [{"address": OFFICE, "addedAt": added_at, "addedBy": None}]
    alice = {"id": user_gid(world.alice)}
    by_admin = (await client.data(ADDED_BY, alice, token=tokens["admin"]))["node"]
    assert by_admin == {"allowedAddresses": [{"addedBy": {"email": "admin@example.com"}}]}
    removed = (
        await client.data(REMOVE, change(OFFICE, user_gid(world.bob)), token=tokens["admin"])
    )["removeAllowedAddress"]
    assert removed["errors"] == []
    assert (await client.data(MINE, token=tokens["bob"]))["me"]["allowedAddresses"] == []
    assert len((await client.data(MINE, token=tokens["alice"]))["me"]["allowedAddresses"]) == 1


async def test_an_admin_blocks_anonymous_addresses(
    client: GraphQLClient, world: World, tokens: dict[str, str]
) -> None:
    variables = {"input": {"users": [user_gid(world.carol)], "block": True}}
    payload = (await client.data(BLOCK, variables, token=tokens["admin"]))[
        "setBlockAnonymousAddresses"
    ]
    assert payload == {"address": None, "users": [{"email": "carol@example.com"}], "errors": []}
    assert (await client.data(MINE, token=tokens["carol"]))["me"]["blockAnonymousAddresses"]
    assert not (await client.data(MINE, token=tokens["alice"]))["me"]["blockAnonymousAddresses"]


async def test_a_basic_user_cannot_read_anothers_rules_but_an_admin_can(
    client: GraphQLClient, world: World, tokens: dict[str, str]
) -> None:
    await allow(client, tokens["admin"], OFFICE, user_gid(world.bob))
    # Alice shares a booking with Bob, so she may see him, but not his rules.
    await booked(client, tokens["alice"], "10:00", "11:00", attendees=["bob@example.com"])
    bob = {"id": user_gid(world.bob)}
    seen = (await client.data(SOMEONE, bob, token=tokens["alice"]))["node"]
    assert seen == {"email": None, "allowedAddresses": None, "blockAnonymousAddresses": None}
    by_admin = (await client.data(SOMEONE, bob, token=tokens["admin"]))["node"]
    assert by_admin == {
        "email": "bob@example.com",
        "allowedAddresses": [{"address": OFFICE}],
        "blockAnonymousAddresses": False,
    }


async def test_bad_input_gets_a_precise_error_and_changes_nothing(
    client: GraphQLClient, world: World, tokens: dict[str, str]
) -> None:
    admin, alice = tokens["admin"], user_gid(world.alice)
    room = room_gid("RM000")
    cases = [
        (change("300.1.2.3", alice), "'300.1.2.3' is not an IPv4 or IPv6 address", "address"),
        (change("fe80::1%eth0", alice), f"'fe80::1%eth0' {ZONE_ID}", "address"),
        (change(OFFICE), "list at least one user", "users"),
        (change(OFFICE, alice, "999999"), "no user with id 999999", "users"),
        (change(OFFICE, room), f"{room!r} is the id of a Room, not of a User", "users"),
        (change(OFFICE, "bob"), "'bob' is not a valid id", "users"),
        (change(OFFICE, *[alice] * 101), "list at most 100 users at a time", "users"),
    ]  # fmt: skip
    for variables, message, field in cases:
        code = "NOT_FOUND" if message.startswith("no user") else "INVALID_INPUT"
        payload = (await client.data(ALLOW, variables, token=admin))["allowAddress"]
        assert payload["errors"] == [{"code": code, "message": message, "field": field}]
    assert (await client.data(MINE, token=tokens["alice"]))["me"]["allowedAddresses"] == []


async def test_address_info_defaults_to_the_callers_address(
    client: GraphQLClient, world: World, tokens: dict[str, str]
) -> None:
    await allow(client, tokens["admin"], "127.0.0.1", user_gid(world.alice))
    info = (await client.data(INFO, token=tokens["admin"]))["addressInfo"]
    assert info == {
        "address": "127.0.0.1",  # httpx's ASGI transport calls from there
        "version": 4,
        "isPrivate": True,
        "isLoopback": True,
        "isLinkLocal": False,
        "isMulticast": False,
        "isReserved": False,
        "isGlobal": False,
        "allowedFor": [{"email": "alice@example.com"}],
    }
    basic = await client.data(INFO, {"address": "2001:4860::1"}, token=tokens["alice"])
    assert basic["addressInfo"]["version"] == 6
    assert basic["addressInfo"]["isGlobal"] is True
    assert basic["addressInfo"]["allowedFor"] is None  # admins only


async def test_address_info_refuses_bad_input_and_anonymous_callers(
    client: GraphQLClient, world: World, tokens: dict[str, str]
) -> None:
    bad = await client.run(INFO, {"address": "example.com"}, token=tokens["alice"])
    assert bad["data"] is None
    [error] = bad["errors"]
    assert error["message"] == "'example.com' is not an IPv4 or IPv6 address"
    assert error["extensions"] == {"code": "INVALID_INPUT", "field": "address"}
    anonymous = await client.run(INFO)
    assert error_codes(anonymous) == ["UNAUTHENTICATED"]
