"""/openapi.json: a valid OpenAPI 3.1 document that lists every served shim route."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from openapi_spec_validator import validate
from starlette.applications import Starlette

from rest_compat.openapi import openapi_path
from rest_compat.routing import LegacyRoute

PINGS = {"/ping", "/ping-open", "/ping-auth", "/ping-admin"}
# Starlette answers HEAD wherever GET is served; OpenAPI leaves it implicit.
IMPLICIT = {"HEAD"}


@pytest.fixture
async def spec(http: httpx.AsyncClient) -> dict[str, Any]:
    response = await http.get("/openapi.json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    found: dict[str, Any] = response.json()
    return found


def served(app: Starlette) -> set[tuple[str, str]]:
    return {
        (openapi_path(route.path), method.lower())
        for route in app.routes
        if isinstance(route, LegacyRoute)
        for method in set(route.methods or ()) - IMPLICIT
    }


def documented(spec: dict[str, Any]) -> set[tuple[str, str]]:
    return {(path, method) for path, ops in spec["paths"].items() for method in ops}


def test_is_valid_openapi_3_1(spec: dict[str, Any]) -> None:
    assert spec["openapi"] == "3.1.0"
    validate(spec)


def test_documents_exactly_the_served_routes(app: Starlette, spec: dict[str, Any]) -> None:
    assert {(path, "get") for path in PINGS} <= served(app)
    assert served(app) == documented(spec)


def test_guarded_pings_require_a_credential(spec: dict[str, Any]) -> None:
    schemes = {"occupiCookie", "occupiHeader", "occupiBearer"}
    security = {path: spec["paths"][path]["get"].get("security") for path in PINGS}
    assert security["/ping"] is None
    assert security["/ping-open"] is None
    for path in ("/ping-auth", "/ping-admin"):
        assert {name for requirement in security[path] for name in requirement} == schemes
    assert set(spec["components"]["securitySchemes"]) >= schemes


def test_ping_responses_reference_generated_schemas(spec: dict[str, Any]) -> None:
    responses = spec["paths"]["/ping-admin"]["get"]["responses"]
    assert set(responses) == {"200", "401"}
    ok = responses["200"]["content"]["application/json"]["schema"]
    assert ok == {"$ref": "#/components/schemas/Pong"}
    pong = spec["components"]["schemas"]["Pong"]
    assert pong["properties"]["data"] == {"type": "null", "title": "Data"}
    examples = responses["401"]["content"]["application/json"]["examples"]
    messages = {example["value"]["error"]["message"] for example in examples.values()}
    assert messages == {
        "User not authorized or Invalid auth token",
        "User not authorized to access admin route",
    }
