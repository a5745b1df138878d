"""The wire format: every field survives a round trip; anything else is refused clearly."""

from __future__ import annotations

import contextlib
import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.bookings import Attendee, Booking, BookingChanged, BookingSource, BookingStatus
from domain.intervals import Interval
from domain.notifications import Notification, NotificationKind
from gateway.live.codec import MAX_MESSAGE_BYTES, VERSION, UndecodableMessage, decode, encode
from gateway.services.events import (
    BookingChange,
    BookingEvent,
    Event,
    MailQueued,
    NotificationEvent,
)
from tests.support.events import event, everything_set, mail_queued

offsets = st.one_of(
    st.just(UTC),
    st.integers(-(23 * 60 + 59), 23 * 60 + 59).map(lambda m: timezone(timedelta(minutes=m))),
)
instants = st.datetimes(
    min_value=datetime(1970, 1, 2),  # noqa: DTZ001  (bounds for hypothesis; zones come from `offsets`)
    max_value=datetime(2200, 1, 1),  # noqa: DTZ001
    timezones=offsets,
)
ids = st.integers(-(2**63), 2**63 - 1)
attendees = st.builds(Attendee, st.text(), st.none() | ids, st.none() | instants)


@st.composite
def bookings(draw: st.DrawFn) -> Booking:
    start = draw(instants)
    length = draw(st.timedeltas(timedelta(microseconds=1), timedelta(days=3)))
    return Booking(
        id=draw(ids),
        code=draw(st.text()),
        room_id=draw(ids),
        creator_id=draw(ids),
        interval=Interval(start, start + length),
        status=draw(st.sampled_from(BookingStatus)),
        source=draw(st.sampled_from(BookingSource)),
        attendees=tuple(draw(st.lists(attendees, max_size=5))),
        created_at=draw(instants),
        cancelled_at=draw(st.none() | instants),
        title=draw(st.text()),
        cancelled_by=draw(st.none() | ids),
    )


booking_events = st.builds(
    BookingEvent,
    st.builds(BookingChanged, st.sampled_from(BookingChange), bookings(), instants),
    st.text(),
)
notification_events = st.builds(
    NotificationEvent,
    st.builds(
        Notification,
        id=st.text(),
        title=st.text(),
        message=st.text(),
        kind=st.sampled_from(NotificationKind),
        created_at=instants,
        recipient_id=ids,
        booking_code=st.none() | st.text(),
        read_at=st.none() | instants,
    ),
)
events: st.SearchStrategy[Event] = st.one_of(
    booking_events, st.builds(MailQueued, instants), notification_events
)


def wire(source: Event) -> dict[str, Any]:
    found: dict[str, Any] = json.loads(encode(source))
    return found


def rewired(message: dict[str, Any]) -> bytes:
    return json.dumps(message).encode()


@given(events)
def test_every_event_survives_a_round_trip(original: Event) -> None:
    decoded = decode(encode(original))
    assert decoded == original
    assert type(decoded) is type(original)


@pytest.mark.parametrize("original", [everything_set(), event(1), mail_queued()])
def test_known_events_survive_a_round_trip(original: Event) -> None:
    assert decode(encode(original)) == original


def test_every_field_of_a_booking_event_comes_back() -> None:
    original = everything_set()
    decoded = decode(encode(original))
    assert isinstance(decoded, BookingEvent)
    assert decoded.room_code == "RM007"
    assert decoded.change is BookingChange.CANCELLED
    assert decoded.occurred_at == original.occurred_at
    booking, expected = decoded.changed.booking, original.changed.booking
    assert booking == expected
    assert booking.status is BookingStatus.CANCELLED
    assert booking.source is BookingSource.TIMETABLE
    assert booking.attendees[0].checked_in_at == expected.attendees[0].checked_in_at
    assert booking.attendees[1] == Attendee("guest@example.org")
    assert booking.title == "Sprint review — ünïcødé ✓"
    assert (booking.cancelled_at, booking.cancelled_by) == (expected.cancelled_at, 1)
    assert booking.interval.start.tzinfo is UTC
    assert booking.interval.start.microsecond == 123456


def test_instants_keep_their_offset() -> None:
    plus_two = timezone(timedelta(hours=2))
    decoded = decode(encode(MailQueued(datetime(2026, 1, 1, 8, tzinfo=plus_two))))
    assert decoded.occurred_at.utcoffset() == timedelta(hours=2)


def test_the_message_is_tagged_with_a_version_and_a_type() -> None:
    assert wire(event(1))["v"] == VERSION
    assert wire(event(1))["type"] == "booking"
    assert wire(mail_queued()) == {
        "v": VERSION,
        "type": "mail_queued",
        "occurred_at": ("2026-11-23T06:00:00+00:00"),
    }


