"""PUT /api/toggle-onsite (§4.13, §5.5): going on or off site, in the site's office hours."""

from __future__ import annotations

from starlette.responses import Response

from domain.errors import DomainError, ErrorCode, invalid
from domain.office_hours import OutsideOfficeHours
from rest_compat.occupi.envelopes import Done, LegacyError, OccupiError, failure, success
from rest_compat.occupi.self_input import (
    BAD_INPUT,
    DONE,
    NO_SUCH_USER,
    NOT_SIGNED_IN,
    PEOPLE_ERRORS,
    Email,
    Loose,
    Text,
    named,
    text,
)
from rest_compat.rendering import go_json, json_response
from rest_compat.routing import SIGNED_IN, Call, Endpoint, Reply

TAGS = ("Occupi: on site",)
_ALREADY = LegacyError(
    400,
    "INVALID_REQUEST_PAYLOAD",
    "Failed due to invalid status or user is perhaps already onsite or offsite",
    "Failed to toggle onsite status",
)
TABLE = {
    **PEOPLE_ERRORS,
    ErrorCode.ALREADY_ON_SITE: _ALREADY,
    ErrorCode.ALREADY_OFF_SITE: _ALREADY,
}
_STATUS = {"Yes": True, "No": False}


class ToggleOnsite(Loose):
    email: Email = None
    onSite: Text = None


def after_hours(error: OutsideOfficeHours) -> Response:
    """The original's BlockAfterHours body, with the site's local time and zone, and the
    site's hours of that day instead of a fixed 08:00 to 17:00."""
    local = error.local
    if error.hours is None:
        allowed = "closed all day"
    else:
        allowed = f"only allowed between {error.hours.opens:%H:%M} and {error.hours.closes:%H:%M}"
    body = {
        "error": {
            "code": "FORBIDDEN",
            "details": {
                "serverTime": f"{local:%Y-%m-%d %H:%M:%S}",
                "serverTimezone": error.zone.key,
            },
            "message": f"Access denied after hours, {allowed}, time now is {local:%H:%M}",
        },
        "message": "Forbidden",
        "status": 403,
    }
    return json_response(go_json(body), 403)


async def toggle_onsite(call: Call[ToggleOnsite]) -> Response:
    """`onSite` "Yes" or "No" (exactly) for the caller, or (admins) for the person `email`
    names, inside the office hours of the site (the only site) in its own zone; a session
    forgotten open is closed at the end of its office day first."""
    body, app, principal = call.body, call.app, call.principal
    try:
        person = await app.lookup.person(principal, text(body.email, "email"))
        status = text(body.onSite, "onSite")
        if status not in _STATUS:
            raise invalid('onSite must be "Yes" or "No"', "onSite")
        await app.presence.toggle(principal, on_site=_STATUS[status], user_id=person.id)
    except OutsideOfficeHours as error:
        return after_hours(error)
    except DomainError as error:
        return failure(named(error, {}), TABLE)
    return success("Successfully toggled onsite status!")


ENDPOINTS = (
    Endpoint(
        "PUT",
        "/api/toggle-onsite",
        toggle_onsite,
        summary="Go on or off site",
        responses={
            200: Reply(Done, DONE),
            400: BAD_INPUT,
            401: NOT_SIGNED_IN,
            403: Reply(OccupiError, "Outside office hours, or somebody else's presence."),
            404: NO_SUCH_USER,
        },
        guard=SIGNED_IN,
        tags=TAGS,
        request=ToggleOnsite,
    ),
)
