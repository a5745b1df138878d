"""Booking, cancelling and checking in through GraphQL, on the real app and database."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest

from gateway.app import Gateway
from gateway.schema.context import FreshLoaders
from gateway.schema.mutations import Mutation
from gateway.schema.queries import Query
from gateway.services.directory import NewRoom
from gateway.services.records import MailKind, OutgoingMail
from tests.support.bookings import (
    BOOK_ROOM,
    BOOKING_FIELDS,
    TODAY,
    TOMORROW,
    book,
    booked,
    cancel,
    check_in,
    codes,
    instant,
    local,
    utc_iso,
)
from tests.support.clock import MutableClock
from tests.support.graphql import JSON, GraphQLClient, error_codes
from tests.support.mail import RecordingSender
from tests.support.world import World, booking_gid, room_gid

ALICE = "alice@example.com"
BOB = "bob@example.com"
CAROL = "carol@example.com"
GUEST = "guest@elsewhere.org"

BOOKING = "query Booking($id: ID!) { booking(id: $id) { ...BookingFields } }" + BOOKING_FIELDS

CONNECTION = """
totalCount
pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
edges { cursor node { id } }
"""


def list_query(field: str) -> str:
    return (
        "query List($filter: BookingFilter, $first: Int! = 20, $after: String) {"
        f" {field}(filter: $filter, first: $first, after: $after) {{ {CONNECTION} }} }}"
    )


def node_ids(connection: JSON) -> list[str]:
    return [edge["node"]["id"] for edge in connection["edges"]]


async def fetch(client: GraphQLClient, token: str, booking_id: str) -> JSON:
    data = await client.data(BOOKING, {"id": booking_id}, token=token)
    found: JSON = data["booking"]
    return found


async def listed(
    client: GraphQLClient, token: str, field: str = "myBookings", **variables: object
) -> JSON:
    data = await client.data(list_query(field), dict(variables), token=token)
    connection: JSON = data[field]
    return connection


def attendee(
    email: str, name: str | None, checked_in_at: str | None = None, *, own: bool = False
) -> JSON:
    """An attendee as a non-admin viewer sees it: the account's address only when `own`."""
    user = None if name is None else {"email": email if own else None, "name": name}
    return {"email": email, "checkedInAt": checked_in_at, "user": user}


# --- bookRoom ------------------------------------------------------------------------------


async def test_book_room_returns_the_new_booking(
    client: GraphQLClient, world: World, tokens: dict[str, str], clock: MutableClock
) -> None:
    payload = await book(
        client,
        tokens["alice"],
        start=local("10:00"),
        end=local("12:00"),
        attendees=[
            "Bob@Example.com",
            " carol@example.com ",
            "bob@example.com",
            GUEST.upper(),
            ALICE,
        ],
        title="  Planning  ",
    )

    assert payload["errors"] == []
    booking = payload["booking"]
    assert re.fullmatch(r"BOOKOCCUPI2026[0-9A-Z]{8}", booking["code"])
    assert booking == {
        "id": booking_gid(booking["code"]),
        "code": booking["code"],
        "title": "Planning",
        "start": utc_iso(local("10:00")),
        "end": utc_iso(local("12:00")),
        "status": "ACTIVE",
        "source": "ADHOC",
        "createdAt": utc_iso(clock.now()),
        "cancelledAt": None,
        "checkedIn": False,
        "room": {"id": room_gid("RM000"), "code": "RM000"},
        "createdBy": {"email": ALICE},
        "attendees": [
            attendee(ALICE, "Alice", own=True),
            attendee(BOB, "Bob"),
            attendee(CAROL, "Carol"),
            attendee(GUEST, None),
        ],
    }
    assert (booking["start"], booking["end"]) == (  # sent as 10:00-12:00 +02:00
        "2026-11-24T08:00:00+00:00",
        "2026-11-24T10:00:00+00:00",
    )
    assert await fetch(client, tokens["alice"], booking["id"]) == booking
    assert await fetch(client, tokens["alice"], booking["code"]) == booking


