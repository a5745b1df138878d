"""Issue 11: a 583-byte document of nested fragments took 4.6 s and returned 947 KB
inside the depth, alias and token limits. Its cost (fields times list sizes, fragments
expanded) is now refused before anything runs."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from functools import partial

import pytest
from graphql import parse
from starlette.applications import Starlette
from starlette.routing import Route
from strawberry.extensions import ParserCache, ValidationCache

import bench.queries
from gateway.app import Gateway
from gateway.schema import limits_cost
from gateway.schema.build import GatewayGraphQL, GatewaySchema, build_schema
from gateway.schema.limits import DEFAULT_MAX_COST, DEFAULT_MAX_DOCUMENT_CHARS
from gateway.schema.limits_cost import PLAIN_LIST_ITEMS, operation_cost
from gateway.schema.limits_gate import LimitsGate
from gateway.services.records import MAX_PAGE_SIZE
from gateway.settings import Settings
from tests.schema.limits_support import counting_statements, fragment_bomb
from tests.support.graphql import GraphQLClient, error_codes
from tests.support.world import World

SCHEMA = build_schema()._schema


def _cost(document: str, variables: dict[str, object] | None = None) -> int:
    return operation_cost(SCHEMA, parse(document), None, variables)


def test_the_probe_document_is_583_bytes_and_prices_far_over_the_limit() -> None:
    document = fragment_bomb()
    assert len(document.encode()) == 583
    assert _cost(document) > 1000 * DEFAULT_MAX_COST


async def test_the_probe_document_is_refused_before_any_sql(
    client: GraphQLClient, gateway: Gateway, tokens: dict[str, str]
) -> None:
    """Only the sign-in's statements (the same as for `{ __typename }`), none for it."""
    with counting_statements(gateway) as baseline:
        await client.data("{ __typename }", token=tokens["admin"])
    with counting_statements(gateway) as statements:
        body = await client.run(fragment_bomb(), token=tokens["admin"])
    assert statements == baseline
    assert not any("location" in statement for statement in statements)
    assert body["data"] is None
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "QUERY_TOO_COSTLY"
    assert error["extensions"]["limit"] == DEFAULT_MAX_COST
    assert error["extensions"]["cost"] > DEFAULT_MAX_COST
    assert f"at most {DEFAULT_MAX_COST}" in error["message"]


async def test_three_at_once_are_refused_while_another_client_is_served(
    client: GraphQLClient, world: World, tokens: dict[str, str]
) -> None:
    bombs = [client.run(fragment_bomb()) for _ in range(3)]
    other = client.data("{ me { email } }", token=tokens["alice"])
    *refused, served = await asyncio.gather(*bombs, other)
    assert all(error_codes(body) == ["QUERY_TOO_COSTLY"] for body in refused)
    assert served == {"me": {"email": world.alice.email}}


def test_fragments_are_priced_once_each(monkeypatch: pytest.MonkeyPatch) -> None:
    """The walk is linear in the document: 2^9 expanded copies, 10 fragment walks."""
    walked: list[str] = []
    original = limits_cost._Walk._fragment

    def spy(self: limits_cost._Walk, name: str, parent: limits_cost.Parent) -> int:
        if name not in self._priced:
            walked.append(name)
        return original(self, name, parent)

    monkeypatch.setattr(limits_cost._Walk, "_fragment", spy)
    _cost(fragment_bomb())
    assert sorted(walked) == [f"L{n}" for n in range(10)]


def test_page_sizes_multiply_and_are_clamped_to_the_page_limit() -> None:
    query = "query($n: Int!) { rooms(first: $n) { edges { node { code name } } } }"
    # rooms 1 + n * (edges 1 + node 1 + code 1 + name 1)
    assert _cost(query, {"n": 10}) == 1 + 10 * 4
    assert _cost(query, {"n": 1000}) == 1 + MAX_PAGE_SIZE * 4
    assert _cost(query, {"n": -5}) == 1
    assert _cost("{ rooms { edges { node { code } } } }") == 1 + 20 * 3  # the default first


