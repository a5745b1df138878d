"""Bad input through the real app: precise errors with HTTP 200 (or 400 for requests that
cannot be parsed), never a 500 and never an unexplained INTERNAL error."""

from __future__ import annotations

import base64
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from gateway.app import Gateway
from gateway.services.records import encode_cursor
from tests.support.graphql import JSON, GraphQLClient
from tests.support.world import World

INTERNAL_MESSAGE = "Unexpected error; it has been logged."
BOOK = """
mutation Book($input: BookRoomInput!) {
  bookRoom(input: $input) { booking { id } errors { code message field } }
}
"""
CANCEL = """
mutation Cancel($id: ID!) {
  cancelBooking(input: {bookingId: $id}) { booking { id } errors { code message field } }
}
"""
CHECK_IN = """
mutation CheckIn($id: ID!) {
  checkIn(input: {bookingId: $id}) { booking { id } errors { code message field } }
}
"""
ADD_LOCATION = """
mutation AddLocation($input: AddLocationInput!) {
  addLocation(input: $input) { location { id } errors { code message field } }
}
"""
ADD_ROOM = """
mutation AddRoom($input: AddRoomInput!) {
  addRoom(input: $input) { room { id } errors { code message field } }
}
"""
BOOKINGS_PAGE = """
query Bookings($after: String) { bookings(after: $after) { edges { cursor } } }
"""
USERS_PAGE = """
query Users($first: Int! = 20, $after: String) {
  users(first: $first, after: $after) { totalCount }
}
"""
UNKNOWN_BOOKING = "BOOKOCCUPI2026NOSUCHID"
HUGE_ID = "99999999999999999999"


def error_of(body: JSON) -> JSON:
    """The response's only error: its message and its extensions (code, field)."""
    [error] = body["errors"]
    return {"message": error["message"], **error.get("extensions", {})}


def user_error(code: str, message: str, field: str | None = None) -> JSON:
    return {"code": code, "message": message, "field": field}


def booking(**changes: Any) -> JSON:
    """Variables for bookRoom: RM000 from 10:00 to 11:00 today in Johannesburg, changed."""
    request: JSON = {
        "roomId": "RM000",
        "start": "2026-11-23T10:00:00+02:00",
        "end": "2026-11-23T11:00:00+02:00",
    }
    request.update(changes)
    return {"input": request}


def room_under(parent: Callable[[World], int], **changes: Any) -> Callable[[World], JSON]:
    def variables(world: World) -> JSON:
        room: JSON = {"floorId": str(parent(world)), "code": "RM900", "name": "New room"}
        room.update(changes)
        return {"input": room}

    return variables


