"""Checks that an answer of the Occupi shim is one its endpoint declares: the status is
documented and the body validates against that status's response model."""

from __future__ import annotations

import httpx
from pydantic import TypeAdapter

from rest_compat import occupi


def check(response: httpx.Response) -> None:
    method, path = response.request.method, response.request.url.path
    [endpoint] = [e for e in occupi.API.endpoints if (e.method, e.path) == (method, path)]
    assert response.status_code in endpoint.responses, f"{method} {path}: {response.status_code}"
    TypeAdapter(endpoint.responses[response.status_code].model).validate_json(response.content)