async def test_booking_ids_are_unique(
    client: GraphQLClient, world: World, tokens: dict[str, str]
) -> None:
    first = await book(client, tokens["alice"], start=local("09:00"), end=local("10:00"))
    second = await book(client, tokens["alice"], start=local("10:00"), end=local("11:00"))
    assert first["booking"]["code"] != second["booking"]["code"]
    assert first["booking"]["id"] != second["booking"]["id"]


@pytest.mark.parametrize(
    ("start", "end", "code", "field"),
    [
        pytest.param(local("07:00"), local("09:00"), "OUTSIDE_BOOKABLE_HOURS", "start", id="early"),
        pytest.param(local("16:00"), local("17:30"), "OUTSIDE_BOOKABLE_HOURS", "end", id="late"),
        pytest.param(
            # Inside 08:00-17:00 UTC, but 17:00-18:00 in Johannesburg.
            datetime(2026, 11, 24, 15, 0, tzinfo=UTC),
            datetime(2026, 11, 24, 16, 0, tzinfo=UTC),
            "OUTSIDE_BOOKABLE_HOURS",
            "start",
            id="utc-hours-are-not-site-hours",
        ),
        pytest.param(
            local("22:00"),
            local("01:00", TOMORROW + timedelta(days=1)),
            "INVALID_INPUT",
            "end",
            id="crosses-local-midnight",
        ),
        pytest.param(
            # One UTC day, but 23:00 to 01:00 in Johannesburg.
            datetime(2026, 11, 24, 21, 0, tzinfo=UTC),
            datetime(2026, 11, 24, 23, 0, tzinfo=UTC),
            "INVALID_INPUT",
            "end",
            id="crosses-local-midnight-only",
        ),
        pytest.param(
            local("22:00"),
            local("00:00", TOMORROW + timedelta(days=1)),
            "OUTSIDE_BOOKABLE_HOURS",
            "start",
            id="ends-at-local-midnight",
        ),
        pytest.param(local("11:00"), local("10:00"), "INVALID_INPUT", "end", id="ends-first"),
        pytest.param(local("10:00"), local("10:00"), "INVALID_INPUT", "end", id="empty"),
        pytest.param(
            local("10:00", TODAY - timedelta(days=1)),
            local("11:00", TODAY - timedelta(days=1)),
            "IN_THE_PAST",
            "start",
            id="yesterday",
        ),
    ],
)
async def test_book_room_rejects_bad_times(
    client: GraphQLClient,
    world: World,
    tokens: dict[str, str],
    start: datetime,
    end: datetime,
    code: str,
    field: str,
) -> None:
    payload = await book(client, tokens["alice"], start=start, end=end)
    assert payload["booking"] is None
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [(code, field)]
    assert (await listed(client, tokens["alice"]))["totalCount"] == 0


@pytest.mark.parametrize(
    ("offset", "expected"),
    [
        pytest.param(timedelta(0), [], id="starting-now"),
        pytest.param(-timedelta(seconds=1), ["IN_THE_PAST"], id="a-second-ago"),
    ],
)
async def test_a_booking_may_start_now_but_not_earlier(
    client: GraphQLClient,
    world: World,
    tokens: dict[str, str],
    clock: MutableClock,
    offset: timedelta,
    expected: list[str],
) -> None:
    clock.set(instant("10:00", TODAY))
    payload = await book(
        client, tokens["alice"], start=clock.now() + offset, end=local("11:00", TODAY)
    )
    assert codes(payload) == expected


@pytest.mark.parametrize(
    ("invitees", "expected"),
    [
        pytest.param([BOB], [], id="two"),
        pytest.param([BOB, CAROL], ["OCCUPANCY_OUT_OF_RANGE"], id="three"),
        pytest.param(["BOB@example.com", BOB, ALICE], [], id="duplicates-count-once"),
    ],
)
async def test_book_room_checks_the_maximum_occupancy(
    client: GraphQLClient,
    world: World,
    tokens: dict[str, str],
    invitees: list[str],
    expected: list[str],
) -> None:
    [small] = await world.add_rooms(1, max_occupancy=2)
    payload = await book(client, tokens["alice"], room=small, attendees=invitees)
    assert codes(payload) == expected
    if expected:
        assert payload["errors"][0]["field"] == "attendees"


