"""GET /api/view-bookings, /api/view-rooms, /api/get-users (admins) and
/api/get-notifications: the filtered collections (§4.4), one query object for all four
(rest_compat.occupi.filters), each over its whitelist."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel
from starlette.responses import Response

from domain.errors import ErrorCode, invalid
from domain.users import Role
from gateway.services.records import RoomQuery, UserQuery
from rest_compat.occupi import rows
from rest_compat.occupi.envelopes import LegacyError, OccupiError, guard_failure
from rest_compat.occupi.filters import (
    LIST_ERRORS,
    Collection,
    FilterField,
    LegacyQuery,
    ListMeta,
    listing,
    read_query,
)
from rest_compat.occupi.sessions import rendered
from rest_compat.routing import ADMIN, SIGNED_IN, Call, Endpoint, Reply

TAGS = ("Occupi collections",)
TEXT_IN = FilterField(str, frozenset({"eq", "in"}))
ASC, DESC = frozenset({True}), frozenset({False})
ERRORS: Mapping[ErrorCode, LegacyError] = {
    **LIST_ERRORS,
    # A basic user naming somebody else's address: refused, nothing read.
    ErrorCode.FORBIDDEN: LegacyError(403, "FORBIDDEN", None, "Forbidden"),
}

BOOKINGS = Collection(
    "bookings",
    {"email": FilterField(str), "roomId": TEXT_IN},
    rows.BOOKING_COLUMNS,
    {"start": ASC},
)
ROOMS = Collection(
    "rooms",
    {
        "roomId": TEXT_IN,
        "floorNo": FilterField(str),
        "maxOccupancy": FilterField(int, frozenset({"gte"})),
    },
    rows.ROOM_COLUMNS,
    {"roomId": ASC},
)
USERS = Collection(
    "users",
    {
        "email": TEXT_IN,
        "role": FilterField(str),
        "department": FilterField(str),
        "onSite": FilterField(bool),
    },
    rows.USER_COLUMNS,
    {"email": ASC},
)
NOTIFICATIONS = Collection(
    "notifications",
    {"email": FilterField(str), "emails": FilterField(list, frozenset({"eq", "in"}))},
    rows.NOTIFICATION_COLUMNS,
    {"send_time": DESC},
)


class Listing(BaseModel):
    """`data` is null for an empty page; `meta.totalResults` counts this page's rows."""

    data: list[dict[str, Any]] | None
    message: str
    meta: ListMeta
    status: int


async def _query(call: Call[None], collection: Collection) -> LegacyQuery:
    return read_query(collection, await call.request.body(), call.request.query_params)


def _one(query: LegacyQuery, name: str) -> str | None:
    values = query.equal_to(name)
    if values is None:
        return None
    if len(values) != 1:
        raise invalid(f"filter.{name}: name one value", f"filter.{name}")
    return str(values[0])


@rendered(ERRORS)
async def view_bookings(call: Call[None]) -> Response:
    """The active bookings a person created or is invited to, by start. `filter.email`
    is required: a basic user may only name their own address, an admin anybody's."""
    query = await _query(call, BOOKINGS)
    email = _one(query, "email")
    if email is None:
        raise invalid("Email must be provided", "filter.email")
    codes = query.equal_to("roomId")
    found = await call.app.legacy_lists.bookings_of(
        call.principal,
        email,
        query.page_request(),
        room_codes=None if codes is None else tuple(str(c) for c in codes),
    )
    made = [rows.booking_row(b, found.rooms.get(b.room_id)) for b in found.bookings.items]
    return listing(query, found.bookings, made)


def _floor(query: LegacyQuery) -> int | None:
    floor = _one(query, "floorNo")
    if floor is None:
        return None
    if not floor.isdigit():
        raise invalid("filter.floorNo: a floor number", "filter.floorNo")
    return int(floor)


