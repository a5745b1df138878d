"""GET /ping, /ping-open, /ping-auth, /ping-admin: liveness behind each legacy guard."""

from __future__ import annotations

from starlette.responses import Response

from domain.errors import ErrorCode
from rest_compat.occupi.envelopes import OccupiEnvelope, guard_failure, success
from rest_compat.routing import ADMIN, OPEN, SIGNED_IN, SIGNED_OUT, Call, Endpoint, Reply


class Pong(OccupiEnvelope[None]):
    """`data` is null: the published docs' `{}` was never sent."""


PONG = Reply(Pong, "The server is up, and the caller passed the guard.")
TAGS = ("Occupi",)


async def ping(call: Call[None]) -> Response:
    """Answers whoever asks."""
    return success(call.app.probes.ping())


async def ping_open(call: Call[None]) -> Response:
    """Answers only callers that are not signed in; an expired or forged token counts
    as not signed in."""
    return success(call.app.probes.ping_open(call.principal))


async def ping_auth(call: Call[None]) -> Response:
    """Answers only callers with a valid token (cookie `token`, raw `Authorization`, or
    `Authorization: Bearer`)."""
    return success(call.app.probes.ping_auth(call.principal))


async def ping_admin(call: Call[None]) -> Response:
    """Answers only admins; anybody else without a valid token gets the ping-auth 401."""
    return success(call.app.probes.ping_admin(call.principal))


ENDPOINTS = (
    Endpoint(
        "GET",
        "/ping",
        ping,
        summary="Is the server up?",
        responses={200: PONG},
        guard=OPEN,
        tags=TAGS,
    ),
    Endpoint(
        "GET",
        "/ping-open",
        ping_open,
        summary="Is the server up, for a signed-out caller?",
        responses={
            200: PONG,
            401: guard_failure("The caller is signed in.", ErrorCode.ALREADY_AUTHENTICATED),
        },
        guard=SIGNED_OUT,
        tags=TAGS,
    ),
    Endpoint(
        "GET",
        "/ping-auth",
        ping_auth,
        summary="Is the server up, for a signed-in caller?",
        responses={
            200: PONG,
            401: guard_failure("No token, or an expired or forged one.", ErrorCode.UNAUTHENTICATED),
        },
        guard=SIGNED_IN,
        tags=TAGS,
    ),
    Endpoint(
        "GET",
        "/ping-admin",
        ping_admin,
        summary="Is the server up, for an admin?",
        responses={
            200: PONG,
            401: guard_failure(
                "Not signed in (checked first), or signed in but not an admin.",
                ErrorCode.UNAUTHENTICATED,
                ErrorCode.FORBIDDEN,
            ),
        },
        guard=ADMIN,
        tags=TAGS,
    ),
)