async def test_book_room_checks_the_minimum_occupancy(
    client: GraphQLClient, world: World, tokens: dict[str, str]
) -> None:
    await world.gateway.app.directory.add_room(
        world.principal(world.admin),
        NewRoom(floor_id=world.floor_id, code="RMBIG", name="Big", min_occupancy=2),
    )
    alone = await book(client, tokens["alice"], room="RMBIG")
    together = await book(client, tokens["alice"], room="RMBIG", attendees=[BOB])
    assert codes(alone) == ["OCCUPANCY_OUT_OF_RANGE"]
    assert codes(together) == []


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        pytest.param({"roomId": "RM999"}, "NOT_FOUND", "roomId", id="unknown-room"),
        pytest.param(
            {"attendees": [BOB, "not-an-address"]}, "INVALID_INPUT", "attendees[1]", id="attendee"
        ),
        pytest.param({"title": "x" * 201}, "INVALID_INPUT", "title", id="long-title"),
        pytest.param({"start": "2026-11-24T10:00:00"}, "INVALID_INPUT", "start", id="naive-start"),
        pytest.param({"end": "2026-11-24T11:00:00"}, "INVALID_INPUT", "end", id="naive-end"),
    ],
)
async def test_book_room_rejects_bad_input(
    client: GraphQLClient,
    world: World,
    tokens: dict[str, str],
    changes: JSON,
    code: str,
    field: str,
) -> None:
    good = {
        "roomId": "RM000",
        "start": local("10:00").isoformat(),
        "end": local("11:00").isoformat(),
        "attendees": [BOB],
        "title": "x" * 200,
    }
    data = await client.data(BOOK_ROOM, {"input": good | changes}, token=tokens["alice"])
    payload = data["bookRoom"]
    assert payload["booking"] is None
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [(code, field)]
    assert codes(await book(client, tokens["alice"], title="x" * 200)) == []


@pytest.mark.parametrize(
    ("room", "start", "end", "expected"),
    [
        pytest.param("RM000", "10:00", "12:00", ["SLOT_TAKEN"], id="same"),
        pytest.param("RM000", "11:00", "13:00", ["SLOT_TAKEN"], id="overlaps-end"),
        pytest.param("RM000", "09:00", "10:30", ["SLOT_TAKEN"], id="overlaps-start"),
        pytest.param("RM000", "10:30", "11:00", ["SLOT_TAKEN"], id="inside"),
        pytest.param("RM000", "09:00", "13:00", ["SLOT_TAKEN"], id="around"),
        pytest.param("RM000", "12:00", "13:00", [], id="right-after"),
        pytest.param("RM000", "09:00", "10:00", [], id="right-before"),
        pytest.param("RM001", "10:00", "12:00", [], id="other-room"),
    ],
)
async def test_bookings_of_a_room_do_not_overlap(
    client: GraphQLClient,
    world: World,
    tokens: dict[str, str],
    room: str,
    start: str,
    end: str,
    expected: list[str],
) -> None:
    await booked(client, tokens["alice"], "10:00", "12:00")
    payload = await book(client, tokens["bob"], room=room, start=local(start), end=local(end))
    assert codes(payload) == expected


async def test_a_cancelled_booking_frees_its_slot(
    client: GraphQLClient, world: World, tokens: dict[str, str]
) -> None:
    first = await booked(client, tokens["alice"], "10:00", "12:00")
    assert codes(await cancel(client, tokens["alice"], first)) == []
    second = await booked(client, tokens["bob"], "10:00", "12:00")
    assert second != first


ROOM_DAY = "room { bookings(date: $day) { code } }"
TWO_BOOKINGS = f"""
mutation Two($day: Date!, $a: BookRoomInput!, $b: BookRoomInput!) {{
  a: bookRoom(input: $a) {{ booking {{ code {ROOM_DAY} }} errors {{ code }} }}
  b: bookRoom(input: $b) {{ booking {{ code {ROOM_DAY} }} errors {{ code }} }}
}}
"""
BOOK_THEN_CANCEL = f"""
mutation BookThenCancel($day: Date!, $a: BookRoomInput!, $cancelled: ID!) {{
  a: bookRoom(input: $a) {{ booking {{ code {ROOM_DAY} }} errors {{ code }} }}
  b: cancelBooking(input: {{bookingId: $cancelled}}) {{
    booking {{ code {ROOM_DAY} }} errors {{ code }}
  }}
}}
"""


