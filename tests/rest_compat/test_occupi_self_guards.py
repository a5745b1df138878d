"""Every self-service Occupi endpoint: the guard's 401 bodies, and its OpenAPI entry."""

from __future__ import annotations

import httpx
import pytest

from rest_compat.occupi import (
    addresses,
    create_user,
    images,
    notices,
    notification_settings,
    onsite,
    people,
    roles,
    room_images,
    security_settings,
)
from rest_compat.routing import ADMIN, Endpoint
from tests.rest_compat.occupi_self import NOT_ADMIN, UNAUTHORISED, answer, raw

ENDPOINTS: tuple[Endpoint, ...] = (
    *people.ENDPOINTS,
    *roles.ENDPOINTS,
    *create_user.ENDPOINTS,
    *security_settings.ENDPOINTS,
    *notification_settings.ENDPOINTS,
    *onsite.ENDPOINTS,
    *images.ENDPOINTS,
    *room_images.ENDPOINTS,
    *addresses.ENDPOINTS,
    *notices.ENDPOINTS,
)
IDS = [f"{e.method} {e.path}" for e in ENDPOINTS]


def concrete(path: str) -> str:
    return path.replace("{id}", "null")


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=IDS)
async def test_anonymous_callers_get_the_guards_401(
    http: httpx.AsyncClient, endpoint: Endpoint
) -> None:
    response = await http.request(endpoint.method, concrete(endpoint.path), json={})
    assert answer(response) == (401, UNAUTHORISED)


ADMIN_ONLY = [e for e in ENDPOINTS if e.guard is ADMIN]


@pytest.mark.parametrize("endpoint", ADMIN_ONLY, ids=[f"{e.method} {e.path}" for e in ADMIN_ONLY])
async def test_basic_users_get_the_admin_guards_401(
    http: httpx.AsyncClient, tokens: dict[str, str], endpoint: Endpoint
) -> None:
    response = await http.request(
        endpoint.method, concrete(endpoint.path), json={}, headers=raw(tokens, "alice")
    )
    assert answer(response) == (401, NOT_ADMIN)


def test_the_admin_only_routes_are_the_originals() -> None:
    assert sorted(e.path for e in ADMIN_ONLY) == [
        "/api/add-ip",
        "/api/create-user",
        "/api/delete-room-image",
        "/api/get-ip-info",
        "/api/get-push-tokens",  # admins only here: see docs/rest-compat.md
        "/api/remove-ip",
        "/api/toggle-admin-status",
        "/api/toggle-allow-anonymous-ip",
        "/api/upload-room-image",
    ]


async def test_every_endpoint_is_documented(http: httpx.AsyncClient) -> None:
    spec = (await http.get("/openapi.json")).json()
    for endpoint in ENDPOINTS:
        operation = spec["paths"][endpoint.path][endpoint.method.lower()]
        assert operation["operationId"] == endpoint.handler.__name__
        assert operation["description"]
        assert operation["security"]
        if endpoint.request is not None:
            body = operation["requestBody"]
            assert body["required"] is not endpoint.body_optional