def test_plain_lists_count_their_estimated_items() -> None:
    query = '{ location(id: "1") { children { id name } } }'
    assert _cost(query) == 1 + 1 + PLAIN_LIST_ITEMS * 2


def test_every_benchmark_document_is_within_the_limit() -> None:
    documents = {
        name: value
        for name, value in vars(bench.queries).items()
        if name.isupper() and isinstance(value, str)
    }
    assert len(documents) >= 9
    for name, document in documents.items():
        assert _cost(document) <= DEFAULT_MAX_COST, name


async def test_ordinary_nested_documents_run(
    client: GraphQLClient, world: World, tokens: dict[str, str]
) -> None:
    """The statement-count test's biggest document: 50 rooms, bookings, attendees."""
    await world.add_rooms(3)
    query = (
        "query($first: Int!) { rooms(first: $first) { totalCount edges { node { id "
        'bookings(date: "2026-11-24") { id createdBy { email } room { id } '
        "attendees { email user { name } } } } } } }"
    )
    assert _cost(query, {"first": 100}) <= DEFAULT_MAX_COST
    data = await client.data(query, {"first": 50}, token=tokens["admin"])
    assert data["rooms"]["totalCount"] == len(world.rooms)


class TestALowerLimit:
    @pytest.fixture
    def settings(self, settings: Settings) -> Settings:
        return replace(settings, graphql_max_cost=10)

    async def test_the_setting_is_the_limit(
        self, client: GraphQLClient, world: World, tokens: dict[str, str]
    ) -> None:
        query = "{ rooms(first: 5) { edges { node { code } } } }"
        body = await client.run(query, token=tokens["alice"])
        assert body["errors"][0]["extensions"] == {
            "code": "QUERY_TOO_COSTLY",
            "cost": 16,
            "limit": 10,
        }
        small = await client.data(
            "{ rooms(first: 2) { edges { node { code } } } }", token=tokens["alice"]
        )
        assert len(small["rooms"]["edges"]) == 2


class TestAHigherLimit:
    @pytest.fixture
    def settings(self, settings: Settings) -> Settings:
        return replace(settings, graphql_max_cost=10**18)

    async def test_only_the_cost_limit_refused_the_probe_document(
        self, client: GraphQLClient, tokens: dict[str, str]
    ) -> None:
        """On the small test world it runs: depth, aliases and tokens let it through."""
        data = await client.data(fragment_bomb(), token=tokens["admin"])
        assert data["locations"]["edges"]


def test_the_gate_is_the_last_extension() -> None:
    """It must see a ValidationCache's errors, and no extension after it may replace its
    refusal (limits_gate)."""
    last = build_schema().extensions[-1]
    assert isinstance(last, partial)
    assert last.func is LimitsGate


class TestWithParserAndValidationCaches:
    """The perf work puts Strawberry's caches in front of the gate; refusals still hold."""

    @pytest.fixture
    def app(self, app: Starlette) -> Starlette:
        (view,) = [r.app for r in app.routes if isinstance(r, Route) and r.path == "/graphql"]
        assert isinstance(view, GatewayGraphQL)
        schema = view.schema
        assert isinstance(schema, GatewaySchema)
        *others, gate = schema.extensions
        parser, validation = ParserCache(), ValidationCache()
        schema.extensions = (*others, lambda: parser, lambda: validation, gate)
        return app

    async def test_refusals_and_answers(
        self, client: GraphQLClient, world: World, tokens: dict[str, str]
    ) -> None:
        for _ in range(2):
            assert error_codes(await client.run(fragment_bomb())) == ["QUERY_TOO_COSTLY"]
            long = "{ __typename }#" + "x" * DEFAULT_MAX_DOCUMENT_CHARS
            assert error_codes(await client.run(long)) == ["DOCUMENT_TOO_LARGE"]
            unknown = {"persistedQuery": {"version": 1, "sha256Hash": "0" * 64}}
            response = await client.http.post("/graphql", json={"extensions": unknown})
            assert error_codes(response.json()) == ["PERSISTED_QUERY_NOT_FOUND"]
            data = await client.data("{ me { email } }", token=tokens["carol"])
            assert data == {"me": {"email": world.carol.email}}
