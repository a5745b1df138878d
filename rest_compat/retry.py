"""Refusals that pass with time, in HTTP terms: 429 for a rate limit and 503 for a busy
or full database, each with `Retry-After`, whatever status the legacy API's own error
table would have chosen (the envelope's body stays the API's)."""

from __future__ import annotations

from starlette.responses import Response

from domain.errors import DomainError, ErrorCode
from domain.retry import retry_after_of

_STATUS = {
    ErrorCode.RATE_LIMITED: 429,
    ErrorCode.UNAVAILABLE: 503,
    ErrorCode.STORAGE_FULL: 503,
}


def with_retry_after(error: DomainError, response: Response) -> Response:
    """`response`, the API's rendering of `error`, with the status and header a client
    needs to back off; unchanged for an error that waiting does not cure."""
    seconds = retry_after_of(error)
    if seconds is None:
        return response
    response.status_code = _STATUS.get(error.code, 503)
    response.headers["Retry-After"] = str(seconds)
    return response
