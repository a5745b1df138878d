"""Unknown paths and methods answer as Gin did; the gateway's own routes are untouched."""

from __future__ import annotations

import httpx
import pytest

GIN_404 = (404, "text/plain", b"404 page not found")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/no-such-route"),
        ("GET", "/api/no-such-route"),
        ("GET", "/v1/no-such-route"),
        ("POST", "/ping"),  # Gin had no NoMethod handler: a wrong method is unknown too
        ("DELETE", "/ping-admin"),
        ("GET", "/Ping"),
    ],
)
async def test_unknown_routes_get_gins_404(http: httpx.AsyncClient, method: str, path: str) -> None:
    response = await http.request(method, path)
    assert (response.status_code, response.headers["content-type"], response.content) == GIN_404


async def test_graphql_still_answers(http: httpx.AsyncClient) -> None:
    response = await http.post("/graphql", json={"query": "{ __typename }"})
    assert response.status_code == 200
    assert response.json() == {"data": {"__typename": "Query"}}


async def test_gateway_routes_keep_starlettes_method_handling(http: httpx.AsyncClient) -> None:
    assert (await http.put("/graphql")).status_code == 405
    assert (await http.get("/healthz")).json() == {"status": "ok"}