def room_input(start: str, end: str) -> JSON:
    return {"roomId": "RM000", "start": local(start).isoformat(), "end": local(end).isoformat()}


def room_day(payload: JSON) -> list[str]:
    assert payload["errors"] == []
    return [b["code"] for b in payload["booking"]["room"]["bookings"]]


async def test_each_mutation_of_a_document_sees_the_bookings_made_before_it(
    client: GraphQLClient, world: World, tokens: dict[str, str]
) -> None:
    """Mutation fields run one after another; none reads what an earlier one cached."""
    data = await client.data(
        TWO_BOOKINGS,
        {
            "day": TOMORROW.isoformat(),
            "a": room_input("10:00", "11:00"),
            "b": room_input("11:00", "12:00"),
        },
        token=tokens["alice"],
    )

    a, b = data["a"]["booking"]["code"], data["b"]["booking"]["code"]
    assert room_day(data["a"]) == [a]
    assert room_day(data["b"]) == [a, b]


async def test_a_mutation_after_another_sees_a_cancellation_it_made(
    client: GraphQLClient, world: World, tokens: dict[str, str]
) -> None:
    early = await booked(client, tokens["alice"], "09:00", "10:00")
    early_code = (await fetch(client, tokens["alice"], early))["code"]

    data = await client.data(
        BOOK_THEN_CANCEL,
        {"day": TOMORROW.isoformat(), "a": room_input("10:00", "11:00"), "cancelled": early},
        token=tokens["alice"],
    )

    a = data["a"]["booking"]["code"]
    assert room_day(data["a"]) == [early_code, a]
    assert room_day(data["b"]) == [a]


def test_every_mutation_field_and_no_query_field_renews_the_loaders() -> None:
    """Only mutation fields change data, so only they pay for fresh loaders."""

    def renewing(root: type) -> dict[str, bool]:
        fields = root.__strawberry_definition__.fields  # type: ignore[attr-defined]
        return {f.name: any(isinstance(e, FreshLoaders) for e in f.extensions) for f in fields}

    assert all(renewing(Mutation).values())
    assert not any(renewing(Query).values())


@pytest.mark.parametrize("token", [None, "not-a-token"])
async def test_book_room_needs_a_valid_token(
    client: GraphQLClient, world: World, token: str | None
) -> None:
    payload = await book(client, token)
    assert payload["booking"] is None
    assert codes(payload) == ["UNAUTHENTICATED"]


# --- mail ----------------------------------------------------------------------------------


def summary(code: str, *attendees: str) -> str:
    """The booking's summary in its mails, which name it by its code (BOOKOCCUPI…)."""
    people = "".join(f"  - {a}\n" for a in attendees)
    return (
        f"Booking: {code}\nRoom: Room 0 (RM000)\n"
        "When: Tuesday 24 November 2026, 10:00 to 12:00 (Africa/Johannesburg)\n"
        f"Attendees:\n{people}"
    )


async def test_booking_mails_a_confirmation_and_invitations(
    client: GraphQLClient,
    world: World,
    tokens: dict[str, str],
    gateway: Gateway,
    mail: RecordingSender,
) -> None:
    payload = await book(
        client,
        tokens["alice"],
        start=local("10:00"),
        end=local("12:00"),
        attendees=[BOB, CAROL, GUEST],
    )
    code = payload["booking"]["code"]
    assert mail.sent == []  # queued in the outbox, sent by the relay

    assert await gateway.relay.drain() == 2
    everybody = (ALICE, BOB, CAROL, GUEST)
    assert mail.sent == [
        OutgoingMail(
            to=(ALICE,),
            subject="Booking confirmed: Room 0",
            body=f"Your booking is confirmed.\n\n{summary(code, *everybody)}",
            kind=MailKind.BOOKING_CONFIRMATION,
        ),
        OutgoingMail(
            to=(),
            bcc=(BOB, CAROL, GUEST),
            subject="You're invited: Room 0",
            body=f"{ALICE} invited you to a booking.\n\n{summary(code, *everybody)}",
            kind=MailKind.INVITATION,
        ),
    ]