def cursor(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode()


def addresses(count: int) -> list[str]:
    return [f"guest{n}@example.com" for n in range(count)]


# --- requests GraphQL validation refuses ---------------------------------------------------


@pytest.mark.parametrize(
    ("query", "variables", "message"),
    [
        pytest.param(
            USERS_PAGE,
            {"first": "x"},
            "Variable '$first' has invalid value: Int cannot represent non-integer value: 'x'",
            id="first-as-string",
        ),
        pytest.param(
            "{ users(first: 2147483648) { totalCount } }",
            None,
            "Int cannot represent non 32-bit signed integer value: 2147483648",
            id="first-beyond-32-bits",
        ),
        pytest.param(
            BOOK,
            booking(start=123),
            "Variable '$input' has invalid value at .start: "
            'Value cannot represent a DateTime: "123". Expected a string.',
            id="start-as-number",
        ),
        pytest.param(
            BOOK,
            booking(start="2026-13-45T99:00"),
            "Variable '$input' has invalid value at .start: "
            'Value cannot represent a DateTime: "2026-13-45T99:00". month must be in 1..12',
            id="malformed-datetime",
        ),
        pytest.param(
            BOOK,
            booking(end="2026-11-23T11:00:00+25:00"),
            "Variable '$input' has invalid value at .end: Value cannot represent a DateTime: "
            '"2026-11-23T11:00:00+25:00". Invalid hours in time zone offset',
            id="offset-out-of-range",
        ),
        pytest.param(
            BOOK,
            {"input": {"roomId": "RM000", "start": "2026-11-23T10:00:00+02:00"}},
            "Variable '$input' has invalid value: Expected value of type 'BookRoomInput' to "
            "include required field 'end', found: {'roomId': 'RM000', "
            "'start': '2026-11-23T10:00:00+02:00'}.",
            id="missing-input-field",
        ),
        pytest.param(
            '{ availableSlots(roomId: "RM000", date: "2026-02-30") { start } }',
            None,
            'Value cannot represent a Date: "2026-02-30". day is out of range for month',
            id="impossible-date",
        ),
        pytest.param(
            "{ me { email nope } }",
            None,
            "Cannot query field 'nope' on type 'User'. Did you mean 'name' or 'role'?",
            id="unknown-field",
        ),
        pytest.param(
            '{ users(orderBy: "email") { totalCount } }',
            None,
            "Unknown argument 'orderBy' on field 'Query.users'.",
            id="unknown-argument",
        ),
        pytest.param(
            USERS_PAGE.replace("= 20", ""),
            None,
            "Variable '$first' has invalid value: Expected a value of non-null type 'Int!' to be "
            "provided.",
            id="missing-variable",
        ),
        pytest.param(
            "{ me { email }",
            None,
            "Syntax Error: Expected Name, found <EOF>.",
            id="syntax-error",
        ),
    ],
)
async def test_malformed_operations_get_a_precise_validation_error(
    client: GraphQLClient,
    tokens: dict[str, str],
    query: str,
    variables: JSON | None,
    message: str,
) -> None:
    body = await client.run(query, variables, token=tokens["admin"])

    assert body["data"] is None
    assert error_of(body) == {"message": message}


async def test_a_numeric_room_id_is_a_valid_id_that_names_no_room(
    client: GraphQLClient, tokens: dict[str, str]
) -> None:
    data = await client.data(BOOK, booking(roomId=0), token=tokens["alice"])

    assert data["bookRoom"] == {
        "booking": None,
        "errors": [user_error("NOT_FOUND", "no room with id '0'", "roomId")],
    }


# --- mutations: typed errors in the payload ------------------------------------------------


@dataclass(frozen=True)
class Refusal:
    caller: str
    query: str
    variables: Callable[[World], JSON]
    error: JSON


def fixed(variables: JSON) -> Callable[[World], JSON]:
    return lambda _world: variables


def as_alice(variables: JSON, code: str, message: str, field: str | None) -> Refusal:
    return Refusal("alice", BOOK, fixed(variables), user_error(code, message, field))


def bad_zone(zone: str) -> Refusal:
    return Refusal(
        "admin",
        ADD_LOCATION,
        fixed({"input": {"kind": "SITE", "name": "Mars base", "timeZone": zone}}),
        user_error("INVALID_INPUT", f"unknown time zone {zone!r}; use an IANA name", "timeZone"),
    )


REFUSALS = {
    "naive-start": as_alice(
        booking(start="2026-11-23T10:00:00"),
        "INVALID_INPUT",
        "start must carry a time zone offset",
        "start",
    ),
    "naive-end": as_alice(
        booking(end="2026-11-23T11:00"), "INVALID_INPUT", "end must carry a time zone offset", "end"
    ),
    "end-before-start": as_alice(
        booking(end="2026-11-23T09:00:00+02:00"),
        "INVALID_INPUT",
        "start must be before end",
        "end",
    ),
    "empty-interval": as_alice(
        booking(end="2026-11-23T10:00:00+02:00"),
        "INVALID_INPUT",
        "start must be before end",
        "end",
    ),
    "unknown-room": as_alice(
        booking(roomId="RM999"), "NOT_FOUND", "no room with id 'RM999'", "roomId"
    ),
    "invalid-attendee": as_alice(
        booking(attendees=["not-an-email"]),
        "INVALID_INPUT",
        "'not-an-email' is not a valid e-mail address",
        "attendees[0]",
    ),
    "invalid-second-attendee": as_alice(
        booking(attendees=["carol@example.com", "carol@"]),
        "INVALID_INPUT",
        "'carol@' is not a valid e-mail address",
        "attendees[1]",
    ),
    "too-many-attendees": as_alice(
        booking(attendees=addresses(500)),
        "INVALID_INPUT",
        "a booking can have at most 500 attendees",
        "attendees",
    ),
    "most-attendees-then-room-size": as_alice(
        booking(attendees=addresses(499)),
        "OCCUPANCY_OUT_OF_RANGE",
        "this room takes at least 1 and at most 10 people; the booking has 500",
        "attendees",
    ),
    "title-too-long": as_alice(
        booking(title="x" * 201), "INVALID_INPUT", "title must be at most 200 characters", "title"
    ),
    "cancel-unknown-booking": Refusal(
        "alice",
        CANCEL,
        fixed({"id": UNKNOWN_BOOKING}),
        user_error("NOT_FOUND", f"no booking with id {UNKNOWN_BOOKING!r}", "bookingId"),
    ),
    "check-in-unknown-booking": Refusal(
        "alice",
        CHECK_IN,
        fixed({"id": UNKNOWN_BOOKING}),
        user_error("NOT_FOUND", f"no booking with id {UNKNOWN_BOOKING!r}", "bookingId"),
    ),
    "unknown-zone": bad_zone("Mars/Olympus_Mons"),
    "zone-directory": bad_zone("Europe"),
    "zone-path": bad_zone("../../etc/passwd"),
    "empty-zone": bad_zone(""),
    "room-under-site": Refusal(
        "admin",
        ADD_ROOM,
        room_under(lambda w: w.site_id),
        user_error("INVALID_INPUT", "a room must sit under a floor", "floorId"),
    ),
    "room-under-unknown-floor": Refusal(
        "admin",
        ADD_ROOM,
        room_under(lambda w: 4242),
        user_error("NOT_FOUND", "no location with id '4242'", "floorId"),
    ),
    "room-under-non-numeric-id": Refusal(
        "admin",
        ADD_ROOM,
        fixed({"input": {"floorId": "ground", "code": "RM900", "name": "New room"}}),
        user_error("INVALID_INPUT", "'ground' is not a valid id", "floorId"),
    ),
    "room-under-huge-id": Refusal(
        "admin",
        ADD_ROOM,
        fixed({"input": {"floorId": HUGE_ID, "code": "RM900", "name": "New room"}}),
        user_error("INVALID_INPUT", f"{HUGE_ID!r} is not a valid id", "floorId"),
    ),
    "max-below-min": Refusal(
        "admin",
        ADD_ROOM,
        room_under(lambda w: w.floor_id, minOccupancy=4, maxOccupancy=2),
        user_error(
            "INVALID_INPUT", "maximum occupancy must be at least the minimum", "maxOccupancy"
        ),
    ),
    "bad-room-code": Refusal(
        "admin",
        ADD_ROOM,
        room_under(lambda w: w.floor_id, code="Room 9"),
        user_error(
            "INVALID_INPUT",
            "room code 'Room 9' must look like RM followed by letters or digits",
            "code",
        ),
    ),
    "taken-room-code": Refusal(
        "admin",
        ADD_ROOM,
        room_under(lambda w: w.floor_id, code="RM000"),
        user_error("INVALID_INPUT", "room code 'RM000' is already taken", "code"),
    ),
}


@pytest.mark.parametrize("case", list(REFUSALS.values()), ids=list(REFUSALS))
async def test_mutations_refuse_bad_input_in_their_payload(
    client: GraphQLClient, world: World, tokens: dict[str, str], case: Refusal
) -> None:
    data = await client.data(case.query, case.variables(world), token=tokens[case.caller])

    [payload] = data.values()
    assert payload["errors"] == [case.error]
    assert all(value is None for key, value in payload.items() if key != "errors")


# --- queries: coded errors at the top level ------------------------------------------------


def invalid_input(message: str, field: str) -> JSON:
    return {"message": message, "code": "INVALID_INPUT", "field": field}


NOT_A_CURSOR = "{!r} is not a cursor this API issued"
PAGE_SIZE = invalid_input("first must be between 0 and 100", "first")


@pytest.mark.parametrize(
    ("query", "variables", "error"),
    [
        pytest.param(USERS_PAGE, {"first": 101}, PAGE_SIZE, id="users-first-over-100"),
        pytest.param(USERS_PAGE, {"first": -1}, PAGE_SIZE, id="users-first-negative"),
        pytest.param("{ rooms(first: 1000) { totalCount } }", None, PAGE_SIZE, id="rooms-first"),
        pytest.param(
            "{ myBookings(first: -5) { totalCount } }", None, PAGE_SIZE, id="bookings-first"
        ),
        pytest.param(
            USERS_PAGE,
            {"after": "!!not-base64!!"},
            invalid_input(NOT_A_CURSOR.format("!!not-base64!!"), "after"),
            id="cursor-not-base64",
        ),
        pytest.param(
            USERS_PAGE,
            {"after": cursor("page:3")},
            invalid_input(NOT_A_CURSOR.format(cursor("page:3")), "after"),
            id="cursor-wrong-prefix",
        ),
        pytest.param(
            USERS_PAGE,
            {"after": cursor("offset:three")},
            invalid_input(NOT_A_CURSOR.format(cursor("offset:three")), "after"),
            id="cursor-not-a-number",
        ),
        pytest.param(
            USERS_PAGE,
            {"after": cursor("offset:-5")},
            invalid_input(NOT_A_CURSOR.format(cursor("offset:-5")), "after"),
            id="cursor-negative",
        ),
        pytest.param(
            USERS_PAGE,
            {"after": cursor(f"offset:{HUGE_ID}")},
            invalid_input(NOT_A_CURSOR.format(cursor(f"offset:{HUGE_ID}")), "after"),
            id="cursor-beyond-64-bits",
        ),
        pytest.param(
            USERS_PAGE,
            {"after": encode_cursor("rooms", ["RM000"])},
            invalid_input(NOT_A_CURSOR.format(encode_cursor("rooms", ["RM000"])), "after"),
            id="cursor-of-another-list",
        ),
        pytest.param(
            USERS_PAGE,
            {"after": encode_cursor("users", [7])},
            invalid_input(NOT_A_CURSOR.format(encode_cursor("users", [7])), "after"),
            id="cursor-key-of-the-wrong-type",
        ),
        pytest.param(
            USERS_PAGE,
            {"after": encode_cursor("users", ["a@example.com", "b@example.com"])},
            invalid_input(
                NOT_A_CURSOR.format(encode_cursor("users", ["a@example.com", "b@example.com"])),
                "after",
            ),
            id="cursor-key-of-the-wrong-length",
        ),
        pytest.param(
            BOOKINGS_PAGE,
            {"after": encode_cursor("bookings", ["yesterday", 1])},
            invalid_input(
                NOT_A_CURSOR.format(encode_cursor("bookings", ["yesterday", 1])), "after"
            ),
            id="cursor-instant-not-an-instant",
        ),
        pytest.param(
            BOOKINGS_PAGE,
            {"after": encode_cursor("bookings", ["2026-11-23T10:00:00", 1])},
            invalid_input(
                NOT_A_CURSOR.format(encode_cursor("bookings", ["2026-11-23T10:00:00", 1])),
                "after",
            ),
            id="cursor-instant-without-offset",
        ),
        pytest.param(
            BOOKINGS_PAGE,
            {"after": encode_cursor("bookings", ["9999-12-31T23:00:00-05:00", 1])},
            invalid_input(
                NOT_A_CURSOR.format(encode_cursor("bookings", ["9999-12-31T23:00:00-05:00", 1])),
                "after",
            ),
            id="cursor-instant-after-the-last-utc-instant",
        ),
        pytest.param(
            BOOKINGS_PAGE,
            {"after": encode_cursor("bookings", ["0001-01-01T01:00:00+05:00", 1])},
            invalid_input(
                NOT_A_CURSOR.format(encode_cursor("bookings", ["0001-01-01T01:00:00+05:00", 1])),
                "after",
            ),
            id="cursor-instant-before-the-first-utc-instant",
        ),
        pytest.param(
            '{ location(id: "ground") { id } }',
            None,
            invalid_input("'ground' is not a valid id", "id"),
            id="location-id-not-a-number",
        ),
        pytest.param(
            f'{{ location(id: "{HUGE_ID}") {{ id }} }}',
            None,
            invalid_input(f"{HUGE_ID!r} is not a valid id", "id"),
            id="location-id-beyond-64-bits",
        ),
        pytest.param(
            '{ rooms(filter: {locationId: "ground"}) { totalCount } }',
            None,
            invalid_input("'ground' is not a valid id", "locationId"),
            id="rooms-under-bad-id",
        ),
        pytest.param(
            '{ room(id: "RM999") { id } }',
            None,
            {"message": "no room with id 'RM999'", "code": "NOT_FOUND"},
            id="unknown-room",
        ),
        pytest.param(
            "{ bookings(filter: {statuses: []}) { totalCount } }",
            None,
            invalid_input("statuses cannot be empty", "statuses"),
            id="no-statuses",
        ),
        pytest.param(
            '{ bookings(filter: {endsAfter: "2026-11-23T09:00"}) { totalCount } }',
            None,
            invalid_input("endsAfter must carry a time zone offset", "endsAfter"),
            id="naive-ends-after",
        ),
        pytest.param(
            '{ bookings(filter: {startsBefore: "2026-11-23T09:00"}) { totalCount } }',
            None,
            invalid_input("startsBefore must carry a time zone offset", "startsBefore"),
            id="naive-starts-before",
        ),
    ],
)
async def test_queries_refuse_bad_arguments_with_a_coded_error(
    client: GraphQLClient, tokens: dict[str, str], query: str, variables: JSON | None, error: JSON
) -> None:
    body = await client.run(query, variables, token=tokens["admin"])

    assert body["data"] is None
    assert error_of(body) == error


# --- requests that cannot be parsed --------------------------------------------------------


@pytest.fixture
async def raw_http(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    """A client that sees a crash as the 500 a real server would send, not as an exception."""
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


UNPARSABLE = "Unable to parse request body as JSON"


@pytest.mark.parametrize(
    ("content", "content_type", "message"),
    [
        pytest.param(b"{not json", "application/json", UNPARSABLE, id="invalid-json"),
        pytest.param(b"", "application/json", UNPARSABLE, id="empty-body"),
        pytest.param(b"\xff\xfe", "application/json", UNPARSABLE, id="not-utf8"),
        pytest.param(b"{}", "application/json", "No GraphQL query found in the request", id="{}"),
        pytest.param(
            b"[]", "application/json", "The request body must be a JSON object", id="batch"
        ),
        pytest.param(
            b'{"query": 1}',
            "application/json",
            "The GraphQL operation's `query` must be a string or null, if provided.",
            id="query-not-a-string",
        ),
        pytest.param(
            b'{"query": "{ ping }", "variables": [1]}',
            "application/json",
            "The GraphQL operation's `variables` must be an object or null, if provided.",
            id="variables-not-an-object",
        ),
        pytest.param(
            b'{"query": "{ ping }"}', "text/plain", "Unsupported content type", id="text-plain"
        ),
        pytest.param(b'"{ ping }"', "application/json", None, id="json-string"),
        pytest.param(b"null", "application/json", None, id="json-null"),
        pytest.param(b"42", "application/json", None, id="json-number"),
    ],
)
async def test_unparsable_requests_get_a_400(
    raw_http: httpx.AsyncClient, content: bytes, content_type: str, message: str | None
) -> None:
    response = await raw_http.post(
        "/graphql", content=content, headers={"content-type": content_type}
    )

    assert response.status_code == 400, response.text
    if message is not None:
        assert response.text == message


async def test_a_get_request_runs_queries_but_never_mutations(
    client: GraphQLClient, tokens: dict[str, str]
) -> None:
    admin = {"Authorization": f"Bearer {tokens['admin']}"}
    count = {"query": '{ users(filter: {search: "mallory"}) { totalCount } }'}
    create = (
        'mutation { createUser(input: {email: "mallory@example.com", name: "Mallory", '
        'password: "Mall0ry-Pass!", role: ADMIN}) { user { email } errors { code } } }'
    )

    refused = await client.http.get("/graphql", params={"query": create}, headers=admin)
    counted = await client.http.get("/graphql", params=count, headers=admin)

    assert refused.status_code == 405  # GraphQL over HTTP: Method Not Allowed
    assert refused.text == "mutations are not allowed when using GET"
    assert counted.status_code == 200
    assert counted.json() == {"data": {"users": {"totalCount": 0}}}


# --- unexpected failures are masked --------------------------------------------------------


async def _explode(*_args: object, **_kwargs: object) -> Any:
    raise RuntimeError("database password is hunter2")


@pytest.mark.parametrize(
    ("service", "method", "query", "caller"),
    [
        pytest.param("accounts", "me", "{ me { email } }", "alice", id="query"),
        pytest.param(
            "bookings",
            "cancel",
            'mutation { cancelBooking(input: {bookingId: "BOOK1"}) { errors { code } } }',
            "alice",
            id="mutation",
        ),
        pytest.param(
            "accounts",
            "login",
            'mutation { login(input: {email: "a@example.com", password: "x"}) { token } }',
            None,
            id="anonymous-mutation",
        ),
    ],
)
async def test_an_unexpected_error_is_masked_and_logged(
    client: GraphQLClient,
    gateway: Gateway,
    tokens: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    service: str,
    method: str,
    query: str,
    caller: str | None,
) -> None:
    monkeypatch.setattr(getattr(gateway.app, service), method, _explode)

    with caplog.at_level(logging.ERROR, logger="occupi.graphql"):
        response = await client.post(query, token=tokens[caller] if caller else None)

    assert response.status_code == 200
    assert "hunter2" not in response.text
    body = response.json()
    assert body["data"] is None
    assert error_of(body) == {"message": INTERNAL_MESSAGE, "code": "INTERNAL"}
    [record] = [r for r in caplog.records if r.name == "occupi.graphql"]
    assert record.exc_info is not None
    assert isinstance(record.exc_info[1], RuntimeError)
