"""What Occupi's sign-in routes share: how a session is handed over (the `token` cookie,
or the mobile variants' `Authorization` header and `data.token`), the answer to a sign-in
that needs a mailed code (§2.6: 200 without a token), and the auth routes' error table."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import Response

from domain.errors import DomainError, ErrorCode
from domain.logins import LoginChallengeReason
from gateway.services.accounts import Session
from gateway.services.challenges import LoginChallenged
from gateway.services.sign_ins import NotAnAdmin
from rest_compat.occupi.envelopes import ERRORS, LegacyError, OccupiEnvelope, failure, success
from rest_compat.routing import Call, Handler

TOKEN_COOKIE = "token"  # noqa: S105 (a cookie name)
SESSION_COOKIE = "occupi-sessions-store"
SIGNED_IN = "Successful login!"
CODE_MAILED = "Please check your email for an otp."
NEW_LOCATION = "New login location detected. Please check your email for an otp."

# The original's answers on its auth routes (§2.6, §4.27); one answer for a wrong address
# or a wrong password, unlike the original, so accounts cannot be probed.
AUTH_ERRORS: Mapping[ErrorCode, LegacyError] = {
    **ERRORS,
    ErrorCode.INVALID_CREDENTIALS: LegacyError(401, "INVALID_AUTH", None, "Invalid credentials"),
    ErrorCode.RATE_LIMITED: LegacyError(429, "TOO_MANY_REQUESTS", None, "Too many login attempts"),
    ErrorCode.FORBIDDEN: LegacyError(403, "FORBIDDEN", None, "Forbidden from access"),
    ErrorCode.INVALID_CODE: LegacyError(400, "BAD_REQUEST", None, "Invalid OTP"),
}
NOT_AN_ADMIN = LegacyError(400, "INVALID_AUTH", "Only admins can access this route", "Not an admin")


class TokenData(BaseModel):
    token: str


class SignedIn(OccupiEnvelope[None]):
    """Signed in: the token is in the `token` cookie."""


class SignedInMobile(OccupiEnvelope[TokenData]):
    """Signed in: the token is in `data.token` and the `Authorization` response header."""


class CodeMailed(OccupiEnvelope[None]):
    """The password was right, but a mailed code must finish the sign-in: no token."""


def client_of(request: Request) -> str | None:
    """The client address the sign-in rules see (the peer, or whom a trusted proxy
    forwarded for: gateway.auth.proxies has put it on the scope)."""
    client = request.scope.get("client")
    return str(client[0]) if client else None


def handed_over(session: Session, *, mobile: bool, now: datetime) -> Response:
    """The session as the original handed it over (§2.2)."""
    token = session.token.token
    if mobile:
        response = success(SIGNED_IN, {"token": token})
        response.headers["Authorization"] = f"Bearer {token}"
        return response
    response = success(SIGNED_IN)
    max_age = max(0, int((session.token.expires_at - now).total_seconds()))
    response.set_cookie(TOKEN_COOKIE, token, max_age=max_age, path="/", httponly=True)
    return response


def rendered(table: Mapping[ErrorCode, LegacyError]) -> Callable[[Handler], Handler]:
    """A handler whose failures are answered from `table` (the routing answers those
    raised before it, while parsing the body, from the API's own table); a challenged
    sign-in is the 200 of §2.6 and an admin route's refusal its own 400."""

    def wrap(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def answered(call: Call[Any]) -> Response:
            try:
                return await handler(call)
            except LoginChallenged as challenged:
                new = challenged.reason is LoginChallengeReason.NEW_ADDRESS
                return success(NEW_LOCATION if new else CODE_MAILED)
            except NotAnAdmin as refused:
                return failure(refused, {ErrorCode.FORBIDDEN: NOT_AN_ADMIN})
            except DomainError as error:
                return failure(error, table)

        return answered

    return wrap