async def test_booking_alone_mails_only_a_confirmation(
    client: GraphQLClient,
    world: World,
    tokens: dict[str, str],
    gateway: Gateway,
    mail: RecordingSender,
) -> None:
    await booked(client, tokens["alice"], "10:00", "12:00")
    await gateway.relay.drain()
    assert [(m.subject, m.to, m.bcc) for m in mail.sent] == [
        ("Booking confirmed: Room 0", (ALICE,), ())
    ]


async def test_a_refused_booking_mails_nobody(
    client: GraphQLClient,
    world: World,
    tokens: dict[str, str],
    gateway: Gateway,
    mail: RecordingSender,
) -> None:
    payload = await book(client, tokens["alice"], start=local("07:00"), attendees=[BOB])
    assert codes(payload) == ["OUTSIDE_BOOKABLE_HOURS"]
    assert await gateway.relay.drain() == 0
    assert mail.sent == []


async def test_cancelling_mails_every_attendee(
    client: GraphQLClient,
    world: World,
    tokens: dict[str, str],
    gateway: Gateway,
    mail: RecordingSender,
) -> None:
    payload = await book(
        client, tokens["alice"], start=local("10:00"), end=local("12:00"), attendees=[BOB, GUEST]
    )
    booking = payload["booking"]
    cancelled = summary(booking["code"], ALICE, BOB, GUEST)
    await gateway.relay.drain()
    mail.sent.clear()

    assert codes(await cancel(client, tokens["admin"], booking["id"])) == []
    assert await gateway.relay.drain() == 1
    assert mail.sent == [
        OutgoingMail(
            to=(),
            bcc=(ALICE, BOB, GUEST),
            subject="Booking cancelled: Room 0",
            body=f"This booking has been cancelled.\n\n{cancelled}",
            kind=MailKind.CANCELLATION,
        )
    ]


# --- cancelBooking -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        pytest.param("alice", [], id="creator"),
        pytest.param("admin", [], id="admin"),
        pytest.param("bob", ["FORBIDDEN"], id="invited"),
        pytest.param("carol", ["NOT_FOUND"], id="stranger"),
    ],
)
async def test_who_may_cancel(
    client: GraphQLClient,
    world: World,
    tokens: dict[str, str],
    clock: MutableClock,
    who: str,
    expected: list[str],
) -> None:
    booking_id = await booked(client, tokens["alice"], "10:00", "12:00", attendees=[BOB])
    clock.advance(timedelta(minutes=5))

    payload = await cancel(client, tokens[who], booking_id)

    assert codes(payload) == expected
    status = "ACTIVE" if expected else "CANCELLED"
    assert (await fetch(client, tokens["alice"], booking_id))["status"] == status
    if not expected:
        assert payload["booking"]["id"] == booking_id
        assert payload["booking"]["status"] == "CANCELLED"
        assert payload["booking"]["cancelledAt"] == utc_iso(clock.now())
    else:
        assert payload["booking"] is None


async def test_cancelling_twice_is_refused(
    client: GraphQLClient, world: World, tokens: dict[str, str]
) -> None:
    booking_id = await booked(client, tokens["alice"], "10:00", "12:00")
    assert codes(await cancel(client, tokens["alice"], booking_id)) == []
    assert codes(await cancel(client, tokens["alice"], booking_id)) == ["BOOKING_NOT_ACTIVE"]


