"""GraphQL over HTTP: the application/graphql-response+json media type and its status
codes, mutations never over GET, CSRF-safe content types only; clients that accept
application/json get the answers they always had."""

from __future__ import annotations

import json

import httpx
import pytest

from gateway.app import Gateway
from gateway.schema.limits_http import wants_graphql_response
from tests.schema.limits_support import fragment_bomb
from tests.support.graphql import GraphQLClient
from tests.support.world import World

NEW = "application/graphql-response+json"
LOGOUT = "mutation { logoutEverywhere { ok } }"


async def _post(http: httpx.AsyncClient, query: str, accept: str) -> httpx.Response:
    return await http.post("/graphql", json={"query": query}, headers={"Accept": accept})


async def test_the_graphql_response_type_is_answered_in_kind(client: GraphQLClient) -> None:
    response = await _post(client.http, "{ __typename }", NEW)
    assert response.status_code == 200
    assert response.headers["content-type"] == f"{NEW}; charset=utf-8"
    assert response.json() == {"data": {"__typename": "Query"}}


async def test_request_errors_are_400_without_data_under_the_new_type(
    client: GraphQLClient,
) -> None:
    for query in ("{", "{ nope }", fragment_bomb()):
        response = await _post(client.http, query, NEW)
        assert response.status_code == 400, query
        body = response.json()
        assert "data" not in body
        assert body["errors"]
    coerced = await client.http.post(
        "/graphql",
        json={
            "query": "query($n: Int!) { rooms(first: $n) { totalCount } }",
            "variables": {"n": "x"},
        },
        headers={"Accept": NEW},
    )
    assert coerced.status_code == 400
    assert "data" not in coerced.json()


async def test_field_errors_keep_their_data_and_200(client: GraphQLClient) -> None:
    response = await _post(client.http, "{ me { email } }", NEW)
    assert response.status_code == 200
    body = response.json()
    assert body["data"] is None
    assert body["errors"][0]["path"] == ["me"]


async def test_application_json_clients_get_todays_answers(client: GraphQLClient) -> None:
    for accept in ("application/json", "*/*", f"application/json, {NEW};q=0.5"):
        response = await _post(client.http, "{ nope }", accept)
        assert response.status_code == 200, accept
        assert response.headers["content-type"] == "application/json"
        assert response.json()["data"] is None


async def test_mutations_are_never_run_over_get(
    client: GraphQLClient, gateway: Gateway, world: World, tokens: dict[str, str]
) -> None:
    response = await client.http.get(
        "/graphql", params={"query": LOGOUT}, headers={"Authorization": f"Bearer {tokens['alice']}"}
    )
    assert response.status_code == 405
    assert "mutations are not allowed when using GET" in response.text
    still = await client.data("{ me { email } }", token=tokens["alice"])
    assert still == {"me": {"email": world.alice.email}}


async def test_simple_cross_site_content_types_are_refused(
    client: GraphQLClient, world: World, tokens: dict[str, str]
) -> None:
    """A page elsewhere can post these without a preflight; none runs the mutation."""
    body = json.dumps({"query": LOGOUT})
    auth = {"Authorization": f"Bearer {tokens['alice']}"}
    for content_type, content in (
        ("text/plain", body),
        ("application/x-www-form-urlencoded", f"query={LOGOUT}"),
        (
            "multipart/form-data; boundary=x",
            f'--x\r\nContent-Disposition: form-data; name="query"\r\n\r\n{LOGOUT}\r\n--x--\r\n',
        ),
    ):
        response = await client.http.post(
            "/graphql", content=content, headers={**auth, "Content-Type": content_type}
        )
        assert 400 <= response.status_code < 500, (content_type, response.status_code)
    still = await client.data("{ me { email } }", token=tokens["alice"])
    assert still == {"me": {"email": world.alice.email}}


@pytest.mark.parametrize(
    ("accept", "wanted"),
    [
        (NEW, True),
        (f"{NEW}, application/json", True),
        (f"application/json;q=0.9, {NEW}", True),
        (f"application/json, {NEW};q=0.5", False),
        (f"{NEW};q=0", False),
        (f"{NEW};q=oops", False),
        ("application/json", False),
        ("*/*", False),
        ("", False),
    ],
)
def test_the_accept_header_decides_the_media_type(accept: str, wanted: bool) -> None:
    assert wants_graphql_response(accept) is wanted
