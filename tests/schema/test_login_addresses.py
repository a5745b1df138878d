"""Sign-in under the IP rules through the real app: the peer address decides. A new
address answers `codeRequired` with reason NEW_ADDRESS and mails its owner a code naming
it; `completeLogin` from that address confirms it; an admin's block and removal refuse."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import httpx
import pytest
from starlette.applications import Starlette

from gateway.app import Gateway
from tests.support.graphql import JSON, GraphQLClient
from tests.support.mail import RecordingSender
from tests.support.world import PASSWORD, World, user_gid

HOME = "192.0.2.10"
AWAY = "198.51.100.7"
LOGIN = """
mutation Login($input: LoginInput!) {
  login(input: $input) {
    token codeRequired challenge { reason sent } errors { code message field }
  }
}
"""
COMPLETE = """
mutation Complete($input: CompleteLoginInput!) {
  completeLogin(input: $input) { token errors { code message field } }
}
"""
BLOCK = """
mutation Block($input: SetBlockAnonymousAddressesInput!) {
  setBlockAnonymousAddresses(input: $input) { errors { code } }
}
"""
REMOVE = """
mutation Remove($input: RemoveAllowedAddressInput!) {
  removeAllowedAddress(input: $input) { errors { code } }
}
"""
Via = Callable[[str], AbstractAsyncContextManager[GraphQLClient]]


@pytest.fixture
def via(app: Starlette) -> Via:
    """A client whose requests reach the app from the peer address given."""

    @asynccontextmanager
    async def client_from(peer: str) -> AsyncIterator[GraphQLClient]:
        transport = httpx.ASGITransport(app=app, client=(peer, 4321))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield GraphQLClient(http)

    return client_from


async def sign_in(client: GraphQLClient, email: str = "alice@example.com") -> JSON:
    data = await client.data(LOGIN, {"input": {"email": email, "password": PASSWORD}})
    payload: JSON = data["login"]
    return payload


async def test_a_new_address_is_confirmed_with_the_code_mailed_for_it(
    via: Via, world: World, gateway: Gateway, mail: RecordingSender
) -> None:
    async with via(HOME) as home, via(AWAY) as away:
        assert (await sign_in(home))["token"]  # the first address is trusted
        challenged = await sign_in(away)
        assert challenged == {
            "token": None,
            "codeRequired": True,
            "challenge": {"reason": "NEW_ADDRESS", "sent": True},
            "errors": [],
        }
        await gateway.relay.drain()
        [notice] = mail.to("alice@example.com")
        assert notice.subject == "Confirm your new sign-in address"
        assert AWAY in notice.body
        code = mail.code_for("alice@example.com")

        # From any other address the code is wrong: it confirms AWAY only.
        wrong = await home.data(COMPLETE, {"input": {"email": "alice@example.com", "code": code}})
        assert [e["code"] for e in wrong["completeLogin"]["errors"]] == ["INVALID_CODE"]
        done = await away.data(COMPLETE, {"input": {"email": "alice@example.com", "code": code}})
        assert done["completeLogin"]["errors"] == []
        assert done["completeLogin"]["token"]
        assert (await sign_in(away))["token"]


async def test_blocked_and_removed_addresses_are_refused(
    via: Via, world: World, tokens: dict[str, str]
) -> None:
    alice = user_gid(world.alice)
    async with via(HOME) as home, via(AWAY) as away:
        assert (await sign_in(home))["token"]
        blocked = await home.data(
            BLOCK, {"input": {"users": [alice], "block": True}}, token=tokens["admin"]
        )
        assert blocked["setBlockAnonymousAddresses"]["errors"] == []
        refused = await sign_in(away)
        assert refused["token"] is None
        assert refused["codeRequired"] is False
        assert refused["errors"] == [
            {
                "code": "FORBIDDEN",
                "message": "this account may only sign in from its allowed addresses, "
                f"and {AWAY} is not one",
                "field": None,
            }
        ]
        assert (await sign_in(home))["token"]  # confirmed before the block

        removed = await home.data(
            REMOVE, {"input": {"address": HOME, "users": [alice]}}, token=tokens["admin"]
        )
        assert removed["removeAllowedAddress"]["errors"] == []
        again = await sign_in(home)
        assert [e["code"] for e in again["errors"]] == ["FORBIDDEN"]
        # Bob's rules did not change.
        assert (await sign_in(home, "bob@example.com"))["token"]
