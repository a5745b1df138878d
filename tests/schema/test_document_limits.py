"""A document's length (comments included) is checked before parsing; its directives are
capped; the depth, alias and token limits stay (tests/schema/test_query_limits.py)."""

from __future__ import annotations

import asyncio
from dataclasses import fields

import pytest
from graphql import parse

from gateway.app import graphql_limits
from gateway.schema.limits import DEFAULT_MAX_DIRECTIVES, DEFAULT_MAX_DOCUMENT_CHARS, GraphQLLimits
from gateway.settings import Settings, SettingsError
from tests.support.graphql import GraphQLClient, error_codes
from tests.support.world import World


def _padded(length: int) -> str:
    """`{ __typename }` and a comment, `length` characters in all."""
    query = "{ __typename }\n#"
    return query + "x" * (length - len(query))


async def test_a_document_over_the_length_limit_is_refused_unparsed(
    client: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    parsed: list[str] = []

    def spy(source: str, **kwargs: object) -> object:
        parsed.append(source)
        return parse(source, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr("strawberry.schema.schema.parse", spy)
    body = await client.run(_padded(DEFAULT_MAX_DOCUMENT_CHARS + 1))
    assert parsed == []
    assert body["data"] is None
    (error,) = body["errors"]
    assert error["extensions"] == {
        "code": "DOCUMENT_TOO_LARGE",
        "length": DEFAULT_MAX_DOCUMENT_CHARS + 1,
        "limit": DEFAULT_MAX_DOCUMENT_CHARS,
    }
    assert "comments and white space count" in error["message"]


async def test_a_document_at_the_length_limit_runs(client: GraphQLClient) -> None:
    data = await client.data(_padded(DEFAULT_MAX_DOCUMENT_CHARS))
    assert data == {"__typename": "Query"}


async def test_a_long_document_is_refused_over_get_and_with_an_operation_name(
    client: GraphQLClient,
) -> None:
    long = "query Named { __typename }\n#" + "x" * DEFAULT_MAX_DOCUMENT_CHARS
    response = await client.http.get("/graphql", params={"query": long, "operationName": "Named"})
    assert response.status_code == 200, response.text
    assert error_codes(response.json()) == ["DOCUMENT_TOO_LARGE"]


async def test_a_long_comment_is_refused_while_another_client_is_served(
    client: GraphQLClient, world: World, tokens: dict[str, str]
) -> None:
    # Half a megabyte: under the body limit (a whole one is refused earlier, with 413).
    huge = client.run(_padded(512 * 1024))
    other = client.data("{ me { email } }", token=tokens["bob"])
    refused, served = await asyncio.gather(huge, other)
    assert error_codes(refused) == ["DOCUMENT_TOO_LARGE"]
    assert served == {"me": {"email": world.bob.email}}


def _directives(count: int) -> str:
    return "{ " + " ".join("... @include(if: true) { __typename }" for _ in range(count)) + " }"


async def test_too_many_directives_are_refused(client: GraphQLClient) -> None:
    body = await client.run(_directives(DEFAULT_MAX_DIRECTIVES + 1))
    assert body["data"] is None
    (error,) = body["errors"]
    assert error["extensions"] == {"code": "TOO_MANY_DIRECTIVES", "limit": DEFAULT_MAX_DIRECTIVES}
    assert error["message"] == f"The document has more than {DEFAULT_MAX_DIRECTIVES} directives"


async def test_directives_up_to_the_limit_run(client: GraphQLClient) -> None:
    data = await client.data(_directives(DEFAULT_MAX_DIRECTIVES))
    assert data == {"__typename": "Query"}


def test_the_settings_defaults_are_the_limits_defaults(tmp_path: object) -> None:
    settings = Settings.from_env({"OCCUPI_DATA_DIR": str(tmp_path)})
    built = graphql_limits(settings)
    defaults = GraphQLLimits()
    assert {f.name: getattr(built, f.name) for f in fields(GraphQLLimits)} == {
        f.name: getattr(defaults, f.name) for f in fields(GraphQLLimits)
    }


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("OCCUPI_GRAPHQL_MAX_DOCUMENT_CHARS", "10", "between 100 and 10000000"),
        ("OCCUPI_GRAPHQL_MAX_COST", "lots", "must be a whole number"),
        ("OCCUPI_GRAPHQL_MAX_DIRECTIVES", "-1", "between 0 and 10000"),
        ("OCCUPI_GRAPHQL_TIMEOUT_MS", "0", "between 1 and 3600000"),
        ("OCCUPI_SUBSCRIPTIONS_PER_USER", "0", "between 1 and 100000"),
        ("OCCUPI_SUBSCRIPTIONS_PER_CONNECTION", "x", "must be a whole number"),
        ("OCCUPI_PERSISTED_QUERIES", "-3", "between 0 and 1000000"),
        ("OCCUPI_TRUSTED_DOCUMENTS", "/nowhere/manifest.json", "must name a manifest file"),
        ("OCCUPI_PROFILE", "staging", "must be one of development, production"),
    ],
)
def test_bad_limit_settings_name_themselves(
    tmp_path: object, name: str, value: str, message: str
) -> None:
    with pytest.raises(SettingsError, match=name) as raised:
        Settings.from_env({"OCCUPI_DATA_DIR": str(tmp_path), name: value})
    assert message in str(raised.value)
