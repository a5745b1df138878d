"""POST /api/update-security-settings and GET /api/get-security-settings (§4.8, §4.9)."""

from __future__ import annotations

from pydantic import BaseModel
from starlette.responses import Response

from domain.errors import invalid
from rest_compat.occupi.envelopes import Done, OccupiEnvelope, success
from rest_compat.occupi.self_input import (
    DONE,
    PEOPLE_ERRORS,
    PERSON_ERRORS,
    Email,
    Loose,
    OnOff,
    Text,
    answers,
    client_of,
    given,
    on_off,
    shown,
    text,
)
from rest_compat.rendering import Struct
from rest_compat.routing import SIGNED_IN, Call, Endpoint, Reply

TAGS = ("Occupi: settings",)
_PASSWORDS = ("currentPassword", "newPassword", "newPasswordConfirm")


class EmailQuery(Loose):
    email: Email = None


class UpdateSecurity(Loose):
    email: Email = None
    mfa: OnOff = None
    forceLogout: OnOff = None
    currentPassword: Text = None
    newPassword: Text = None
    newPasswordConfirm: Text = None


class SecurityData(BaseModel):
    email: str
    mfa: str
    forceLogout: str
    currentPassword: str
    newPassword: str
    newPasswordConfirm: str


class SecuritySettings(OccupiEnvelope[SecurityData]):
    """The original's struct, empty password fields included."""


@answers(PEOPLE_ERRORS)
async def update_security_settings(call: Call[UpdateSecurity]) -> Response:
    """The caller's own MFA and password (`email`, if given, must be the caller's: not
    even an admin changes somebody else's). Both need `currentPassword`. A new password
    revokes every earlier token; the new token comes back as the `token` cookie and in the
    `Authorization` header. `forceLogout` is checked and, as in the original, has no
    effect."""
    body, app, principal = call.body, call.app, call.principal
    await app.lookup.own(principal, text(body.email, "email"))
    mfa = on_off(body.mfa, "mfa")
    on_off(body.forceLogout, "forceLogout")
    current, new, confirm = (text(getattr(body, f), f) or None for f in _PASSWORDS)
    if (current is None or new is None or confirm is None) and (new or confirm):
        raise invalid(
            "Current password, new password and new password confirm must all be provided",
            "currentPassword",
        )
    if mfa is not None:
        if current is None:
            raise invalid("currentPassword: needed to change mfa", "currentPassword")
        await app.accounts.update_security_settings(
            principal, mfa=mfa, current_password=current, client=client_of(call)
        )
    response = success("Successfully updated security settings!")
    if current is not None and new is not None and confirm is not None:
        session = await app.accounts.change_password(
            principal, current=current, new=new, confirm=confirm, client=client_of(call)
        )
        seconds = max(0, int((session.token.expires_at - app.clock.now()).total_seconds()))
        response.set_cookie("token", session.token.token, max_age=seconds, httponly=True)
        response.headers["Authorization"] = f"Bearer {session.token.token}"
    return response


@answers(PEOPLE_ERRORS)
async def get_security_settings(call: Call[EmailQuery]) -> Response:
    """The caller's security settings, or (admins) those of the person `email` names."""
    app, principal = call.app, call.principal
    person = await app.lookup.person(principal, text(given(call, "email"), "email"))
    settings = await app.people.security_settings(principal, person.id)
    data = Struct(
        email=person.email or "",
        mfa=shown(bool(settings and settings.mfa)),
        forceLogout="off",
        currentPassword="",
        newPassword="",
        newPasswordConfirm="",
    )
    return success("Successfully fetched security settings!", data)


ENDPOINTS = (
    Endpoint(
        "POST",
        "/api/update-security-settings",
        update_security_settings,
        summary="Change one's MFA setting or password",
        responses={200: Reply(Done, DONE), **PERSON_ERRORS},
        guard=SIGNED_IN,
        tags=TAGS,
        request=UpdateSecurity,
    ),
    Endpoint(
        "GET",
        "/api/get-security-settings",
        get_security_settings,
        summary="A person's security settings",
        responses={200: Reply(SecuritySettings, "The settings."), **PERSON_ERRORS},
        guard=SIGNED_IN,
        tags=TAGS,
        request=EmailQuery,
        body_optional=True,
    ),
)