@rendered(ERRORS)
async def view_rooms(call: Call[None]) -> Response:
    """Rooms by id (RM…). `floorNo` is the floor's number (as view-rooms shows it);
    `maxOccupancy` with `gte` keeps rooms that take at least that many people."""
    query = await _query(call, ROOMS)
    codes = query.equal_to("roomId")
    capacity = query.conditions.get("maxOccupancy")
    room_query = RoomQuery(
        under_location_id=_floor(query),
        min_capacity=None if capacity is None else capacity.value,
        codes=None if codes is None else tuple(str(c) for c in codes),
    )
    page = await call.app.directory.rooms(call.principal, room_query, query.page_request())
    return listing(query, page, [rows.room_row(r) for r in page.items])


@rendered(ERRORS)
async def get_users(call: Call[None]) -> Response:
    """Admins only: people by address. Password hashes and push tokens are no fields."""
    query = await _query(call, USERS)
    role = _one(query, "role")
    if role is not None and role not in ("admin", "basic"):
        raise invalid("filter.role: admin or basic", "filter.role")
    emails = query.equal_to("email")
    on_site = query.conditions.get("onSite")
    user_query = UserQuery(
        on_site=None if on_site is None else on_site.value,
        role=None if role is None else Role(role),
        department=_one(query, "department"),
        emails=None if emails is None else tuple(str(e).strip().lower() for e in emails),
    )
    page = await call.app.accounts.list_users(call.principal, user_query, query.page_request())
    return listing(query, page, [rows.user_row(p) for p in page.items])


def _addressee(query: LegacyQuery) -> str | None:
    email = _one(query, "email")
    listed = query.equal_to("emails")
    if listed is not None:
        flat = [e for v in listed for e in (v if isinstance(v, list) else [v])]
        if len(flat) != 1 or not isinstance(flat[0], str):
            raise invalid("filter.emails: name one address", "filter.emails")
        email = flat[0]
    return email


@rendered(ERRORS)
async def get_notifications(call: Call[None]) -> Response:
    """A person's notifications, newest first: the caller's own unless `filter.emails`
    (or `email`) names somebody, which only an admin may. What is listed is then marked
    read (§5.9); `unreadEmails` shows it as it was before."""
    query = await _query(call, NOTIFICATIONS)
    email = _addressee(query)
    target = None
    if email is not None:
        target = await call.app.legacy_lists.person_id(call.principal, email, "filter.emails")
    notes = call.app.notifications
    page = await notes.list(call.principal, query.page_request(), user_id=target)
    addressee = email.strip().lower() if email else call.principal.require().email
    made = [rows.notification_row(n, addressee) for n in page.items]
    if page.items:
        await notes.mark_read(call.principal, [n.id for n in page.items], user_id=target)
    return listing(query, page, made)


QUERY_DOC = (
    " The query object comes as a JSON body or as query parameters: operator (eq, ne, gt,"
    " gte, lt, lte, in, nin), filter (a JSON object over the collection's fields),"
    " order_asc / order_desc, projection (comma separated in a URL), limit (at most 50),"
    " page. An unknown field or operator is a 400 naming it."
)
LISTED = Reply(Listing, 'One page, message "success", with meta.')
BAD = Reply(OccupiError, "A bad query object: the message names the field.")


def _endpoint(path: str, handler: Any, summary: str, *, admin: bool = False) -> Endpoint:
    guard = ADMIN if admin else SIGNED_IN
    handler.__doc__ = (handler.__doc__ or "") + QUERY_DOC
    codes = (
        (ErrorCode.UNAUTHENTICATED, ErrorCode.FORBIDDEN) if admin else (ErrorCode.UNAUTHENTICATED,)
    )
    return Endpoint(
        "GET",
        path,
        handler,
        summary=summary,
        responses={
            200: LISTED,
            400: BAD,
            401: guard_failure("Not signed in" + (", or not an admin." if admin else "."), *codes),
            403: Reply(OccupiError, "A basic user named somebody else's address."),
        },
        guard=guard,
        tags=TAGS,
    )


ENDPOINTS = (
    _endpoint("/api/view-bookings", view_bookings, "A person's bookings"),
    _endpoint("/api/view-rooms", view_rooms, "Rooms"),
    _endpoint("/api/get-users", get_users, "People (admins only)", admin=True),
    _endpoint("/api/get-notifications", get_notifications, "A person's notifications"),
)
