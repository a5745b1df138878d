"""GET /docs/rest: the legacy APIs' reference page, rendered on the server from the
document /openapi.json serves; it lists every operation and fetches nothing."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import httpx
import pytest

from rest_compat.docs_page import render


class Page(HTMLParser):
    """What a page shows: its operation rows, the ids it defines, every link and source,
    and the tags used."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.operations: dict[tuple[str, str], str] = {}
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.sources: list[str] = []
        self.tags: set[str] = set()
        self._row: tuple[str, str] | None = None
        self._text: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        self.tags.add(tag)
        if "id" in found:
            self.ids.add(found["id"])
        if "href" in found:
            self.links.append(found["href"])
        if "src" in found:
            self.sources.append(found["src"])
        if tag == "tr" and found.get("id", "").startswith("op-"):
            self._row = (found["data-method"], found["data-path"])
            self._text = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "tr" and self._row is not None:
            self.operations[self._row] = " ".join("".join(self._text).split())
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._row is not None:
            self._text.append(data)


@pytest.fixture
async def spec(http: httpx.AsyncClient) -> dict[str, Any]:
    found: dict[str, Any] = (await http.get("/openapi.json")).json()
    return found


async def test_the_page_lists_every_operation_of_the_openapi_document(
    http: httpx.AsyncClient, spec: dict[str, Any]
) -> None:
    response = await http.get("/docs/rest")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    page = Page(response.text)
    operations = {
        (method.upper(), path): operation
        for path, methods in spec["paths"].items()
        for method, operation in methods.items()
    }
    assert len(operations) > 60
    assert set(page.operations) == set(operations)
    for key, operation in operations.items():
        row = page.operations[key]
        assert operation["summary"] in row, key
        assert operation["x-guard"] in row, key
        for status in operation["responses"]:
            assert status in row, (key, status)
    assert "/openapi.json" in page.links


async def test_guards_requests_and_responses_are_shown(http: httpx.AsyncClient) -> None:
    page = Page((await http.get("/docs/rest")).text)
    book = page.operations[("POST", "/api/book-room")]
    assert "signed-in" in book
    assert "occupiHeader" in book
    assert "application/json: BookRoomRequest" in book
    assert "200: Booked" in book
    assert "admin" in page.operations[("PUT", "/api/add-room")]
    assert "path name: string" in page.operations[("GET", "/api/rooms/{name}")]
    assert "schema-BookRoomRequest" in page.ids


async def test_every_schema_link_leads_somewhere_and_nothing_is_fetched(
    http: httpx.AsyncClient, spec: dict[str, Any]
) -> None:
    page = Page((await http.get("/docs/rest")).text)
    anchors = {link.removeprefix("#") for link in page.links if link.startswith("#")}
    assert anchors
    assert anchors <= page.ids
    assert {f"schema-{name}" for name in spec["components"]["schemas"]} <= page.ids
    assert all(link.startswith(("#", "/")) for link in page.links)
    assert page.sources == []
    assert not page.tags & {"script", "link", "img", "iframe"}


def test_text_from_the_document_is_escaped() -> None:
    spec = {
        "info": {"title": "<b>t</b>", "description": "", "version": "1"},
        "paths": {
            "/x": {
                "get": {
                    "operationId": "x",
                    "summary": "<script>alert(1)</script>",
                    "description": "a & b",
                    "responses": {"200": {"description": "<i>ok</i>"}},
                }
            }
        },
        "components": {"schemas": {}, "securitySchemes": {}},
    }
    text = render(spec)
    assert "<script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "&lt;i&gt;ok&lt;/i&gt;" in text
    assert "a &amp; b" in text
    assert set(Page(text).operations) == {("GET", "/x")}
