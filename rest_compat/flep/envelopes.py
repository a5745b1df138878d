"""FLEP's bodies and its error table (an Express server).

Success bodies are bare: the list or the object itself, no envelope. Failure:
`{"message":…}` with 400 or 404; the messages name the thing ("Room not found").
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.responses import Response

from domain.errors import DomainError, ErrorCode
from rest_compat.express import LegacyError, MessageBody, message_failure, message_internal_error
from rest_compat.rendering import express_json, json_response


class FlepError(MessageBody):
    """Every failure body."""


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
    return message_failure(error, table, FALLBACK)


def internal_error() -> Response:
    return message_internal_error()
