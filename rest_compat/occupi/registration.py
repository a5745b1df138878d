"""POST /auth/register, /auth/resend-otp, /auth/verify-otp, /auth/is-verified: the legacy
registration, password first and mailed code second (gateway.services.signups)."""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel, Field
from starlette.responses import Response

from domain.errors import ErrorCode
from rest_compat.occupi.auth import ALREADY
from rest_compat.occupi.envelopes import ERRORS, LegacyError, OccupiEnvelope, OccupiError, success
from rest_compat.occupi.sessions import AUTH_ERRORS, CODE_MAILED, client_of, rendered
from rest_compat.routing import OPEN, SIGNED_OUT, Call, Endpoint, Reply

TAGS = ("Occupi auth",)
# §2.4: the resend route's own limit, one request per client address a minute.
RESEND_ERRORS: Mapping[ErrorCode, LegacyError] = {
    **ERRORS,
    ErrorCode.RATE_LIMITED: LegacyError(
        429, "RATE_LIMIT", "Too many requests", "Too Many Requests"
    ),
}
REGISTER_ERRORS: Mapping[ErrorCode, LegacyError] = {
    **ERRORS,
    ErrorCode.RATE_LIMITED: LegacyError(429, "TOO_MANY_REQUESTS", None, "Too Many Requests"),
}


class RegisterRequest(BaseModel):
    """`employee_id` and `test` are accepted and ignored (an employee id is generated);
    `expoPushToken`, when given, becomes the new account's push device."""

    email: str
    password: str
    employee_id: str | None = None
    expo_push_token: str | None = Field(default=None, alias="expoPushToken")
    test: str | None = None


class EmailRequest(BaseModel):
    email: str


class OtpRequest(BaseModel):
    email: str
    otp: str


class CodeSent(OccupiEnvelope[None]):
    """A code was mailed (to an address with an account: a note that it has one)."""


class Verified(OccupiEnvelope[None]):
    """The registration is complete: sign in with its address and password."""


class VerifiedState(OccupiEnvelope[None]):
    """`message` says it: "User is verified" or "User is not verified"."""


BAD = Reply(OccupiError, "Bad input: the message names the field.")
LIMITED = Reply(OccupiError, "Too many requests; wait a minute.")


@rendered(REGISTER_ERRORS)
async def register(call: Call[RegisterRequest]) -> Response:
    """Start a registration: the password (checked against the policy, only its hash is
    kept) and a mailed code, which /auth/verify-otp redeems. The answer is the same
    whether or not the address has an account."""
    body = call.body
    await call.app.signups.start(body.email, body.password, push_token=body.expo_push_token)
    return success(CODE_MAILED)


@rendered(RESEND_ERRORS)
async def resend_otp(call: Call[EmailRequest]) -> Response:
    """Mail a waiting registration's code again; one request per client address a
    minute, whatever the address."""
    await call.app.signups.resend(call.body.email, client=client_of(call.request))
    return success(CODE_MAILED)


@rendered(AUTH_ERRORS)
async def verify_otp(call: Call[OtpRequest]) -> Response:
    """Complete a registration with its mailed code."""
    await call.app.signups.complete(call.body.email, call.body.otp)
    return success("OTP verified successfully!")


@rendered(ERRORS)
async def is_verified(call: Call[EmailRequest]) -> Response:
    """Whether an address has a (verified) account; an unknown one is "not verified"."""
    known = await call.app.signups.is_registered(call.body.email)
    return success("User is verified" if known else "User is not verified")


ENDPOINTS = (
    Endpoint(
        "POST",
        "/auth/register",
        register,
        summary="Register: the password now, the mailed code at /auth/verify-otp",
        responses={
            200: Reply(CodeSent, "A code was mailed."),
            400: BAD,
            401: ALREADY,
            429: LIMITED,
        },
        guard=SIGNED_OUT,
        tags=TAGS,
        request=RegisterRequest,
    ),
    Endpoint(
        "POST",
        "/auth/resend-otp",
        resend_otp,
        summary="Mail a registration's code again",
        responses={200: Reply(CodeSent, "A code was mailed."), 400: BAD, 429: LIMITED},
        guard=OPEN,
        tags=TAGS,
        request=EmailRequest,
    ),
    Endpoint(
        "POST",
        "/auth/verify-otp",
        verify_otp,
        summary="Complete a registration with its mailed code",
        responses={200: Reply(Verified, "The account exists now."), 400: BAD},
        guard=OPEN,
        tags=TAGS,
        request=OtpRequest,
    ),
    Endpoint(
        "POST",
        "/auth/is-verified",
        is_verified,
        summary="Has this address a verified account?",
        responses={200: Reply(VerifiedState, "Verified or not."), 400: BAD, 401: ALREADY},
        guard=SIGNED_OUT,
        tags=TAGS,
        request=EmailRequest,
    ),
)
