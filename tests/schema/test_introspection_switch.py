"""Introspection, field suggestions and GraphiQL are switchable; the `production`
profile turns all three off unless a setting turns one back on."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from gateway.settings import Settings
from tests.support.graphql import GraphQLClient

INTROSPECTION = "{ __schema { queryType { name } } }"
TYPO = "{ mee { email } }"
KIND_QUERY = "query($k: LocationKind!) { locations(filter: {kind: $k}) { totalCount } }"


def test_the_production_profile_turns_introspection_suggestions_and_graphiql_off(
    tmp_path: Path,
) -> None:
    production = Settings.from_env(
        {"OCCUPI_DATA_DIR": str(tmp_path), "OCCUPI_PROFILE": "production"}
    )
    assert production.profile == "production"
    assert (production.graphql_introspection, production.graphql_suggestions) == (False, False)
    assert production.graphiql is False
    development = Settings.from_env({"OCCUPI_DATA_DIR": str(tmp_path)})
    assert (development.graphql_introspection, development.graphql_suggestions) == (True, True)
    assert development.graphiql is True


def test_a_setting_turns_one_back_on_in_production(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {
            "OCCUPI_DATA_DIR": str(tmp_path),
            "OCCUPI_PROFILE": "Production",
            "OCCUPI_GRAPHQL_INTROSPECTION": "true",
        }
    )
    assert settings.graphql_introspection is True
    assert settings.graphql_suggestions is False


async def test_by_default_introspection_and_suggestions_answer(client: GraphQLClient) -> None:
    data = await client.data(INTROSPECTION)
    assert data == {"__schema": {"queryType": {"name": "Query"}}}
    body = await client.run(TYPO)
    assert "Did you mean 'me'?" in body["errors"][0]["message"]
    body = await client.run(KIND_QUERY, {"k": "ROOMS"})
    assert "Did you mean" in body["errors"][0]["message"]


class TestSwitchedOff:
    @pytest.fixture
    def settings(self, settings: Settings) -> Settings:
        return replace(
            settings, graphql_introspection=False, graphql_suggestions=False, graphiql=False
        )

    async def test_introspection_is_refused_but_typename_answers(
        self, client: GraphQLClient
    ) -> None:
        body = await client.run(INTROSPECTION)
        assert body["data"] is None
        assert "introspection" in body["errors"][0]["message"].lower()
        typed = await client.run('{ __type(name: "Room") { name } }')
        assert typed["data"] is None
        assert await client.data("{ __typename }") == {"__typename": "Query"}

    async def test_errors_make_no_suggestions(self, client: GraphQLClient) -> None:
        body = await client.run(TYPO)
        (error,) = body["errors"]
        assert error["message"] == "Cannot query field 'mee' on type 'Query'."
        body = await client.run("{ rooms(fist: 1) { totalCount } }")
        assert all("Did you mean" not in e["message"] for e in body["errors"])
        assert body["errors"][0]["message"].startswith("Unknown argument 'fist'")

    async def test_variables_make_no_suggestions(self, client: GraphQLClient) -> None:
        body = await client.run(KIND_QUERY, {"k": "ROOMS"})
        assert body["errors"], body
        assert all("Did you mean" not in e["message"] for e in body["errors"])

    async def test_graphiql_is_not_served(self, client: GraphQLClient) -> None:
        response = await client.http.get("/graphql", headers={"Accept": "text/html"})
        assert response.status_code == 404
