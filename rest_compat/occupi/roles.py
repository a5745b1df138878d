"""PUT /api/toggle-admin-status (§4.26): admins set a person's role."""

from __future__ import annotations

from starlette.responses import Response

from domain.errors import invalid
from domain.users import Role
from rest_compat.occupi.envelopes import Done, success
from rest_compat.occupi.self_input import (
    BAD_INPUT,
    DONE,
    NO_SUCH_USER,
    NOT_ADMIN,
    PEOPLE_ERRORS,
    Email,
    Loose,
    Text,
    answers,
    given,
    required,
    text,
)
from rest_compat.routing import ADMIN, Call, Endpoint, Reply

TAGS = ("Occupi: people",)


class ToggleAdmin(Loose):
    email: Email = None
    role: Text = None


def parse_role(raw: str | None, field: str = "role") -> Role:
    """ "admin", or "basic" (also "user", create-user's word for it)."""
    value = (raw or "").strip().lower()
    if value == "admin":
        return Role.ADMIN
    if value in ("basic", "user"):
        return Role.BASIC
    raise invalid(f"{field} must be 'admin' or 'basic' ('user' means basic)", field)


@answers(PEOPLE_ERRORS)
async def toggle_admin_status(call: Call[ToggleAdmin]) -> Response:
    """Admins set the role (`admin` or `basic`) of the person `email` names (JSON body,
    else the query); the person and the admin are notified. The last admin cannot be
    demoted."""
    app, principal = call.app, call.principal
    person = await app.lookup.person(principal, required(given(call, "email"), "email"))
    role = parse_role(text(given(call, "role"), "role"))
    await app.people.set_role(principal, person.id, role)
    return success("Successfully toggled admin status and sent notifications!")


ENDPOINTS = (
    Endpoint(
        "PUT",
        "/api/toggle-admin-status",
        toggle_admin_status,
        summary="Set a person's role",
        responses={200: Reply(Done, DONE), 400: BAD_INPUT, 401: NOT_ADMIN, 404: NO_SUCH_USER},
        guard=ADMIN,
        tags=TAGS,
        request=ToggleAdmin,
        body_optional=True,
    ),
)
