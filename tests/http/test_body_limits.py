"""Request body limits (OCCUPI_MAX_BODY_BYTES, 1 MiB by default): a declared
Content-Length over the limit is refused before any of the body is read, a chunked body
as soon as its count passes the limit, each with 413 and a JSON message; the routes that
enforce their own limit while streaming (uploads, ingest) keep theirs; other clients are
served meanwhile, on a real server too."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.applications import Starlette

from gateway.http.config import MIB
from gateway.settings import Settings
from tests.http.serving import body_of, exchange, healthy, served, status_of
from tests.support.graphql import GraphQLClient

HELLO = "{ __typename }"
_JSON = {"Content-Type": "application/json"}


def comment_query(size: int) -> bytes:
    """A valid query that is mostly a comment, which the token limit does not count."""
    return json.dumps({"query": "#" + "x" * size + "\n" + HELLO}).encode()


def padded_query(size: int) -> bytes:
    """A small query in a body of about `size` bytes: the padding is a member the GraphQL
    request does not read (a comment that long is refused as too long a document)."""
    return json.dumps({"query": HELLO, "padding": "x" * size}).encode()


async def chunks(body: bytes, size: int = 64 * 1024) -> AsyncIterator[bytes]:
    for start in range(0, len(body), size):
        yield body[start : start + size]


async def test_a_query_body_over_one_mebibyte_is_refused_with_413(client: GraphQLClient) -> None:
    response = await client.http.post(
        "/graphql", content=comment_query(2 * MIB), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json() == {
        "errors": [
            {
                "message": f"the request body is larger than {MIB} bytes",
                "extensions": {"code": "PAYLOAD_TOO_LARGE"},
            }
        ]
    }
    assert await client.data(HELLO) == {"__typename": "Query"}


async def test_a_chunked_body_is_counted_as_it_streams_in(client: GraphQLClient) -> None:
    response = await client.http.post(
        "/graphql",
        content=chunks(comment_query(2 * MIB)),
        headers={"Content-Type": "application/json"},
    )
    assert "content-length" not in response.request.headers
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"


async def test_a_body_within_the_limit_is_served(client: GraphQLClient) -> None:
    response = await client.http.post(
        "/graphql",
        content=chunks(padded_query(MIB - 1024)),
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"data": {"__typename": "Query"}}


async def test_rest_routes_answer_413_with_a_json_message(client: GraphQLClient) -> None:
    response = await client.http.post("/api/login", content=b"{" + b" " * (2 * MIB) + b"}")
    assert response.status_code == 413
    message = f"the request body is larger than {MIB} bytes"
    assert response.json() == {
        "message": message,
        "error": {"code": "PAYLOAD_TOO_LARGE", "message": message, "field": None},
    }


class TestWithTheLimitAt4KiB:
    """OCCUPI_MAX_BODY_BYTES=4096."""

    @pytest.fixture
    def settings(self, settings: Settings) -> Settings:
        return dataclasses.replace(
            settings, http=dataclasses.replace(settings.http, max_body_bytes=4096)
        )

    async def test_the_limit_is_the_setting(self, client: GraphQLClient) -> None:
        small = await client.http.post("/graphql", content=comment_query(3000), headers=_JSON)
        assert small.status_code == 200
        large = await client.http.post("/graphql", content=comment_query(5000), headers=_JSON)
        assert large.status_code == 413
        assert "larger than 4096 bytes" in large.json()["errors"][0]["message"]

    async def test_ingest_keeps_its_own_larger_limit(
        self, client: GraphQLClient, tokens: dict[str, str]
    ) -> None:
        """Over OCCUPI_MAX_BODY_BYTES but within OCCUPI_INGEST_MAX_BYTES: ingest reads it."""
        lines = b"\n".join(b'{"not": "a reading"}' for _ in range(400))
        response = await client.http.post(
            "/ingest/readings",
            content=lines,
            headers={"Authorization": f"Bearer {tokens['admin']}"},
        )
        assert len(lines) > 4096
        assert response.status_code == 200, response.text
        assert len(response.json()["rejected"]) == 400

    async def test_image_uploads_keep_their_own_answer(
        self, client: GraphQLClient, tokens: dict[str, str]
    ) -> None:
        response = await client.http.post(
            "/images/profile",
            content=b"x" * 8192,
            headers={"Authorization": f"Bearer {tokens['alice']}", "Content-Type": "text/plain"},
        )
        assert response.status_code == 400  # the upload route's own refusal, not a 413
        assert response.json()["error"]["field"] == "image"

    async def test_a_fifty_megabyte_body_is_refused_at_once_by_a_real_server(
        self, app: Starlette, settings: Settings
    ) -> None:
        """The finding: a 50 MB comment blocked the server for 9-10 s. Now the declared
        length is refused without reading the body (the client sent 64 KiB of it, the
        answer came anyway), the chunked one after the 4 KiB the setting allows, and a
        third client is answered meanwhile."""
        huge = 50 * 1000 * 1000
        head = (
            b"POST /graphql HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\n\r\n" % huge
        )
        chunked = (
            b"POST /graphql HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
        )
        piece = b"%x\r\n%s\r\n" % (65536, b"x" * 65536)
        async with served(app, settings) as server:
            declared, streamed, _ = await asyncio.gather(
                exchange(server, head + b"{" * 65536),
                exchange(server, chunked + piece),
                healthy(server),
            )
            for answer in (declared, streamed):
                assert status_of(answer) == 413
                error = json.loads(body_of(answer))["errors"][0]
                assert error["extensions"]["code"] == "PAYLOAD_TOO_LARGE"
            await healthy(server)

    async def test_httpx_against_a_real_server_gets_the_413(
        self, app: Starlette, settings: Settings
    ) -> None:
        async with served(app, settings) as server, httpx.AsyncClient(base_url=server.base) as http:
            response = await http.post("/graphql", content=comment_query(8192), headers=_JSON)
            assert response.status_code == 413
            assert response.headers["connection"] == "close"
