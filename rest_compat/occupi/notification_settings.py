"""GET /api/update-notification-settings, /api/get-notification-settings (§4.10, §4.11)
and /api/get-push-tokens (§4.7)."""

from __future__ import annotations

from pydantic import BaseModel
from starlette.responses import Response

from rest_compat.occupi.envelopes import Done, OccupiEnvelope, success
from rest_compat.occupi.self_input import (
    BAD_INPUT,
    DONE,
    NOT_ADMIN,
    PEOPLE_ERRORS,
    PERSON_ERRORS,
    Email,
    Emails,
    Loose,
    OnOff,
    answers,
    email_list,
    given,
    on_off,
    query,
    shown,
    text,
)
from rest_compat.rendering import Struct
from rest_compat.routing import ADMIN, SIGNED_IN, Call, Endpoint, Reply

TAGS = ("Occupi: settings",)


class EmailQuery(Loose):
    email: Email = None


class NotificationData(BaseModel):
    email: str
    invites: str
    bookingReminder: str


class NotificationSettingsBody(OccupiEnvelope[NotificationData]):
    """ "on"/"off" for each setting."""


class UpdateNotifications(Loose):
    email: Email = None
    invites: OnOff = None
    bookingReminder: OnOff = None


class PushToken(BaseModel):
    expoPushToken: str


class PushTokens(OccupiEnvelope[list[PushToken] | None]):
    """null when nobody listed has a device with invitations on."""


class PushTokensQuery(Loose):
    emails: Emails = None


@answers(PEOPLE_ERRORS)
async def update_notification_settings(call: Call[UpdateNotifications]) -> Response:
    """A GET that changes, as the original's was: `invites` and `bookingReminder` ("on",
    "off"; absent or "": unchanged) from the JSON body, else the query, for the caller or
    (admins) the person `email` names."""
    app, principal = call.app, call.principal
    person = await app.lookup.person(principal, text(given(call, "email"), "email"))
    await app.notifications.update_settings(
        principal,
        invites=on_off(given(call, "invites"), "invites"),
        booking_reminders=on_off(given(call, "bookingReminder"), "bookingReminder"),
        user_id=person.id,
    )
    return success("Successfully updated notification settings!")


@answers(PEOPLE_ERRORS)
async def get_notification_settings(call: Call[EmailQuery]) -> Response:
    """The caller's notification settings, or (admins) those of the person `email` names."""
    app, principal = call.app, call.principal
    person = await app.lookup.person(principal, text(given(call, "email"), "email"))
    settings = await app.notifications.settings(principal, user_id=person.id)
    data = Struct(
        email=person.email or "",
        invites=shown(settings.invites),
        bookingReminder=shown(settings.booking_reminders),
    )
    return success("Successfully fetched notification settings!", data)


@answers(PEOPLE_ERRORS)
async def get_push_tokens(call: Call[PushTokensQuery]) -> Response:
    """Admins only (a token lets whoever holds it push to the device): the devices of the
    listed people who have invitations on. `emails` is a JSON list, or the query's
    comma-separated list."""
    raw = call.body.emails if call.body is not None else None
    emails = email_list(raw if raw is not None else query(call, "emails"))
    tokens = await call.app.notifications.push_tokens_of(call.principal, emails)
    data = [{"expoPushToken": token} for token in tokens] or None
    return success("Successfully fetched push tokens!", data)


ENDPOINTS = (
    Endpoint(
        "GET",
        "/api/update-notification-settings",
        update_notification_settings,
        summary="Change a person's notification settings (a GET, as in the original)",
        responses={200: Reply(Done, DONE), **PERSON_ERRORS},
        guard=SIGNED_IN,
        tags=TAGS,
        request=UpdateNotifications,
        body_optional=True,
    ),
    Endpoint(
        "GET",
        "/api/get-notification-settings",
        get_notification_settings,
        summary="A person's notification settings",
        responses={200: Reply(NotificationSettingsBody, "The settings."), **PERSON_ERRORS},
        guard=SIGNED_IN,
        tags=TAGS,
        request=EmailQuery,
        body_optional=True,
    ),
    Endpoint(
        "GET",
        "/api/get-push-tokens",
        get_push_tokens,
        summary="The push tokens of people with invitations on",
        responses={
            200: Reply(PushTokens, "The tokens."),
            400: BAD_INPUT,
            401: NOT_ADMIN,
        },
        guard=ADMIN,
        tags=TAGS,
        request=PushTokensQuery,
        body_optional=True,
    ),
)
