"""POST /auth/login*, /auth/verify-otp-*login and /auth/logout: signing in and out.

Each route comes as the web variant (the token in the `token` cookie) and the mobile one
(`data.token` and the `Authorization` header); the admin routes refuse an account whose
stored role is not admin, at whichever step would issue the token (the original did not
check on the code routes, §2.10)."""

from __future__ import annotations

from pydantic import BaseModel
from starlette.responses import Response

from domain.errors import ErrorCode
from rest_compat.occupi.envelopes import OccupiEnvelope, OccupiError, guard_failure, success
from rest_compat.occupi.sessions import (
    AUTH_ERRORS,
    SESSION_COOKIE,
    TOKEN_COOKIE,
    CodeMailed,
    SignedIn,
    SignedInMobile,
    client_of,
    handed_over,
    rendered,
)
from rest_compat.routing import SIGNED_IN, SIGNED_OUT, Call, Endpoint, Handler, Reply

TAGS = ("Occupi auth",)


class LoginRequest(BaseModel):
    """`employee_id` and `test` are accepted and ignored: no test passphrase skips a rule."""

    email: str
    password: str
    employee_id: str | None = None
    test: str | None = None


class OtpLoginRequest(BaseModel):
    email: str
    otp: str


class LoggedOut(OccupiEnvelope[None]):
    """Signed out: the cookies are cleared and the caller's tokens revoked."""


ALREADY = guard_failure("The caller is signed in already.", ErrorCode.ALREADY_AUTHENTICATED)


def _failures(*more: tuple[int, str]) -> dict[int, Reply]:
    return {status: Reply(OccupiError, text) for status, text in more}


def sign_in_replies(mobile: bool) -> dict[int, Reply]:
    signed = SignedInMobile if mobile else SignedIn
    return {
        200: Reply(signed | CodeMailed, "Signed in, or a code was mailed to finish it."),
        **_failures(
            (400, "Bad input, a wrong code, or an admin route for a non-admin account."),
            (403, "The IP rules refuse this client address for the account."),
            (429, "Too many failed sign-ins: wait as the message says."),
        ),
        401: Reply(
            OccupiError,
            "Wrong address or password (one answer for both), or signed in already.",
            ALREADY.examples,
        ),
    }


def _login(name: str, *, admin: bool, mobile: bool) -> Handler:
    @rendered(AUTH_ERRORS)
    async def handler(call: Call[LoginRequest]) -> Response:
        body = call.body
        session = await call.app.sign_ins.login(
            body.email, body.password, client=client_of(call.request), admin=admin
        )
        return handed_over(session, mobile=mobile, now=call.app.clock.now())

    handler.__name__ = handler.__qualname__ = name
    handler.__doc__ = (
        "Sign in with an e-mail address and password. A sign-in that needs a mailed code "
        "(two-step sign-in, a new client address) answers 200 with the code message and no "
        "token; the code goes to the verify-otp route of the same variant."
        + (" Admins only: the stored role is checked." if admin else "")
    )
    return handler


def _verify(name: str, *, admin: bool, mobile: bool) -> Handler:
    @rendered(AUTH_ERRORS)
    async def handler(call: Call[OtpLoginRequest]) -> Response:
        body = call.body
        session = await call.app.sign_ins.complete(
            body.email, body.otp, client=client_of(call.request), admin=admin
        )
        return handed_over(session, mobile=mobile, now=call.app.clock.now())

    handler.__name__ = handler.__qualname__ = name
    handler.__doc__ = (
        "Finish a sign-in with the code it mailed, from the client address it was mailed "
        "for." + (" Admins only: the stored role is checked." if admin else "")
    )
    return handler


async def logout(call: Call[None]) -> Response:
    """Sign out: every token of the caller is revoked (a JWT cannot be revoked singly)
    and the `token` and session cookies are cleared."""
    await call.app.accounts.logout_everywhere(call.principal)
    response = success("Logged out successfully!")
    for cookie in (TOKEN_COOKIE, SESSION_COOKIE):
        response.delete_cookie(cookie, path="/", httponly=True)
    return response


VARIANTS = (
    ("", False, False),
    ("-admin", True, False),
    ("-mobile", False, True),
    ("-admin-mobile", True, True),
)
VERIFY_PATHS = {
    (False, False): "/auth/verify-otp-login",
    (True, False): "/auth/verify-otp-admin-login",
    (False, True): "/auth/verify-otp-mobile-login",
    (True, True): "/auth/verify-otp-mobile-admin-login",
}


def _endpoints() -> tuple[Endpoint, ...]:
    found: list[Endpoint] = []
    for suffix, admin, mobile in VARIANTS:
        tail = suffix.replace("-", "_")
        found.append(
            Endpoint(
                "POST",
                f"/auth/login{suffix}",
                _login(f"login{tail}", admin=admin, mobile=mobile),
                summary=f"Sign in ({'admin, ' if admin else ''}{'mobile' if mobile else 'web'})",
                responses=sign_in_replies(mobile),
                guard=SIGNED_OUT,
                tags=TAGS,
                request=LoginRequest,
            )
        )
        path = VERIFY_PATHS[(admin, mobile)]
        found.append(
            Endpoint(
                "POST",
                path,
                _verify(path.removeprefix("/auth/").replace("-", "_"), admin=admin, mobile=mobile),
                summary="Finish a sign-in with its mailed code",
                responses=sign_in_replies(mobile),
                guard=SIGNED_OUT,
                tags=TAGS,
                request=OtpLoginRequest,
            )
        )
    found.append(
        Endpoint(
            "POST",
            "/auth/logout",
            logout,
            summary="Sign out",
            responses={
                200: Reply(LoggedOut, "Signed out."),
                401: guard_failure("No valid token.", ErrorCode.UNAUTHENTICATED),
            },
            guard=SIGNED_IN,
            tags=TAGS,
        )
    )
    return tuple(found)


ENDPOINTS = _endpoints()
