"""Security headers through the real app: nosniff and a Referrer-Policy on every answer
(refusals included), a CSP on the HTML pages that allows exactly what each page loads,
and HSTS only on requests that came over HTTPS, directly or through a trusted proxy."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from starlette.applications import Starlette

from domain.addresses import parse_networks
from gateway.http.headers import HSTS, page_policy
from gateway.settings import Settings

PROXY = "10.0.0.2"
HTML = {"Accept": "text/html"}


@asynccontextmanager
async def http(
    app: Starlette, peer: str = "198.51.100.7", base: str = "http://testserver"
) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=(peer, 4321))
    async with httpx.AsyncClient(transport=transport, base_url=base) as client:
        yield client


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return dataclasses.replace(settings, trusted_proxies=parse_networks("10.0.0.0/8"))


def directives(policy: str) -> dict[str, list[str]]:
    parts = (item.split() for item in policy.split(";") if item.strip())
    return {name: values for name, *values in parts}


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/", 200),
        ("GET", "/healthz", 200),
        ("GET", "/openapi.json", 200),
        ("GET", "/no/such/page", 404),
        ("POST", "/graphql", 413),
    ],
)
async def test_every_answer_has_nosniff_and_a_referrer_policy(
    app: Starlette, method: str, path: str, status: int
) -> None:
    async with http(app) as client:
        content = b"{" + b" " * (2 * 1024 * 1024) if method == "POST" else None
        response = await client.request(method, path, content=content)
    assert response.status_code == status
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert "strict-transport-security" not in response.headers  # plain HTTP
    assert "content-security-policy" not in response.headers  # not a page


async def test_graphiql_gets_a_csp_allowing_exactly_its_scripts(app: Starlette) -> None:
    async with http(app) as client:
        response = await client.get("/graphql", headers=HTML)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    policy = directives(response.headers["content-security-policy"])
    inline = re.findall(r"<script>(.*?)</script>", response.text, re.S)
    assert inline, "GraphiQL's page has its inline script"
    hashes = {
        "'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'"
        for s in inline
    }
    assert set(policy["script-src"]) == {"'self'", "https://unpkg.com", *hashes}
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "https://unpkg.com" in policy["style-src"]
    assert policy["default-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["connect-src"] == ["'self'"]
    assert int(response.headers["content-length"]) == len(response.content)


async def test_the_rest_docs_page_gets_a_csp_without_foreign_scripts(app: Starlette) -> None:
    async with http(app) as client:
        response = await client.get("/docs/rest")
    assert response.status_code == 200
    policy = directives(response.headers["content-security-policy"])
    assert policy["script-src"] == ["'self'"]
    assert response.headers["x-content-type-options"] == "nosniff"


def test_a_page_policy_names_the_origins_and_hashes_it_loads() -> None:
    page = (
        '<link rel="stylesheet" href="https://cdn.example/a.css">'
        '<script src="https://js.example/a.js"></script><script>go()</script>'
    )
    digest = base64.b64encode(hashlib.sha256(b"go()").digest()).decode()
    policy = directives(page_policy(page))
    assert policy["script-src"] == ["'self'", f"'sha256-{digest}'", "https://js.example"]
    assert policy["style-src"] == ["'self'", "'unsafe-inline'", "https://cdn.example"]


async def test_hsts_over_https(app: Starlette) -> None:
    async with http(app, base="https://testserver") as client:
        response = await client.get("/healthz")
    assert response.headers["strict-transport-security"] == HSTS


async def test_hsts_when_a_trusted_proxy_says_https(app: Starlette) -> None:
    async with http(app, peer=PROXY) as client:
        response = await client.get("/healthz", headers={"X-Forwarded-Proto": "https"})
    assert response.headers["strict-transport-security"] == HSTS


@pytest.mark.parametrize(
    ("peer", "proto"),
    [("198.51.100.7", "https"), (PROXY, "http"), (PROXY, "https, http")],
    ids=["untrusted-peer", "proxy-says-http", "nearest-proxy-says-http"],
)
async def test_no_hsts_when_the_request_did_not_come_over_https(
    app: Starlette, peer: str, proto: str
) -> None:
    async with http(app, peer=peer) as client:
        response = await client.get("/healthz", headers={"X-Forwarded-Proto": proto})
    assert "strict-transport-security" not in response.headers
