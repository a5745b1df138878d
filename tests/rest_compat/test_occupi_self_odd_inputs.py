"""Odd values in every field of every self-service endpoint's body and query: never a
5xx, always a JSON envelope whose status is the HTTP status (or a 303 redirect)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from rest_compat.routing import Endpoint
from tests.rest_compat.occupi_self import JSON, raw
from tests.rest_compat.test_occupi_self_guards import ENDPOINTS, concrete

ODD: tuple[Any, ...] = (None, 0, -1, 1.5, True, [], {}, ["a"], "", "x" * 300, "nope@", "on")
WITH_BODY = [e for e in ENDPOINTS if e.request is not None]


def check(response: httpx.Response) -> None:
    assert response.status_code < 500, response.text
    if response.status_code == 303:
        return
    assert response.headers["content-type"] == JSON
    assert response.json()["status"] == response.status_code


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
            check(await http.request(endpoint.method, path, json={name: value}, headers=headers))
            if isinstance(value, str):
                response = await http.request(
                    endpoint.method, path, params={name: value}, headers=headers
                )
                check(response)
    for body in (b"[", b"[]", b"null", b"3", b'"x"', b"{}"):
        response = await http.request(
            endpoint.method,
            path,
            content=body,
            headers={**headers, "content-type": "application/json"},
        )
        check(response)