@pytest.mark.parametrize(
    ("after_start", "expected"),
    [
        pytest.param(timedelta(hours=2) - timedelta(seconds=1), [], id="still-running"),
        pytest.param(timedelta(hours=2), ["BOOKING_ENDED"], id="just-ended"),
        pytest.param(timedelta(hours=7), ["BOOKING_ENDED"], id="long-over"),
    ],
)
async def test_an_ended_booking_cannot_be_cancelled(
    client: GraphQLClient,
    world: World,
    tokens: dict[str, str],
    clock: MutableClock,
    after_start: timedelta,
    expected: list[str],
) -> None:
    booking_id = await booked(client, tokens["alice"], "10:00", "12:00", day=TODAY)
    clock.set(instant("10:00", TODAY) + after_start)
    assert codes(await cancel(client, tokens["alice"], booking_id)) == expected


async def test_cancelling_an_unknown_booking(
    client: GraphQLClient, world: World, tokens: dict[str, str]
) -> None:
    for ref in ("BOOKOCCUPI2026NOTHERE", booking_gid("BOOKOCCUPI2026NOTHERE")):
        payload = await cancel(client, tokens["admin"], ref)
        assert payload["errors"] == [
            {
                "code": "NOT_FOUND",
                "message": "no booking with id 'BOOKOCCUPI2026NOTHERE'",
                "field": "bookingId",
            }
        ]


# --- checkIn -------------------------------------------------------------------------------

WINDOW = timedelta(minutes=15)
SECOND = timedelta(seconds=1)


@pytest.mark.parametrize("who", ["alice", "bob"])
@pytest.mark.parametrize(
    ("offset", "expected"),
    [
        pytest.param(-WINDOW, [], id="opens"),
        pytest.param(timedelta(0), [], id="at-start"),
        pytest.param(WINDOW, [], id="closes"),
        pytest.param(-WINDOW - SECOND, ["CHECK_IN_CLOSED"], id="too-early"),
        pytest.param(WINDOW + SECOND, ["CHECK_IN_CLOSED"], id="too-late"),
    ],
)
async def test_check_in_window(
    client: GraphQLClient,
    world: World,
    tokens: dict[str, str],
    clock: MutableClock,
    who: str,
    offset: timedelta,
    expected: list[str],
) -> None:
    booking_id = await booked(client, tokens["alice"], "10:00", "12:00", day=TODAY, attendees=[BOB])
    clock.set(instant("10:00", TODAY) + offset)

    payload = await check_in(client, tokens[who], booking_id)

    assert codes(payload) == expected
    stored = await fetch(client, tokens["alice"], booking_id)
    if expected:
        assert payload["booking"] is None
        assert stored["checkedIn"] is False
        return
    now = utc_iso(clock.now())
    checked = {ALICE: now if who == "alice" else None, BOB: now if who == "bob" else None}
    for booking in (payload["booking"], stored):
        assert booking["checkedIn"] is True
        assert {a["email"]: a["checkedInAt"] for a in booking["attendees"]} == checked


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        pytest.param("carol", "NOT_FOUND", id="stranger-cannot-even-see-it"),
        pytest.param("admin", "FORBIDDEN", id="admin-not-invited"),
    ],
)
async def test_only_people_in_the_booking_check_in(
    client: GraphQLClient,
    world: World,
    tokens: dict[str, str],
    clock: MutableClock,
    who: str,
    expected: str,
) -> None:
    booking_id = await booked(client, tokens["alice"], "10:00", "12:00", day=TODAY, attendees=[BOB])
    clock.set(instant("10:00", TODAY))
    assert codes(await check_in(client, tokens[who], booking_id)) == [expected]
    assert (await fetch(client, tokens["alice"], booking_id))["checkedIn"] is False


async def test_checking_in_twice_keeps_the_first_time(
    client: GraphQLClient, world: World, tokens: dict[str, str], clock: MutableClock
) -> None:
    booking_id = await booked(client, tokens["alice"], "10:00", "12:00", day=TODAY, attendees=[BOB])
    clock.set(instant("09:50", TODAY))
    assert codes(await check_in(client, tokens["bob"], booking_id)) == []
    clock.advance(timedelta(minutes=10))

    again = await check_in(client, tokens["bob"], booking_id)

    assert codes(again) == []
    first = utc_iso(local("09:50", TODAY))
    assert [a["checkedInAt"] for a in again["booking"]["attendees"]] == [None, first]
    stored = await fetch(client, tokens["bob"], booking_id)
    assert [a["checkedInAt"] for a in stored["attendees"]] == [None, first]


