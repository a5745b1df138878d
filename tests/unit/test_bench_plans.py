"""bench.scenarios: the requests each scenario sends, distinct bookRoom slots, tokens the
gateway accepts, and the answer checks run before anything is timed."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest

from bench import queries
from bench.bulk import CLOSES, OPENS, ZONE, BenchData, local
from bench.bulk_rows import room_code
from bench.scale import NESTED_ROOMS, TINY
from bench.scenarios import SCENARIOS, SLOT, SlotCursor, Tokens, problem, read_requests
from gateway.auth.tokens import JwtCodec

NOW = datetime(2026, 12, 1, 10, tzinfo=UTC)
SECRET = "s" * 48
DATA = BenchData(
    database_url="sqlite+aiosqlite:///nonexistent.db",
    scale=TINY,
    read_day=date(2026, 12, 2),
    floor_id=3,
    room_codes=tuple(room_code(n) for n in range(TINY.rooms)),
    first_write_day=date(2027, 1, 12),
    read_day_bookings=50,
    sensor_rooms=TINY.sensor_rooms,
)


def test_write_slots_are_distinct_half_hours_in_opening_hours_after_the_seeded_days() -> None:
    cursor = SlotCursor(DATA)
    tokens = ["t1", "t2", "t3"]
    made = cursor.requests(tokens, 1000) + cursor.requests(tokens, 500)
    slots = []
    for request in made:
        body = json.loads(request.body)
        assert body["query"] == queries.BOOK
        slot = body["variables"]["input"]
        start, end = datetime.fromisoformat(slot["start"]), datetime.fromisoformat(slot["end"])
        local_start = start.astimezone(ZONE)
        assert end - start == SLOT
        assert local_start.date() >= DATA.first_write_day
        assert local(local_start.date(), OPENS) <= start
        assert end <= local(local_start.date(), CLOSES)
        assert slot["roomId"] not in DATA.room_codes[:NESTED_ROOMS]  # the nested floor's
        slots.append((slot["roomId"], start))
    assert len(set(slots)) == len(slots) == 1500 == cursor.issued
    assert {r.token for r in made} == set(tokens)


def test_every_plan_line_has_four_tab_separated_fields_and_one_newline() -> None:
    tokens = Tokens(SECRET, NOW, DATA)
    for scenario in SCENARIOS:
        if scenario.writes:
            continue
        requests = read_requests(scenario.name, DATA, tokens, NOW)
        assert requests, scenario.key
        for request in requests:
            line = request.line()
            assert line.count("\n") == 1
            assert line.endswith("\n")
            method, path, _token, body = line.rstrip("\n").split("\t")
            assert (method, path.partition("?")[0]) in {
                ("POST", "/graphql"),
                ("GET", "/api/view-rooms"),
            }
            if body:
                assert json.loads(body)["query"]


def test_an_unknown_read_scenario_is_refused() -> None:
    with pytest.raises(ValueError, match="no read scenario"):
        read_requests("nope", DATA, Tokens(SECRET, NOW, DATA), NOW)


def test_tokens_are_the_gateways_own() -> None:
    tokens = Tokens(SECRET, NOW, DATA)
    codec = JwtCodec(SECRET, lifetime=timedelta(days=1))
    admin = codec.decode(tokens.admin, NOW)
    assert (admin.user_id, admin.role.value) == (1, "admin")
    people = [codec.decode(t, NOW) for t in tokens.people]
    assert [p.user_id for p in people] == list(DATA.basic_user_ids)
    assert {p.role.value for p in people} == {"basic"}


def _nested_answer(rooms: int, bookings: int, attendees: int) -> dict[str, object]:
    booking = {
        "code": "B",
        "attendees": [{"email": "a@x", "user": {"name": "A"}}] * attendees,
    }
    node = {"code": "R", "bookings": [booking] * bookings}
    return {"data": {"rooms": {"edges": [{"node": node}] * rooms}}}


def test_answer_checks_want_non_empty_answers_of_the_right_sizes() -> None:
    assert problem("nested", _nested_answer(10, 5, 3), DATA) is None
    assert problem("nested", _nested_answer(10, 4, 3), DATA) == (
        "rooms, bookings, named attendees: (10, 40, 120), expected (10, 50, 150)"
    )
    assert problem("upcoming", {"data": {"myBookings": {"edges": []}}}, DATA) == (
        "0 items, expected 1 to 20"
    )
    assert problem("book", {"data": {"bookRoom": {"errors": []}}}, DATA) is None
    assert problem("me", {"errors": [{"message": "no"}]}, DATA) is not None
    assert problem("room", {"data": {}}, DATA) is not None  # an unexpected shape
