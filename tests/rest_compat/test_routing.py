"""The declarative route layer with a toy API: guard before parse, parse, masking, docs."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import httpx
import pytest
from openapi_spec_validator import validate
from pydantic import BaseModel
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import Response

import rest_compat
from gateway.app import Gateway
from gateway.auth.middleware import PrincipalMiddleware
from rest_compat.occupi import envelopes
from rest_compat.openapi import document
from rest_compat.routing import OPEN, SIGNED_IN, Api, Call, Endpoint, Reply, build_routes


class Greeting(BaseModel):
    text: str


class Echo(envelopes.OccupiEnvelope[str]):
    pass


async def echo(call: Call[Greeting]) -> Response:
    """Says the greeting back."""
    return envelopes.success("echoed", f"{call.request.path_params['name']}: {call.body.text}")


async def boom(_call: Call[None]) -> Response:
    raise RuntimeError("a bug")


TOY = Api(
    name="Toy",
    description="For tests.",
    prefix="/toy",
    endpoints=(
        Endpoint(
            "POST",
            "/echo/{name}",
            echo,
            summary="Echo",
            responses={200: Reply(Echo, "echoed")},
            guard=SIGNED_IN,
            request=Greeting,
        ),
        Endpoint(
            "GET",
            "/boom",
            boom,
            summary="Fails",
            responses={500: Reply(envelopes.OccupiError, "always")},
            guard=OPEN,
        ),
    ),
    failure=envelopes.failure,
    internal_error=envelopes.internal_error,
    security_schemes={"toyBearer": {"type": "http", "scheme": "bearer"}},
)


@pytest.fixture
async def toy(gateway: Gateway) -> AsyncIterator[httpx.AsyncClient]:
    app = Starlette(
        routes=build_routes([TOY], gateway.app),
        exception_handlers={404: rest_compat.not_found},
        middleware=[Middleware(PrincipalMiddleware, authenticate=gateway.app.authenticate)],
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


def bearer(tokens: dict[str, str]) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['alice']}"}


async def test_parses_the_declared_body(toy: httpx.AsyncClient, tokens: dict[str, str]) -> None:
    response = await toy.post("/toy/echo/bob", json={"text": "hi"}, headers=bearer(tokens))
    assert response.content == b'{"data":"bob: hi","message":"echoed","status":200}'


async def test_guard_runs_before_the_body_is_parsed(toy: httpx.AsyncClient) -> None:
    response = await toy.post("/toy/echo/bob", content=b"{not json")
    assert response.status_code == 401
    assert response.json()["error"]["message"] == "User not authorized or Invalid auth token"


async def test_a_bad_body_is_invalid_input(toy: httpx.AsyncClient, tokens: dict[str, str]) -> None:
    response = await toy.post("/toy/echo/bob", json={"text": 3}, headers=bearer(tokens))
    assert response.status_code == 400
    body: dict[str, Any] = response.json()
    assert (body["error"]["code"], body["message"]) == ("BAD_REQUEST", "Invalid request payload")
    assert body["error"]["message"] == "text: Input should be a valid string"  # names the field


async def test_an_unexpected_error_is_masked_and_logged(
    toy: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="rest_compat.routing"):
        response = await toy.get("/toy/boom")
    assert response.status_code == 500
    assert response.content == (
        b'{"error":{"code":"INTERNAL_SERVER_ERROR","details":{},'
        b'"message":"Internal Server Error"},"message":"Internal Server Error","status":500}'
    )
    assert "GET /toy/boom failed" in caplog.text


async def test_an_undeclared_method_is_not_found(toy: httpx.AsyncClient) -> None:
    response = await toy.get("/toy/echo/bob")
    assert (response.status_code, response.content) == (404, b"404 page not found")


def test_a_path_and_method_declared_twice_is_refused(gateway: Gateway) -> None:
    with pytest.raises(ValueError, match=r"POST /toy/echo/\{name\} declared twice"):
        build_routes([TOY, TOY], gateway.app)


def test_documents_path_parameters_bodies_and_security() -> None:
    spec = document([TOY])
    validate(spec)
    operation = spec["paths"]["/toy/echo/{name}"]["post"]
    assert operation["parameters"] == [
        {"name": "name", "in": "path", "required": True, "schema": {"type": "string"}}
    ]
    assert operation["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Greeting"
    }
    assert operation["security"] == [{"toyBearer": []}]
    assert operation["description"].startswith("Says the greeting back.")
    assert "security" not in spec["paths"]["/toy/boom"]["get"]


OK = {200: Reply(Echo, "echoed")}


def test_an_endpoint_must_document_a_response() -> None:
    with pytest.raises(ValueError, match="documents no response"):
        Endpoint("GET", "/x", echo, summary="x", responses={})


def test_two_different_models_with_one_name_are_refused() -> None:
    class Greeting(BaseModel):  # not the module's Greeting
        words: list[str]

    other = Endpoint("PUT", "/other", echo, summary="x", responses=OK, request=Greeting)
    clash = replace(TOY, endpoints=(*TOY.endpoints, other))
    with pytest.raises(ValueError, match="schemas are both named 'Greeting'"):
        document([clash])
