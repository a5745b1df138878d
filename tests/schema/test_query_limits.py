"""One document cannot ask for unbounded work: depth, aliases and size are capped."""

from __future__ import annotations

from gateway.schema.build import MAX_ALIASES, MAX_DEPTH, MAX_TOKENS
from tests.support.graphql import GraphQLClient
from tests.support.world import World


def _nested_locations(depth: int) -> str:
    inner = "id"
    for _ in range(depth):
        inner = f"parent {{ {inner} }}"
    return f'{{ location(id: "1") {{ {inner} }} }}'


async def test_a_too_deep_query_is_refused(client: GraphQLClient, world: World) -> None:
    body = await client.run(_nested_locations(MAX_DEPTH + 1))
    assert body["data"] is None
    assert "exceeds maximum operation depth" in body["errors"][0]["message"]


async def test_a_query_at_the_depth_limit_runs(
    client: GraphQLClient, world: World, tokens: dict[str, str]
) -> None:
    body = await client.run(_nested_locations(MAX_DEPTH - 1), token=tokens["alice"])
    assert "errors" not in body


async def test_many_aliased_logins_in_one_document_are_refused(client: GraphQLClient) -> None:
    guesses = " ".join(
        f'g{n}: login(input: {{email: "alice@example.com", password: "guess{n}"}}) {{ token }}'
        for n in range(MAX_ALIASES + 1)
    )
    body = await client.run(f"mutation {{ {guesses} }}")
    assert body["data"] is None
    assert (
        body["errors"][0]["message"] == f"{MAX_ALIASES + 1} aliases found. Allowed: {MAX_ALIASES}"
    )


async def test_an_oversized_document_is_refused(client: GraphQLClient) -> None:
    body = await client.run("{ " + "ping " * MAX_TOKENS + "}")
    assert body["data"] is None
    assert "tokens" in body["errors"][0]["message"]
