"""Talk GraphQL to the real ASGI app, as a client would."""

from __future__ import annotations

from typing import Any

import httpx

from gateway.services.records import IssuedToken

JSON = dict[str, Any]


class GraphQLClient:
    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def post(
        self,
        query: str,
        variables: JSON | None = None,
        *,
        token: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        sent = dict(headers or {})
        if token is not None:
            sent["Authorization"] = f"Bearer {token}"
        return await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=sent
        )

    async def run(self, query: str, variables: JSON | None = None, **kwargs: Any) -> JSON:
        """The response body; fails the test on any HTTP status other than 200."""
        response = await self.post(query, variables, **kwargs)
        assert response.status_code == 200, response.text
        body: JSON = response.json()
        return body

    async def data(self, query: str, variables: JSON | None = None, **kwargs: Any) -> JSON:
        """The `data` of a response that must have no errors."""
        body = await self.run(query, variables, **kwargs)
        assert "errors" not in body, body["errors"]
        data: JSON = body["data"]
        return data


def error_codes(body: JSON) -> list[str]:
    return [e.get("extensions", {}).get("code") for e in body.get("errors", [])]


def token_for(issued: IssuedToken) -> str:
    return issued.token
