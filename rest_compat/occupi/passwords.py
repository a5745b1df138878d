"""POST /auth/forgot-password and /auth/reset-password-*: a forgotten password, reset
with a mailed code (gateway.services.password_resets), then an ordinary sign-in with
the new one, in the route's variant (web or mobile, admin or not)."""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel, Field
from starlette.responses import Response

from domain.errors import ErrorCode
from rest_compat.occupi.auth import ALREADY, VARIANTS, sign_in_replies
from rest_compat.occupi.envelopes import ERRORS, LegacyError, OccupiEnvelope, OccupiError, success
from rest_compat.occupi.sessions import AUTH_ERRORS, CODE_MAILED, client_of, handed_over, rendered
from rest_compat.routing import SIGNED_OUT, Call, Endpoint, Handler, Reply

TAGS = ("Occupi auth",)
FORGOT_ERRORS: Mapping[ErrorCode, LegacyError] = {
    **ERRORS,
    ErrorCode.RATE_LIMITED: LegacyError(429, "TOO_MANY_REQUESTS", None, "Too Many Requests"),
}


class ForgotPasswordRequest(BaseModel):
    email: str


class ResetPasswordRequest(BaseModel):
    email: str
    otp: str
    new_password: str = Field(alias="newPassword")
    new_password_confirm: str = Field(alias="newPasswordConfirm")


class ResetCodeSent(OccupiEnvelope[None]):
    """The same answer whether or not the address has an account."""


@rendered(FORGOT_ERRORS)
async def forgot_password(call: Call[ForgotPasswordRequest]) -> Response:
    """Mail a password reset code to the account's address (nothing to an address
    without one; the answer is the same)."""
    await call.app.password_resets.request(call.body.email)
    return success(CODE_MAILED)


def _reset(name: str, *, admin: bool, mobile: bool) -> Handler:
    @rendered(AUTH_ERRORS)
    async def handler(call: Call[ResetPasswordRequest]) -> Response:
        body = call.body
        await call.app.password_resets.reset(
            body.email, body.otp, body.new_password, body.new_password_confirm, admin_only=admin
        )
        session = await call.app.sign_ins.login(
            body.email, body.new_password, client=client_of(call.request), admin=admin
        )
        return handed_over(session, mobile=mobile, now=call.app.clock.now())

    handler.__name__ = handler.__qualname__ = name
    handler.__doc__ = (
        "Set a new password (the policy applies, and `newPasswordConfirm` must match) with "
        "the mailed reset code; every earlier token is revoked. Then a sign-in with the new "
        "password, which may still need a mailed code (two-step sign-in, a new address)."
        + (" Admins only: the stored role is checked." if admin else "")
    )
    return handler


def _endpoints() -> tuple[Endpoint, ...]:
    found = [
        Endpoint(
            "POST",
            "/auth/forgot-password",
            forgot_password,
            summary="Mail a password reset code",
            responses={
                200: Reply(ResetCodeSent, "A code was mailed, if the address has an account."),
                400: Reply(OccupiError, "Not an e-mail address."),
                401: ALREADY,
                429: Reply(OccupiError, "This address has had its codes for today."),
            },
            guard=SIGNED_OUT,
            tags=TAGS,
            request=ForgotPasswordRequest,
        )
    ]
    for suffix, admin, mobile in VARIANTS:
        variant = {
            "": "",
            "-admin": "-admin",
            "-mobile": "-mobile",
            "-admin-mobile": "-mobile-admin",
        }
        path = f"/auth/reset-password{variant[suffix]}-login"
        found.append(
            Endpoint(
                "POST",
                path,
                _reset(path.removeprefix("/auth/").replace("-", "_"), admin=admin, mobile=mobile),
                summary="Reset a forgotten password with its mailed code, and sign in",
                responses=sign_in_replies(mobile),
                guard=SIGNED_OUT,
                tags=TAGS,
                request=ResetPasswordRequest,
            )
        )
    return tuple(found)


ENDPOINTS = _endpoints()
