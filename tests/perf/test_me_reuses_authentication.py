"""`me` answers from the account authentication read for the same request: one read
fewer, and never staler than the request, since every request (every operation on a
WebSocket) authenticates afresh."""

from __future__ import annotations

from bench import queries
from gateway.app import Gateway
from tests.support.graphql import GraphQLClient
from tests.support.statements import counting_statements
from tests.support.world import PASSWORD, World


async def _me(client: GraphQLClient, gateway: Gateway, token: str) -> tuple[int, str]:
    with counting_statements(gateway) as statements:
        data = await client.data(queries.ME, token=token)
    name: str = data["me"]["name"]
    return len(statements), name


async def test_a_renamed_caller_sees_the_new_name_on_the_next_request(
    client: GraphQLClient, gateway: Gateway, world: World, tokens: dict[str, str]
) -> None:
    assert await _me(client, gateway, tokens["alice"]) == (1, "Alice")  # the token holder
    await gateway.app.people.update_profile(
        world.principal(world.alice), user_id=None, name="Alice Renamed", changes={}
    )
    assert await _me(client, gateway, tokens["alice"]) == (1, "Alice Renamed")
    assert await _me(client, gateway, tokens["bob"]) == (1, "Bob")


async def test_a_principal_made_without_an_account_reads_it(gateway: Gateway, world: World) -> None:
    await gateway.app.people.update_profile(
        world.principal(world.admin), user_id=world.bob.id, name="Robert", changes={}
    )
    assert (await gateway.app.accounts.me(world.principal(world.bob))).name == "Robert"
    authenticated = await gateway.app.accounts.authenticate(
        (await gateway.app.accounts.login(world.bob.email, PASSWORD)).token.token
    )
    assert authenticated.account is not None
    assert authenticated.account.name == "Robert"
    assert (await gateway.app.accounts.me(authenticated)).name == "Robert"
