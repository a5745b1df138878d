"""The app answers GraphQL through the real ASGI stack."""

from __future__ import annotations

from tests.support.graphql import GraphQLClient
from tests.support.world import World


async def test_me_with_a_token(client: GraphQLClient, world: World, tokens: dict[str, str]) -> None:
    data = await client.data("{ me { email role } }", token=tokens["alice"])
    assert data["me"] == {"email": "alice@example.com", "role": "BASIC"}
