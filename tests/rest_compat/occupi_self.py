"""Helpers for the golden tests of the self-service Occupi endpoints: who is asking, and
the whole bodies the endpoints answer."""

from __future__ import annotations

import re
from typing import Any

import httpx
from pydantic import TypeAdapter

from rest_compat import occupi
from rest_compat.routing import Endpoint

JSON = "application/json; charset=utf-8"


def raw(tokens: dict[str, str], who: str) -> dict[str, str]:
    """The raw `Authorization` header, as the mobile app sent it."""
    return {"Authorization": tokens[who]}


def ok(message: str, data: object = None) -> dict[str, Any]:
    return {"data": data, "message": message, "status": 200}


def error(
    status: int, code: str, message: str, summary: str, details: object = None
) -> dict[str, Any]:
    return {
        "error": {"code": code, "details": details, "message": message},
        "message": summary,
        "status": status,
    }


def bad(message: str) -> dict[str, Any]:
    return error(400, "BAD_REQUEST", message, "Invalid request payload")


NOT_YOURS = error(
    403, "FORBIDDEN", "only an admin may name another person's e-mail address", "Forbidden"
)
USER_NOT_FOUND = error(404, "BAD_REQUEST", "User not found", "User not found")
UNAUTHORISED = error(
    401, "INVALID_AUTH", "User not authorized or Invalid auth token", "Bad Request"
)
NOT_ADMIN = error(401, "INVALID_AUTH", "User not authorized to access admin route", "Bad Request")


def declared(method: str, path: str) -> Endpoint | None:
    for endpoint in occupi.API.endpoints:
        pattern = re.sub(r"{\w+}", "[^/]+", endpoint.path)
        if endpoint.method == method and re.fullmatch(pattern, path):
            return endpoint
    return None


def answer(response: httpx.Response) -> tuple[int, Any]:
    """Status and whole body; every JSON answer is Gin's content type, and the status
    and body are those the endpoint declares (so /openapi.json tells the truth)."""
    assert response.headers["content-type"] == JSON, response.text
    endpoint = declared(response.request.method, response.request.url.path)
    if endpoint is not None:
        reply = endpoint.responses.get(response.status_code)
        assert reply is not None, (response.status_code, response.text)
        TypeAdapter(reply.model).validate_json(response.content)
    return response.status_code, response.json()
