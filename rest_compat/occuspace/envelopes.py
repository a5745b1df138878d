"""Occuspace v1's envelopes and its error table (an Express server).

Success: `{"message":"OK","data":…}`, where `message` explains any caveat (missing data,
a range before activation). Failure: `{"message":…}` with 400, 401 or 500; the docs give
no other field. v1 answers 401, not 404, for a location the token may not see, so an
unknown location is indistinguishable from a forbidden one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Generic, TypeVar

from pydantic import BaseModel
from starlette.responses import Response

from domain.errors import DomainError, ErrorCode
from rest_compat.express import LegacyError, MessageBody, message_failure, message_internal_error
from rest_compat.rendering import express_json, json_response

DataT = TypeVar("DataT")
OK = "OK"


class OccuspaceEnvelope(BaseModel, Generic[DataT]):
    """A success body; an endpoint documents it as a named subclass."""

    message: str
    data: DataT


class OccuspaceError(MessageBody):
    """Every failure body."""


ERRORS: Mapping[ErrorCode, LegacyError] = {
    ErrorCode.INVALID_INPUT: LegacyError(400),
    ErrorCode.UNAUTHENTICATED: LegacyError(401),
    ErrorCode.FORBIDDEN: LegacyError(401),
    ErrorCode.NOT_FOUND: LegacyError(401),
}
# Any other rule that says no is a bad argument, as far as a v1 client can tell.
FALLBACK = LegacyError(400)


def success(data: object, message: str = OK, *, status: int = 200) -> Response:
    return json_response(express_json({"message": message, "data": data}), status)


def failure(error: DomainError, table: Mapping[ErrorCode, LegacyError] = ERRORS) -> Response:
    return message_failure(error, table, FALLBACK)


def internal_error() -> Response:
    return message_internal_error()
