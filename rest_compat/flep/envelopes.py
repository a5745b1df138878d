"""FLEP's bodies and its error table (an Express server).

Success bodies are bare: the list or the object itself, no envelope. Failure:
`{"message":…}` with 400 or 404; the messages name the thing ("Room not found").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from pydantic import BaseModel
from starlette.responses import Response

from domain.errors import DomainError, ErrorCode
from rest_compat.rendering import express_json, json_response


class FlepError(BaseModel):
    message: str


@dataclass(frozen=True)
class LegacyError:
    """`message` None means the DomainError's own text."""

    status: int
    message: str | None = None


ERRORS: Mapping[ErrorCode, LegacyError] = {
    ErrorCode.INVALID_INPUT: LegacyError(400),
    ErrorCode.NOT_FOUND: LegacyError(404),
    # FLEP was public; these arise only if the gateway ever guards a FLEP route.
    ErrorCode.UNAUTHENTICATED: LegacyError(401),
    ErrorCode.FORBIDDEN: LegacyError(403),
}
FALLBACK = LegacyError(400)


def success(data: object, *, status: int = 200) -> Response:
    return json_response(express_json(data), status)


def failure(error: DomainError, table: Mapping[ErrorCode, LegacyError] = ERRORS) -> Response:
    legacy = table.get(error.code, FALLBACK)
    body = {"message": legacy.message or error.message}
    return json_response(express_json(body), legacy.status)


def internal_error() -> Response:
    return json_response(express_json({"message": "Internal Server Error"}), 500)
