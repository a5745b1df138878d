"""Global object ids (Relay): `base64("Type:key")`. Arguments that name an object take its
global id or, for convenience, its own key: a room's or booking's code (RM…, BOOKOCCUPI…)
or a location's or user's number, as the legacy APIs show them."""

from __future__ import annotations

import strawberry
from strawberry.relay import GlobalID, GlobalIDValueError

from domain.errors import invalid
from domain.ids import MAX_ROW_ID

ROOM, BOOKING, LOCATION, USER = "Room", "Booking", "Location", "User"
NODE_TYPES = frozenset({ROOM, BOOKING, LOCATION, USER})
MAX_ID = MAX_ROW_ID  # the databases' id columns are 32-bit
MAX_REF_LENGTH = 200


def global_id(type_name: str, key: str | int) -> strawberry.ID:
    return strawberry.ID(str(GlobalID(type_name, str(key))))


def _key(raw: str, expected: str, field: str) -> str:
    """The key inside a global id of type `expected`, or `raw` itself if it is not one."""
    text = str(raw).strip()
    if len(text) > MAX_REF_LENGTH:
        raise invalid(f"{field} is too long to be an id", field)
    try:
        decoded = GlobalID.from_id(text)
    except GlobalIDValueError:
        return text
    if decoded.type_name not in NODE_TYPES:
        # Some legal codes are valid base64 too ("RMOpOjEy" decodes to "Dé:12"): only a
        # type of ours makes it a global id.
        return text
    if decoded.type_name != expected:
        raise invalid(f"{raw!r} is the id of a {decoded.type_name}, not of a {expected}", field)
    return decoded.node_id


def code_ref(raw: str, type_name: str, field: str) -> str:
    """A room or booking, by global id or code."""
    return _key(raw, type_name, field)


def number(key: str) -> int | None:
    """A location's or user's number, if `key` can be one: ASCII digits, in the
    database's range."""
    if not (key.isascii() and key.isdigit()):
        return None
    value = int(key)
    return value if 0 < value <= MAX_ID else None


def number_ref(raw: str, type_name: str, field: str) -> int:
    """A location or user, by global id or number."""
    value = number(_key(raw, type_name, field))
    if value is None:
        raise invalid(f"{raw!r} is not a valid id", field)
    return value


def parse_global_id(raw: str, field: str = "id") -> GlobalID:
    """A global id as `node(id:)` takes it: nothing else will do."""
    try:
        return GlobalID.from_id(str(raw))
    except GlobalIDValueError:
        raise invalid(f"{raw!r} is not a valid id", field) from None


def room_ref(raw: str, field: str = "roomId") -> str:
    return code_ref(raw, ROOM, field)


def booking_ref(raw: str, field: str = "bookingId") -> str:
    return code_ref(raw, BOOKING, field)


def location_ref(raw: str, field: str) -> int:
    return number_ref(raw, LOCATION, field)