async def test_a_cancelled_booking_cannot_be_checked_into(
    client: GraphQLClient, world: World, tokens: dict[str, str], clock: MutableClock
) -> None:
    booking_id = await booked(client, tokens["alice"], "10:00", "12:00", day=TODAY)
    await cancel(client, tokens["alice"], booking_id)
    clock.set(instant("10:00", TODAY))
    assert codes(await check_in(client, tokens["alice"], booking_id)) == ["BOOKING_NOT_ACTIVE"]


# --- booking, myBookings and bookings ------------------------------------------------------


async def some_bookings(client: GraphQLClient, tokens: dict[str, str]) -> dict[str, str]:
    """Alice's own, Bob's inviting Alice, and Carol's alone; in start order."""
    return {
        "alice": await booked(client, tokens["alice"], "09:00", "10:00"),
        "bob": await booked(
            client, tokens["bob"], "10:00", "11:00", room="RM001", attendees=[ALICE]
        ),
        "carol": await booked(client, tokens["carol"], "13:00", "14:00"),
    }


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        pytest.param("alice", ["alice", "bob"], id="alice"),
        pytest.param("bob", ["bob"], id="bob"),
        pytest.param("carol", ["carol"], id="carol"),
        pytest.param("admin", [], id="admin-has-none"),
    ],
)
async def test_my_bookings_are_those_i_made_or_am_invited_to(
    client: GraphQLClient, world: World, tokens: dict[str, str], who: str, expected: list[str]
) -> None:
    made = await some_bookings(client, tokens)
    connection = await listed(client, tokens[who])
    assert node_ids(connection) == [made[k] for k in expected]
    assert connection["totalCount"] == len(expected)


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        pytest.param("admin", ["alice", "bob", "carol"], id="admin-sees-all"),
        pytest.param("alice", ["alice", "bob"], id="alice-sees-hers"),
        pytest.param("carol", ["carol"], id="carol-sees-hers"),
    ],
)
async def test_bookings_lists_all_for_admins_only(
    client: GraphQLClient, world: World, tokens: dict[str, str], who: str, expected: list[str]
) -> None:
    made = await some_bookings(client, tokens)
    connection = await listed(client, tokens[who], "bookings")
    assert node_ids(connection) == [made[k] for k in expected]
    assert connection["totalCount"] == len(expected)


@pytest.mark.parametrize(
    ("booking_filter", "expected"),
    [
        pytest.param({"roomId": "RM001"}, ["bob"], id="room"),
        pytest.param({"roomId": room_gid("RM001")}, ["bob"], id="room-by-global-id"),
        pytest.param({"roomId": "RM000"}, ["alice"], id="other-room"),
        # Alice's booking ends at 10:00 exactly: it does not end after 10:00.
        pytest.param({"endsAfter": utc_iso(local("10:00"))}, ["bob"], id="ends-after"),
        pytest.param({"endsAfter": utc_iso(local("09:59"))}, ["alice", "bob"], id="ends-after-2"),
        # Bob's booking starts at 10:00 exactly: it does not start before 10:00.
        pytest.param({"startsBefore": utc_iso(local("10:00"))}, ["alice"], id="starts-before"),
        pytest.param(
            {"endsAfter": utc_iso(local("10:00")), "startsBefore": utc_iso(local("10:01"))},
            ["bob"],
            id="window",
        ),
        pytest.param(
            {"endsAfter": utc_iso(local("11:00")), "startsBefore": utc_iso(local("17:00"))},
            [],
            id="empty-window",
        ),
    ],
)
async def test_my_bookings_filters(
    client: GraphQLClient,
    world: World,
    tokens: dict[str, str],
    booking_filter: JSON,
    expected: list[str],
) -> None:
    made = await some_bookings(client, tokens)
    connection = await listed(client, tokens["alice"], filter=booking_filter)
    assert node_ids(connection) == [made[k] for k in expected]


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        pytest.param(None, ["bob"], id="default-active"),
        pytest.param(["ACTIVE"], ["bob"], id="active"),
        pytest.param(["CANCELLED"], ["alice"], id="cancelled"),
        pytest.param(["ACTIVE", "CANCELLED"], ["alice", "bob"], id="both"),
    ],
)
async def test_my_bookings_by_status(
    client: GraphQLClient,
    world: World,
    tokens: dict[str, str],
    statuses: list[str] | None,
    expected: list[str],
) -> None:
    made = await some_bookings(client, tokens)
    assert codes(await cancel(client, tokens["alice"], made["alice"])) == []
    booking_filter = {} if statuses is None else {"statuses": statuses}
    connection = await listed(client, tokens["alice"], filter=booking_filter)
    assert node_ids(connection) == [made[k] for k in expected]


