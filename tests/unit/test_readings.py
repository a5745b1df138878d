"""Sensor readings: parsing and refusals, the live count under late, duplicate and
out-of-order readings, and pairing the halves of visits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.occupancy import LeafState
from domain.readings import Direction, Reading, Refused, VisitEnd, apply, pair, parse_reading

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
T0 = NOW - timedelta(hours=1)


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def test_snapshots_and_passages_parse() -> None:
    snapshot = parse_reading({"locationId": 7, "time": "2026-03-02T11:00:00Z", "count": 3}, NOW)
    assert snapshot == Reading(7, T0, count=3)
    passage = parse_reading(
        {
            "locationId": "7",
            "time": "2026-03-02T12:00:00+01:00",
            "direction": "out",
            "visitor": " v1 ",
        },
        NOW,
    )
    assert passage == Reading(7, T0, direction=Direction.OUT, visitor="v1")
    assert passage.kind == "out"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ([], "a reading must be a JSON object"),
        ({"time": "2026-03-02T11:00:00Z", "count": 1}, "locationId must be a location number"),
        (
            {"locationId": True, "time": "2026-03-02T11:00:00Z", "count": 1},
            "locationId must be a location number",
        ),
        (
            {"locationId": -3, "time": "2026-03-02T11:00:00Z", "count": 1},
            "locationId must be a location number",
        ),
        ({"locationId": 1, "count": 1}, "time must be an ISO 8601 string with an offset"),
        (
            {"locationId": 1, "time": "yesterday", "count": 1},
            "time 'yesterday' is not an ISO 8601 instant",
        ),
        (
            {"locationId": 1, "time": "2026-03-02T11:00:00", "count": 1},
            "time must carry an offset (Z or +hh:mm)",
        ),
        ({"locationId": 1, "time": "2026-03-02T12:06:00Z", "count": 1}, "time is in the future"),
        (
            {"locationId": 1, "time": "2026-03-02T11:00:00Z"},
            "a reading has either count or direction",
        ),
        (
            {"locationId": 1, "time": "2026-03-02T11:00:00Z", "count": 1, "direction": "in"},
            "a reading has either count or direction",
        ),
        (
            {"locationId": 1, "time": "2026-03-02T11:00:00Z", "count": -1},
            "count must be between 0 and 1000000",
        ),
        (
            {"locationId": 1, "time": "2026-03-02T11:00:00Z", "count": 2.5},
            "count must be a whole number",
        ),
        (
            {"locationId": 1, "time": "2026-03-02T11:00:00Z", "count": True},
            "count must be a whole number",
        ),
        (
            {"locationId": 1, "time": "2026-03-02T11:00:00Z", "count": 1, "visitor": "a"},
            "only passages carry a visitor",
        ),
        (
            {"locationId": 1, "time": "2026-03-02T11:00:00Z", "direction": "up"},
            'direction must be "in" or "out"',
        ),
        (
            {"locationId": 1, "time": "2026-03-02T11:00:00Z", "direction": "in", "visitor": ""},
            "visitor must be a string of 1 to 64 characters",
        ),
        (
            {"locationId": 1, "time": "2026-03-02T11:00:00Z", "direction": "in", "visitor": 5},
            "visitor must be a string of 1 to 64 characters",
        ),
    ],
)
def test_bad_readings_are_refused_with_the_reason(raw: object, reason: str) -> None:
    with pytest.raises(Refused) as caught:
        parse_reading(raw, NOW)
    assert caught.value.reason == reason


def test_a_passage_moves_the_count_and_an_exit_from_an_empty_place_keeps_zero() -> None:
    first = apply(None, Reading(1, at(0), direction=Direction.OUT))
    assert first.state == LeafState(0, at(0), at(0))
    assert first.sample == 0
    inside = apply(first.state, Reading(1, at(1), direction=Direction.IN))
    assert (inside.state.count, inside.sample) == (1, 1)


def test_an_older_reading_changes_no_live_count_but_the_earliest_time() -> None:
    state = LeafState(5, at(30), at(10))
    late = apply(state, Reading(1, at(5), count=50))
    assert late.state == LeafState(5, at(30), at(5))
    assert (late.moved, late.sample) == (False, 50)  # still a true sample of its moment
    late_passage = apply(state, Reading(1, at(5), direction=Direction.IN))
    assert (late_passage.state.count, late_passage.moved, late_passage.sample) == (5, False, None)
    newer = apply(state, Reading(1, at(30), count=7))
    assert (newer.state.count, newer.sample) == (7, 7)


@given(
    st.lists(
        st.tuples(st.integers(0, 600), st.sampled_from(["in", "out", "count"]), st.integers(0, 50)),
        max_size=60,
    )
)
def test_counts_never_go_negative(steps: list[tuple[int, str, int]]) -> None:
    state: LeafState | None = None
    for minute, kind, count in steps:
        reading = (
            Reading(1, at(minute), count=count)
            if kind == "count"
            else Reading(1, at(minute), direction=Direction(kind))
        )
        applied = apply(state, reading)
        state = applied.state
        assert state.count >= 0
        assert applied.sample is None or applied.sample >= 0


def test_an_exit_pairs_with_the_latest_entry_before_it_and_an_entry_with_the_next_exit() -> None:
    early, late = VisitEnd("v", at(0), None, 1), VisitEnd("v", at(10), None, 2)
    assert pair([early, late], Reading(1, at(20), direction=Direction.OUT, visitor="v")) == late
    assert pair([late], Reading(1, at(5), direction=Direction.OUT, visitor="v")) is None
    exit_first = VisitEnd("v", None, at(30), 3)
    assert pair([exit_first], Reading(1, at(25), direction=Direction.IN, visitor="v")) == exit_first
    assert pair([exit_first], Reading(1, at(35), direction=Direction.IN, visitor="v")) is None
