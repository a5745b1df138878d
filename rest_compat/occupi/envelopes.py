"""Occupi's envelopes (`pkg/utils/response.go`) and its error table.

Success: `{"data":…,"message":…,"status":n}`; failure:
`{"error":{"code":…,"details":…,"message":…},"message":…,"status":n}`. Written the way
Gin wrote them (keys sorted, `<>&` escaped), and `status` always equals the HTTP status.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import BaseModel
from starlette.responses import Response

from domain.errors import DomainError, ErrorCode
from rest_compat.rendering import go_json, json_response
from rest_compat.retry import with_retry_after
from rest_compat.routing import Reply

DataT = TypeVar("DataT")


class OccupiEnvelope(BaseModel, Generic[DataT]):
    """A success body; an endpoint documents it as a named subclass, e.g. `Pong`."""

    data: DataT
    message: str
    status: int


class Done(OccupiEnvelope[None]):
    """`data` is null."""


class OccupiErrorDetail(BaseModel):
    code: str
    details: dict[str, Any] | None
    message: str


class OccupiError(BaseModel):
    """Every failure body, from the guards to InternalServerError()."""

    error: OccupiErrorDetail
    message: str
    status: int


@dataclass(frozen=True)
class LegacyError:
    """How the original answered one kind of failure. `message` is `error.message` and
    `summary` the top-level `message`; None means the DomainError's own text."""

    status: int
    code: str
    message: str | None = None
    summary: str | None = None


# The guard bodies of §2.4. All three are 401 INVALID_AUTH with the summary "Bad
# Request": the admin guard answered 401, not 403.
ERRORS: Mapping[ErrorCode, LegacyError] = {
    ErrorCode.UNAUTHENTICATED: LegacyError(
        401, "INVALID_AUTH", "User not authorized or Invalid auth token", "Bad Request"
    ),
    ErrorCode.FORBIDDEN: LegacyError(
        401, "INVALID_AUTH", "User not authorized to access admin route", "Bad Request"
    ),
    ErrorCode.ALREADY_AUTHENTICATED: LegacyError(
        401, "INVALID_AUTH", "User already authorized", "Bad Request"
    ),
    ErrorCode.INVALID_INPUT: LegacyError(400, "BAD_REQUEST", summary="Invalid request payload"),
    # The original's not-found answers (check-in, cancel) carry this code, sic.
    ErrorCode.NOT_FOUND: LegacyError(404, "INTERNAL_SERVER_ERROR"),
    ErrorCode.SLOT_TAKEN: LegacyError(
        400,
        "BAD_REQUEST",
        "Booking coincides with another booking",
        "Booking coincides with another booking",
    ),
    ErrorCode.EMAIL_TAKEN: LegacyError(
        401, "INVALID_AUTH", "Email already exists", "Invalid email"
    ),
    # Not the original's: the write limits, and a busy or full database (Retry-After).
    ErrorCode.RATE_LIMITED: LegacyError(429, "TOO_MANY_REQUESTS", summary="Too Many Requests"),
    ErrorCode.UNAVAILABLE: LegacyError(503, "SERVICE_UNAVAILABLE", summary="Service Unavailable"),
    ErrorCode.STORAGE_FULL: LegacyError(503, "SERVICE_UNAVAILABLE", summary="Service Unavailable"),
}
# Codes the original had no answer for: a plain 400 with the rule's own words.
FALLBACK = LegacyError(400, "BAD_REQUEST")


def success(message: str, data: object = None, *, status: int = 200) -> Response:
    return json_response(go_json({"data": data, "message": message, "status": status}), status)


def failure_body(
    error: DomainError, table: Mapping[ErrorCode, LegacyError] = ERRORS
) -> dict[str, Any]:
    legacy = table.get(error.code, FALLBACK)
    message = legacy.message or error.message
    return {
        "error": {"code": legacy.code, "details": None, "message": message},
        "message": legacy.summary or message,
        "status": legacy.status,
    }


def failure(error: DomainError, table: Mapping[ErrorCode, LegacyError] = ERRORS) -> Response:
    """`error` as the original answered it; an endpoint with its own wording passes a
    table that overrides some entries."""
    body = failure_body(error, table)
    return with_retry_after(error, json_response(go_json(body), body["status"]))


INTERNAL_ERROR_BODY: Mapping[str, object] = {
    "error": {"code": "INTERNAL_SERVER_ERROR", "details": {}, "message": "Internal Server Error"},
    "message": "Internal Server Error",
    "status": 500,
}


def internal_error() -> Response:
    """`InternalServerError()`: note `details` is `{}` there, not null."""
    return json_response(go_json(INTERNAL_ERROR_BODY), 500)


def guard_failure(description: str, *codes: ErrorCode) -> Reply:
    """The documented 401 of a guard, with the exact body for each code as an example."""
    examples = {code.value.lower(): failure_body(DomainError(code, description)) for code in codes}
    return Reply(OccupiError, description, examples)
