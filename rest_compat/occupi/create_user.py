"""POST /api/create-user (§4.21): admins create an account with its details, settings,
push device and the block-anonymous flag."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from starlette.responses import Response

from domain.errors import invalid
from domain.notifications import NotificationSettings
from rest_compat.occupi.envelopes import Done, success
from rest_compat.occupi.people import TAGS, parse_dob
from rest_compat.occupi.roles import parse_role
from rest_compat.occupi.self_input import (
    BAD_INPUT,
    DONE,
    NOT_ADMIN,
    SELF_ERRORS,
    Email,
    Flag,
    Loose,
    Text,
    answers,
    flag,
    on_off,
    required,
    text,
)
from rest_compat.routing import ADMIN, Call, Endpoint, Reply

_RENAMES = {
    "dateOfBirth": "details.dob",
    "contactNumber": "details.contactNo",
    "gender": "details.gender",
    "pronouns": "details.pronouns",
    "employeeId": "employee_id",
    "department": "departmentNo",
    "pushToken": "expoPushToken",
}


class NewDetails(BaseModel):
    contactNo: Text = None
    name: Text = None
    dob: Text = None
    gender: Text = None
    pronouns: Text = None


class NewNotifications(BaseModel):
    invites: Flag = None
    bookingReminder: Flag = None


class CreateUser(Loose):
    employee_id: Text = None
    password: Text = None
    email: Email = None
    role: Text = None
    details: NewDetails | None = None
    notifications: NewNotifications | None = None
    status: Text = None
    position: Text = None
    departmentNo: Text = None
    expoPushToken: Text = None
    blockAnonymousIPAddress: Flag = None


def _setting(value: Any, field: str) -> bool | None:
    """A boolean as the original wanted, or "on"/"off" as the docs showed."""
    if isinstance(value, str) and value in ("on", "off", ""):
        return on_off(value, field)
    return flag(value, field)


def _settings(given: NewNotifications | None) -> NotificationSettings:
    default = NotificationSettings()
    if given is None:
        return default
    invites = _setting(given.invites, "notifications.invites")
    reminders = _setting(given.bookingReminder, "notifications.bookingReminder")
    return NotificationSettings(
        invites=default.invites if invites is None else invites,
        booking_reminders=default.booking_reminders if reminders is None else reminders,
    )


def _profile(body: CreateUser) -> dict[str, Any]:
    details = body.details or NewDetails()
    found: dict[str, Any] = {
        "contact_number": text(details.contactNo, "details.contactNo"),
        "gender": text(details.gender, "details.gender"),
        "pronouns": text(details.pronouns, "details.pronouns"),
        "date_of_birth": parse_dob(text(details.dob, "details.dob")),
        "employee_id": text(body.employee_id, "employee_id"),
        "position": text(body.position, "position"),
        "department": text(body.departmentNo, "departmentNo"),
    }
    return {name: value for name, value in found.items() if value not in (None, "")}


@answers(SELF_ERRORS, _RENAMES)
async def create_user(call: Call[CreateUser]) -> Response:
    """Admins create an account. `role` is `admin`, `user` or `basic` (absent: basic);
    `notifications.*` take booleans or "on"/"off"; `departmentNo` a string or a number;
    `details.dob` RFC 3339 or YYYY-MM-DD. Without `details.name` the name is the part of
    the address before the @. The password must meet the gateway's password policy."""
    body = call.body
    email = required(body.email, "email")
    password = required(body.password, "password")
    role = parse_role(text(body.role, "role") or "basic")
    name = text((body.details or NewDetails()).name, "details.name") or email.split("@")[0]
    block = flag(body.blockAnonymousIPAddress, "blockAnonymousIPAddress")
    if body.status is not None:
        text(body.status, "status")
    token = text(body.expoPushToken, "expoPushToken") or None
    if not name.strip():
        raise invalid("details.name cannot be blank", "details.name")
    await call.app.accounts.create_user(
        call.principal,
        email=email,
        name=name,
        password=password,
        role=role,
        details=_profile(body),
        notifications=_settings(body.notifications),
        push_token=token,
        block_anonymous=bool(block),
    )
    return success("Successfully created user!")


ENDPOINTS = (
    Endpoint(
        "POST",
        "/api/create-user",
        create_user,
        summary="Create an account",
        responses={200: Reply(Done, DONE), 400: BAD_INPUT, 401: NOT_ADMIN},
        guard=ADMIN,
        tags=TAGS,
        request=CreateUser,
    ),
)
