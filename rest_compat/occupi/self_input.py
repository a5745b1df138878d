"""What the self-service Occupi endpoints share: reading the original's loose inputs
(JSON-else-query, "on"/"off", booleans as text), and answering failures in their words.

Request models type their fields loosely (the schema is documented, the value is checked
here) so that a wrongly typed value gets a 400 that names its field, like every other bad
input, instead of pydantic's bare wording.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Mapping
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, WithJsonSchema
from starlette.responses import Response

from domain.errors import DomainError, ErrorCode, invalid
from rest_compat.occupi.envelopes import (
    ERRORS,
    LegacyError,
    OccupiError,
    failure,
    guard_failure,
)
from rest_compat.routing import Call, Reply

Text = Annotated[Any, WithJsonSchema({"type": ["string", "null"]})]
Email = Annotated[Any, WithJsonSchema({"type": ["string", "null"], "format": "email"})]
Flag = Annotated[Any, WithJsonSchema({"type": ["boolean", "null"]})]
OnOff = Annotated[Any, WithJsonSchema({"enum": ["on", "off", "", None]})]
Emails = Annotated[
    Any,
    WithJsonSchema({"type": ["array", "null"], "items": {"type": "string", "format": "email"}}),
]


class Loose(BaseModel):
    """A legacy request body: unknown keys are dropped, as Gin's binding did."""

    model_config = ConfigDict(extra="ignore")


DONE = "Done; `data` is null."

# How these endpoints answer a refusal inside a use case (the guards' 401s stay as they
# are): somebody else's data is 403, as the original's only 403s were.
SELF_ERRORS: Mapping[ErrorCode, LegacyError] = {
    **ERRORS,
    ErrorCode.FORBIDDEN: LegacyError(403, "FORBIDDEN", summary="Forbidden"),
    ErrorCode.NOT_FOUND: LegacyError(404, "BAD_REQUEST", summary="Not found"),
    ErrorCode.RATE_LIMITED: LegacyError(429, "TOO_MANY_REQUESTS", summary="Too Many Requests"),
    ErrorCode.EMAIL_TAKEN: LegacyError(
        400, "INVALID_REQUEST_PAYLOAD", "Email already exists", "Email already exists"
    ),
}
USER_NOT_FOUND = LegacyError(404, "BAD_REQUEST", "User not found", "User not found")
PEOPLE_ERRORS = {**SELF_ERRORS, ErrorCode.NOT_FOUND: USER_NOT_FOUND}

BAD_INPUT = Reply(OccupiError, "A bad input; the message names the field.")
NOT_YOURS = Reply(OccupiError, "A basic user named somebody else: refused, nothing changed.")
NO_SUCH_USER = Reply(OccupiError, "An admin named an address nobody has.")
NOT_SIGNED_IN = guard_failure("No token, or an expired or forged one.", ErrorCode.UNAUTHENTICATED)
NOT_ADMIN = guard_failure(
    "Not signed in, or not an admin.", ErrorCode.UNAUTHENTICATED, ErrorCode.FORBIDDEN
)
# What an endpoint about a named person (or oneself) may answer besides its success.
PERSON_ERRORS = {400: BAD_INPUT, 401: NOT_SIGNED_IN, 403: NOT_YOURS, 404: NO_SUCH_USER}

Handler = Callable[[Call[Any]], Awaitable[Response]]


def answers(
    table: Mapping[ErrorCode, LegacyError] = SELF_ERRORS,
    renames: Mapping[str, str] | None = None,
) -> Callable[[Handler], Handler]:
    """Render the DomainErrors of a handler with `table`; an INVALID_INPUT message names
    its field, by the legacy name (`renames`: use-case field -> request field)."""

    def wrap(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def run(call: Call[Any]) -> Response:
            try:
                return await handler(call)
            except DomainError as error:
                return failure(named(error, renames or {}), table)

        return run

    return wrap


def named(error: DomainError, renames: Mapping[str, str]) -> DomainError:
    if error.code is not ErrorCode.INVALID_INPUT or error.field is None:
        return error
    field = renames.get(error.field, error.field)
    if field in error.message:
        return error
    return DomainError(error.code, f"{field}: {error.message}", field=field)


def query(call: Call[Any], name: str, *aliases: str) -> str | None:
    """A query parameter, by its name or an alias."""
    for key in (name, *aliases):
        found = call.request.query_params.get(key)
        if found is not None:
            return found
    return None


def given(call: Call[Any], name: str, *aliases: str, attr: str | None = None) -> Any:
    """A value from the JSON body when it has one (not null), else from the query."""
    body = call.body
    value = getattr(body, attr or name, None) if body is not None else None
    return value if value is not None else query(call, name, *aliases)


def text(value: Any, field: str) -> str | None:
    """None, or a string (a number is taken as its digits, as clients sent both)."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise invalid(f"{field} must be a string", field)
    if isinstance(value, int):
        return str(value)
    if not isinstance(value, str):
        raise invalid(f"{field} must be a string", field)
    return value


def required(value: Any, field: str) -> str:
    found = text(value, field)
    if found is None or not found.strip():
        raise invalid(f"{field} must be provided", field)
    return found


_TRUE = frozenset({"true", "on", "yes", "1"})
_FALSE = frozenset({"false", "off", "no", "0"})


def flag(value: Any, field: str) -> bool | None:
    """A boolean, or its text forms ("true"/"false", "on"/"off") as query strings and the
    docs' examples had them."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise invalid(f"{field} must be true or false", field)


def on_off(value: Any, field: str) -> bool | None:
    """The original's "on"/"off" settings: "" or absent means unchanged (None)."""
    if value is None or value == "":
        return None
    if value in ("on", "off"):
        return bool(value == "on")
    if isinstance(value, bool):
        return value
    raise invalid(f"{field} must be either 'on' or 'off'", field)


def shown(value: bool) -> str:
    return "on" if value else "off"


def email_list(value: Any, field: str = "emails") -> list[str]:
    """A JSON list of addresses, or the query's comma-separated one."""
    if isinstance(value, str):
        value = [part for part in value.split(",") if part.strip()]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise invalid(f"{field} must be a list of e-mail addresses", field)
    if not value:
        raise invalid(f"{field} must list at least one e-mail address", field)
    return value


def client_of(call: Call[Any]) -> str | None:
    """The client address the gateway's proxy handling settled on."""
    client = call.request.scope.get("client")
    return str(client[0]) if client else None
