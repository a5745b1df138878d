"""Bodies the JSON parser cannot read are 400s with a precise message, never a 500:
not UTF-8, or nested 100,000 levels deep (the body, or the variables of a GET)."""

from __future__ import annotations

import json

import pytest

from tests.support.graphql import GraphQLClient

JSON = {"Content-Type": "application/json"}
DEEP = 100_000


async def refused(client: GraphQLClient, body: bytes) -> str:
    response = await client.http.post("/graphql", content=body, headers=JSON)
    assert response.status_code == 400, response.text
    return response.text  # Strawberry answers its HTTP errors as plain text


async def test_a_body_that_is_not_utf8_is_a_400(client: GraphQLClient) -> None:
    body = b'{"query": "{ __typename }", "x": "\xff\xfe"}'
    assert await refused(client, body) == (
        "Unable to parse request body as JSON: the body is not valid UTF-8"
    )


@pytest.mark.parametrize(
    "body",
    [
        b"[" * DEEP + b"]" * DEEP,
        b'{"query": "{ __typename }", "variables": {"a": ' + b"[" * DEEP + b"]" * DEEP + b"}}",
        b'{"query": "{ __typename }", "variables": ' + b'{"a":' * DEEP + b"1" + b"}" * DEEP + b"}",
    ],
    ids=["body", "variables-lists", "variables-objects"],
)
async def test_json_nested_100000_deep_is_a_400(client: GraphQLClient, body: bytes) -> None:
    assert await refused(client, body) == (
        "Unable to parse request body as JSON: JSON nested too deeply"
    )
    assert (await client.data("{ __typename }")) == {"__typename": "Query"}


async def test_deep_variables_in_a_get_are_a_400(client: GraphQLClient) -> None:
    response = await client.http.get(
        "/graphql",
        params={"query": "{ __typename }", "variables": "[" * 2000 + "]" * 2000},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 400
    assert response.text == "Unable to parse request body as JSON: JSON nested too deeply"


async def test_json_that_is_merely_malformed_says_so(client: GraphQLClient) -> None:
    assert await refused(client, b'{"query": ') == "Unable to parse request body as JSON"


async def test_the_rest_shim_and_graphql_share_one_reader() -> None:
    from domain.json_text import loads
    from rest_compat import json_input

    deep = "[" * 100_000 + "]" * 100_000
    for reader in (loads, json_input.loads):
        with pytest.raises(ValueError, match="nested too deeply"):
            reader(deep)
    assert loads(json.dumps({"a": [1]})) == {"a": [1]}
