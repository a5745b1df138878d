"""DELETE /api/delete-notification and GET /api/get-notifications-count (§4.26)."""

from __future__ import annotations

from pydantic import BaseModel
from starlette.responses import Response

from domain.errors import ErrorCode
from rest_compat.occupi.envelopes import Done, LegacyError, OccupiEnvelope, OccupiError, success
from rest_compat.occupi.self_input import (
    BAD_INPUT,
    DONE,
    NOT_SIGNED_IN,
    NOT_YOURS,
    PEOPLE_ERRORS,
    Email,
    Loose,
    Text,
    answers,
    given,
    required,
    text,
)
from rest_compat.routing import SIGNED_IN, Call, Endpoint, Reply

TAGS = ("Occupi: notifications",)
TABLE = {
    **PEOPLE_ERRORS,
    ErrorCode.NOT_FOUND: LegacyError(404, "BAD_REQUEST", summary="Not found"),
}


class DeleteNotification(Loose):
    email: Email = None
    notiId: Text = None


class EmailQuery(Loose):
    email: Email = None


class Counts(BaseModel):
    unread: int
    total: int


class NotificationCount(OccupiEnvelope[Counts]):
    """The caller's own unread and total notifications."""


@answers(TABLE, {"id": "notiId"})
async def delete_notification(call: Call[DeleteNotification]) -> Response:
    """Delete the notification `notiId` for the caller (or, for admins, for the person
    `email` names) only; the others it went to keep it."""
    app, principal = call.app, call.principal
    person = await app.lookup.person(principal, text(given(call, "email"), "email"))
    notification = required(given(call, "notiId"), "notiId").strip()
    await app.notifications.delete(principal, notification, user_id=person.id)
    return success("Successfully deleted notification!")


@answers(TABLE)
async def get_notifications_count(call: Call[EmailQuery]) -> Response:
    """`unread` and `total` of the caller's own notifications (or, for admins, of the
    person `email` names): the original's `total` counted everybody's."""
    app, principal = call.app, call.principal
    person = await app.lookup.person(principal, text(given(call, "email"), "email"))
    counts = await app.notifications.counts(principal, user_id=person.id)
    return success(
        "Successfully fetched notification count!",
        {"unread": counts.unread, "total": counts.total},
    )


ENDPOINTS = (
    Endpoint(
        "DELETE",
        "/api/delete-notification",
        delete_notification,
        summary="Delete a notification for oneself",
        responses={
            200: Reply(Done, DONE),
            400: BAD_INPUT,
            401: NOT_SIGNED_IN,
            403: NOT_YOURS,
            404: Reply(OccupiError, "No such notification for that person, or no such person."),
        },
        guard=SIGNED_IN,
        tags=TAGS,
        request=DeleteNotification,
        body_optional=True,
    ),
    Endpoint(
        "GET",
        "/api/get-notifications-count",
        get_notifications_count,
        summary="How many notifications one has, and how many are unread",
        responses={
            200: Reply(NotificationCount, "The counts."),
            400: BAD_INPUT,
            401: NOT_SIGNED_IN,
            403: NOT_YOURS,
            404: Reply(OccupiError, "An admin named an address nobody has."),
        },
        guard=SIGNED_IN,
        tags=TAGS,
        request=EmailQuery,
        body_optional=True,
    ),
)
