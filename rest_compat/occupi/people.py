"""GET /api/user-details, POST /api/update-user (§4.5, §4.6) and PUT
/api/toggle-admin-status (§4.26): a person's details and role, named by e-mail address."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel
from starlette.responses import Response

from domain.errors import invalid
from domain.profiles import Profile
from domain.users import normalise_email
from rest_compat.occupi.envelopes import Done, OccupiEnvelope, success
from rest_compat.occupi.self_input import (
    BAD_INPUT,
    DONE,
    NO_SUCH_USER,
    NOT_SIGNED_IN,
    NOT_YOURS,
    PEOPLE_ERRORS,
    Email,
    Loose,
    Text,
    answers,
    given,
    text,
)
from rest_compat.rendering import Struct
from rest_compat.routing import SIGNED_IN, Call, Endpoint, Reply

TAGS = ("Occupi: people",)
_GO_ZERO_TIME = "0001-01-01 00:00:00 +0000 UTC"
# Use-case field names -> the names update-user's body gives them.
_RENAMES = {
    "dateOfBirth": "dob",
    "contactNumber": "number",
    "employeeId": "employeeid",
    "newEmail": "email",
    "user": "session_email",
}


class EmailQuery(Loose):
    email: Email = None


class UserDetailsData(BaseModel):
    email: str
    name: str
    dob: str
    gender: str
    session_email: str
    employeeid: str
    number: str
    pronouns: str


class UserDetails(OccupiEnvelope[UserDetailsData]):
    """Keys in the original's struct order; `dob` in Go's `time.Time.String()` form."""


def go_date(day: date | None) -> str:
    """A date of birth the way the original printed it (a Go time at UTC midnight)."""
    return _GO_ZERO_TIME if day is None else f"{day:%Y-%m-%d} 00:00:00 +0000 UTC"


def parse_dob(raw: str | None) -> date | None:
    """`YYYY-MM-DD` (what the original read), RFC 3339 (create-user's form) or the
    documented `2002-03-08 00:00:00 +0000 UTC`; "", absent or Go's zero time: None."""
    if raw is None or not raw.strip() or raw.strip() == _GO_ZERO_TIME:
        return None  # Go's zero time is what user-details shows for "not given"
    value = raw.strip()
    try:
        if value.endswith(" +0000 UTC"):
            return date.fromisoformat(value[:10])
        if "T" in value:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).date()
        return date.fromisoformat(value)
    except ValueError:
        raise invalid("dob must be a date such as 2002-03-08", "dob") from None


@answers(PEOPLE_ERRORS)
async def user_details(call: Call[EmailQuery]) -> Response:
    """The details of the caller, or of the person `email` names (JSON body, else the
    query). Only admins may name somebody else."""
    app, principal = call.app, call.principal
    person = await app.lookup.person(principal, text(given(call, "email"), "email"))
    profile = await app.people.details(principal, person.id) or Profile()
    email = person.email or ""
    data = Struct(
        email=email,
        name=person.name,
        dob=go_date(profile.date_of_birth),
        gender=profile.gender or "",
        session_email=email,
        employeeid=profile.employee_id or "",
        number=profile.contact_number or "",
        pronouns=profile.pronouns or "",
    )
    return success("Successfully fetched user details!", data)


class UpdateUser(Loose):
    session_email: Email = None
    email: Email = None
    name: Text = None
    dob: Text = None
    gender: Text = None
    employeeid: Text = None
    number: Text = None
    pronouns: Text = None


_PROFILE_FIELDS = {
    "gender": "gender",
    "pronouns": "pronouns",
    "number": "contact_number",
    "employeeid": "employee_id",
}


@answers(PEOPLE_ERRORS, _RENAMES)
async def update_user(call: Call[UpdateUser]) -> Response:
    """Update the non-empty fields of the person `session_email` names (the caller when
    absent; only admins may name somebody else). A new `email` is not set at once: a code
    is mailed to it, and the change is confirmed with that code (GraphQL
    `confirmEmailChange`); only the person themselves can ask for it. The employee id is
    admin-managed (sending the current one is no change)."""
    body, app, principal = call.body, call.app, call.principal
    person = await app.lookup.person(
        principal, text(body.session_email, "session_email"), "session_email"
    )
    changes: dict[str, object] = {}
    for key, field in _PROFILE_FIELDS.items():
        value = text(getattr(body, key), key)
        if value:
            changes[field] = value
    if "employee_id" in changes:
        # The apps send the whole form back: an unchanged employee id is no change, so a
        # basic user's save is not refused for a field only admins may change.
        current = await app.people.details(principal, person.id)
        if current and current.employee_id == str(changes["employee_id"]).strip().upper():
            del changes["employee_id"]
    born = parse_dob(text(body.dob, "dob"))
    if born is not None:
        changes["date_of_birth"] = born
    name = text(body.name, "name") or None
    new_email = text(body.email, "email") or None
    moving = new_email is not None and normalise_email(new_email, "email") != person.email
    if moving and call.principal.actor is not None and person.id != call.principal.actor.user_id:
        raise invalid("email: only the person themselves can change their address", "email")
    await app.people.update_profile(principal, user_id=person.id, name=name, changes=changes)
    if moving and new_email is not None:
        await app.people.request_email_change(principal, new_email)
    return success("Successfully updated user details!")


ENDPOINTS = (
    Endpoint(
        "GET",
        "/api/user-details",
        user_details,
        summary="A person's details",
        responses={
            200: Reply(UserDetails, "The details."),
            400: BAD_INPUT,
            401: NOT_SIGNED_IN,
            403: NOT_YOURS,
            404: NO_SUCH_USER,
        },
        guard=SIGNED_IN,
        tags=TAGS,
        request=EmailQuery,
        body_optional=True,
    ),
    Endpoint(
        "POST",
        "/api/update-user",
        update_user,
        summary="Update a person's details",
        responses={
            200: Reply(Done, DONE),
            400: BAD_INPUT,
            401: NOT_SIGNED_IN,
            403: NOT_YOURS,
            404: NO_SUCH_USER,
        },
        guard=SIGNED_IN,
        tags=TAGS,
        request=UpdateUser,
    ),
)
