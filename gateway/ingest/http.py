"""`POST /ingest/readings`: sensor readings over HTTP, for `ingest` API tokens (Bearer).

The body is a JSON array of readings or JSON lines (one reading per line; blank lines are
skipped), at most OCCUPI_INGEST_MAX_BYTES. The answer is 200 `{"accepted", "duplicates",
"rejected": [{"index", "reason"}]}`; a JSON line that does not parse is rejected by its
index like any other bad reading. A body that is not an array (nor lines) is 400, a
missing or bad token 401, a person who is not an admin 403, a body too large 413. Errors
are JSON `{"error": {"code", "message", "field"}}`, as the other non-legacy routes.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from domain.api_tokens import TokenScope
from domain.errors import DomainError, ErrorCode, invalid
from domain.retry import RetryLater
from gateway.services.authz import ANONYMOUS, Principal
from gateway.services.ingest import Ingest, IngestReport
from gateway.services.write_limits import WriteLimits

TOO_LARGE = "PAYLOAD_TOO_LARGE"
_STATUS = {ErrorCode.INVALID_INPUT: 400, ErrorCode.UNAUTHENTICATED: 401, ErrorCode.FORBIDDEN: 403}


class _NotJson:
    """A JSON line that does not parse: rejected by its index, not the whole request."""

    def __init__(self, reason: str) -> None:
        self.reason = reason


def _error(status: int, code: str, message: str, field: str | None = None) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message, "field": field}}, status)


def _principal(request: Request) -> Principal:
    found = request.scope.get("auth")
    return found if isinstance(found, Principal) else ANONYMOUS


class BodyTooLarge(Exception):
    pass


async def read_body(request: Request, limit: int) -> bytes:
    length = request.headers.get("content-length")
    if length is not None and length.isascii() and length.isdigit() and int(length) > limit:
        raise BodyTooLarge
    chunks, seen = [], 0
    try:
        async for chunk in request.stream():
            seen += len(chunk)
            if seen > limit:
                raise BodyTooLarge
            chunks.append(chunk)
    except ClientDisconnect:
        raise invalid("the request ended before its body did", "body") from None
    return b"".join(chunks)


def parse_items(body: bytes) -> list[Any]:
    """A JSON array, or JSON lines."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise invalid("the body must be UTF-8", "body") from None
    stripped = text.lstrip()
    if not stripped:
        raise invalid("the body holds no readings", "body")
    if stripped.startswith("["):
        try:
            items = json.loads(stripped)
        except json.JSONDecodeError as error:
            raise invalid(f"the body is not a JSON array: {error.msg}", "body") from None
        if not isinstance(items, list):
            raise invalid("the body is not a JSON array", "body")
        return items
    found: list[Any] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            found.append(json.loads(line))
        except json.JSONDecodeError as error:
            found.append(_NotJson(f"the line is not JSON: {error.msg}"))
    return found


def _answer(report: IngestReport, offsets: list[int], refused: list[tuple[int, str]]) -> Response:
    rejected = [(offsets[r.index], r.reason) for r in report.rejected] + refused
    return JSONResponse(
        {
            "accepted": report.accepted,
            "duplicates": report.duplicates,
            "rejected": [{"index": i, "reason": why} for i, why in sorted(rejected)],
        }
    )


def routes(ingest: Ingest, limits: WriteLimits, *, max_bytes: int) -> list[BaseRoute]:
    async def readings(request: Request) -> Response:
        principal = _principal(request)
        try:
            if principal.actor is None:
                principal.require_api(TokenScope.INGEST)  # before reading the body
                await limits.admit_ingest(principal)
            else:
                client = request.scope.get("client")
                await limits.admit_write(principal, str(client[0]) if client else None)
            items = parse_items(await read_body(request, max_bytes))
            offsets = [i for i, item in enumerate(items) if not isinstance(item, _NotJson)]
            refused = [(i, x.reason) for i, x in enumerate(items) if isinstance(x, _NotJson)]
            report = await ingest.submit(principal, [items[i] for i in offsets])
        except BodyTooLarge:
            return _error(413, TOO_LARGE, f"the request body is larger than {max_bytes} bytes")
        except RetryLater as error:  # a sensor backs off: 429 for its rate, 503 for storage
            status = 429 if error.code is ErrorCode.RATE_LIMITED else 503
            answer = _error(status, error.code.value, error.message, error.field)
            answer.headers["Retry-After"] = str(error.retry_after)
            return answer
        except DomainError as error:
            status = _STATUS.get(error.code, 400)
            return _error(status, error.code.value, error.message, error.field)
        return _answer(report, offsets, refused)

    return [Route("/ingest/readings", readings, methods=["POST"])]