async def test_my_bookings_pages(
    client: GraphQLClient, world: World, tokens: dict[str, str]
) -> None:
    hours = ["08:00", "09:00", "10:00", "11:00", "12:00", "13:00"]
    made = [await booked(client, tokens["alice"], a, b) for a, b in pairwise(hours)]

    pages: list[JSON] = []
    after: str | None = None
    while len(pages) < 5:  # bounded: three pages are expected
        page = await listed(client, tokens["alice"], first=2, after=after)
        pages.append(page)
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]

    assert [node_ids(p) for p in pages] == [made[0:2], made[2:4], made[4:5]]
    assert [p["totalCount"] for p in pages] == [5, 5, 5]
    assert [(p["pageInfo"]["hasNextPage"], p["pageInfo"]["hasPreviousPage"]) for p in pages] == [
        (True, False),
        (True, True),
        (False, True),
    ]
    for page in pages:
        cursors = [edge["cursor"] for edge in page["edges"]]
        assert page["pageInfo"]["startCursor"] == cursors[0]
        assert page["pageInfo"]["endCursor"] == cursors[-1]


async def test_my_bookings_rejects_a_foreign_cursor(
    client: GraphQLClient, world: World, tokens: dict[str, str]
) -> None:
    body = await client.run(
        list_query("myBookings"), {"after": "bm90LWEtY3Vyc29y"}, token=tokens["alice"]
    )
    assert error_codes(body) == ["INVALID_INPUT"]


@pytest.mark.parametrize(
    ("who", "visible"),
    [("alice", True), ("bob", True), ("admin", True), ("carol", False)],
)
async def test_a_booking_is_visible_to_the_people_in_it_and_admins(
    client: GraphQLClient, world: World, tokens: dict[str, str], who: str, visible: bool
) -> None:
    booking_id = await booked(client, tokens["alice"], "10:00", "12:00", attendees=[BOB])
    body = await client.run(BOOKING, {"id": booking_id}, token=tokens[who])
    if visible:
        assert "errors" not in body
        assert body["data"]["booking"]["id"] == booking_id
    else:
        assert error_codes(body) == ["NOT_FOUND"]
        assert body["data"] is None


async def test_listing_bookings_needs_a_token(client: GraphQLClient, world: World) -> None:
    body = await client.run(list_query("myBookings"))
    assert error_codes(body) == ["UNAUTHENTICATED"]


@pytest.mark.parametrize(
    ("who", "details"),
    [("alice", True), ("bob", True), ("admin", True), ("carol", False)],
)
async def test_room_bookings_hide_who_from_outsiders(
    client: GraphQLClient, world: World, tokens: dict[str, str], who: str, details: bool
) -> None:
    booking_id = await booked(client, tokens["alice"], "10:00", "12:00", attendees=[BOB])
    data = await client.data(
        'query($d: Date!) { room(id: "RM000") {'
        " bookings(date: $d) { id start createdBy { name email } attendees { email } } } }",
        {"d": TOMORROW.isoformat()},
        token=tokens[who],
    )
    # Bob, an attendee, sees who booked; Alice's own address is for her and admins.
    creator = {"name": "Alice", "email": None if who == "bob" else ALICE}
    expected = {
        "id": booking_id,
        "start": utc_iso(local("10:00")),
        "createdBy": creator if details else None,
        "attendees": [{"email": ALICE}, {"email": BOB}] if details else None,
    }
    assert data["room"]["bookings"] == [expected]
