"""The failure bodies of the two Express servers (Occuspace and FLEP): `{"message":…}`
with an HTTP status from each API's own table."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from pydantic import BaseModel
from starlette.responses import Response

from domain.errors import DomainError, ErrorCode
from rest_compat.rendering import express_json, json_response
from rest_compat.retry import with_retry_after


class MessageBody(BaseModel):
    """Every Express failure body."""

    message: str


@dataclass(frozen=True)
class LegacyError:
    """How the original answered one kind of failure; `message` None means the
    DomainError's own text."""

    status: int
    message: str | None = None


def message_failure(
    error: DomainError, table: Mapping[ErrorCode, LegacyError], fallback: LegacyError
) -> Response:
    legacy = table.get(error.code, fallback)
    body = {"message": legacy.message or error.message}
    return with_retry_after(error, json_response(express_json(body), legacy.status))


def message_internal_error() -> Response:
    return json_response(express_json({"message": "Internal Server Error"}), 500)