def test_unknown_fields_are_ignored_for_forward_compatibility() -> None:
    message = wire(everything_set())
    message["booking"]["seats"] = 12
    message["priority"] = "high"
    assert decode(rewired(message)) == everything_set()


def test_a_naive_datetime_is_refused_when_encoding() -> None:
    naive = datetime(2026, 1, 1, 8)  # noqa: DTZ001  (the point of the test)
    with pytest.raises(ValueError, match="naive datetime"):
        encode(MailQueued(naive))


def booking_message() -> dict[str, Any]:
    return wire(everything_set())


def changed(path: str, value: object) -> bytes:
    """The full booking message with one field (dotted path) replaced; `...` deletes it."""
    message = booking_message()
    *parents, last = [int(key) if key.isdigit() else key for key in path.split(".")]
    target: Any = message
    for key in parents:
        target = target[key]
    if value is ...:
        del target[last]
    else:
        target[last] = value
    return rewired(message)


MALFORMED = [
    pytest.param(b"\xff\xfe\x00", "not JSON", id="not utf-8"),
    pytest.param(b"{not json", "not JSON", id="not json"),
    pytest.param(b"[1, 2]", "message must be a JSON object, not list", id="a list"),
    pytest.param(b"null", "message must be a JSON object", id="null"),
    pytest.param(b"[" * 100_000, "not JSON", id="absurd nesting"),
    pytest.param(b'{"type": "mail_queued"}', "unsupported message version None", id="no v"),
    pytest.param(changed("v", 2), "unsupported message version 2", id="future version"),
    pytest.param(changed("v", True), "unsupported message version True", id="v true"),
    pytest.param(
        changed("type", "room_renamed"), "unknown message type 'room_renamed'", id="unknown type"
    ),
    pytest.param(changed("type", 3), "field 'type' must be str, not int", id="type not str"),
    pytest.param(changed("room_code", ...), "missing field 'room_code'", id="no room"),
    pytest.param(changed("booking", "x"), "booking must be a JSON object", id="booking str"),
    pytest.param(changed("booking.id", "42"), "field 'id' must be int, not str", id="id str"),
    pytest.param(changed("booking.id", True), "field 'id' must be int, not bool", id="id bool"),
    pytest.param(changed("booking.id", 4.2), "field 'id' must be int, not float", id="id float"),
    pytest.param(
        changed("booking.cancelled_by", ...), "missing field 'cancelled_by'", id="no cancelled_by"
    ),
    pytest.param(
        changed("booking.status", "pending"), "'status' has the unknown value", id="unknown status"
    ),
    pytest.param(
        changed("change", "moved"), "'change' has the unknown value 'moved'", id="unknown change"
    ),
    pytest.param(
        changed("occurred_at", "yesterday"), "'occurred_at' is not an ISO 8601", id="not an instant"
    ),
    pytest.param(
        changed("occurred_at", "2026-11-23T06:00:00"),
        "'occurred_at' has no UTC",
        id="naive instant",
    ),
    pytest.param(
        changed("booking.end", "2026-11-24T07:00:00+00:00"),
        "invalid booking message: start must be before end",
        id="end before start",
    ),
    pytest.param(
        changed("booking.attendees", {}),
        "'attendees' must be list, not dict",
        id="attendees not a list",
    ),
    pytest.param(
        changed("booking.attendees.1", "guest@example.org"),
        "attendee must be a JSON object, not str",
        id="attendee not an object",
    ),
    pytest.param(
        changed("booking.attendees.1.checked_in_at", 0),
        "'checked_in_at' must be str, not int",
        id="check-in time not str",
    ),
    pytest.param(
        changed("booking.attendees.0.email", ...),
        "missing field 'email'",
        id="attendee without email",
    ),
    pytest.param(
        b'{"v": 1, "type": "mail_queued", "occurred_at": "' + b"9" * 5000 + b'"}',
        "not an ISO 8601",
        id="huge instant",
    ),
    pytest.param(b" " * (MAX_MESSAGE_BYTES + 1), "exceeds", id="too big"),
]


@pytest.mark.parametrize(("data", "reason"), MALFORMED)
def test_malformed_messages_are_refused_with_a_reason(data: bytes, reason: str) -> None:
    with pytest.raises(UndecodableMessage) as refused:
        decode(data)
    assert reason in str(refused.value)


@given(st.binary(max_size=200))
def test_arbitrary_bytes_never_raise_anything_but_undecodable(data: bytes) -> None:
    with contextlib.suppress(UndecodableMessage):
        decode(data)


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
        lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner),
        max_leaves=20,
    )
)
def test_arbitrary_json_under_a_valid_tag_is_refused_cleanly(junk: object) -> None:
    message = booking_message()
    message["booking"] = junk
    with pytest.raises(UndecodableMessage):
        decode(rewired(message))
