"""Odd values in every field of every self-service endpoint's body and query: never a
5xx, always a documented status with a body that fits its declared model."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from pydantic import TypeAdapter

from rest_compat.routing import Endpoint
from tests.rest_compat.occupi_self import JSON, raw
from tests.rest_compat.test_occupi_self_guards import ENDPOINTS, concrete

ODD: tuple[Any, ...] = (None, 0, -1, 1.5, True, [], {}, ["a"], "", "x" * 300, "nope@", "on")
WITH_BODY = [e for e in ENDPOINTS if e.request is not None]


def check(endpoint: Endpoint, response: httpx.Response) -> None:
    """No 5xx; the status is one the endpoint documents, and the body fits its model."""
    status = response.status_code
    assert status < 500, response.text
    assert status in endpoint.responses, (status, response.text)
    model = endpoint.responses[status].model
    if model is None:
        return
    assert response.headers["content-type"] == JSON
    assert response.json()["status"] == status
    TypeAdapter(model).validate_json(response.content)


@pytest.mark.parametrize("who", ["alice", "admin"])
@pytest.mark.parametrize("endpoint", WITH_BODY, ids=[f"{e.method} {e.path}" for e in WITH_BODY])
async def test_odd_values_in_each_field(
    http: httpx.AsyncClient, tokens: dict[str, str], endpoint: Endpoint, who: str
) -> None:
    assert endpoint.request is not None
    headers = raw(tokens, who)
    path = concrete(endpoint.path)
    for name in endpoint.request.model_fields:
        for value in ODD:
            check(
                endpoint,
                await http.request(endpoint.method, path, json={name: value}, headers=headers),
            )
            if isinstance(value, str):
                response = await http.request(
                    endpoint.method, path, params={name: value}, headers=headers
                )
                check(endpoint, response)
    for body in (b"[", b"[]", b"null", b"3", b'"x"', b"{}"):
        response = await http.request(
            endpoint.method,
            path,
            content=body,
            headers={**headers, "content-type": "application/json"},
        )
        check(endpoint, response)
