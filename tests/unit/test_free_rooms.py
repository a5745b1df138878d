"""Free-room search and soonest blocks: half-open overlap, every-slot freedom, block
merging, empty selections, haversine distance."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import DomainError
from domain.free_rooms import (
    MAX_SLOTS,
    Point,
    check_slots,
    distance_m,
    free_in_every_slot,
    soonest_block,
)
from domain.intervals import Interval

BASE = datetime(2026, 3, 2, tzinfo=UTC)


def at(hour: float) -> datetime:
    return BASE + timedelta(hours=hour)


def span(start: float, end: float) -> Interval:
    return Interval(at(start), at(end))


def test_back_to_back_bookings_do_not_block_a_slot() -> None:
    assert free_in_every_slot([span(8, 10), span(12, 13)], [span(10, 12)])


def test_a_booking_overlapping_any_selected_slot_blocks_the_room() -> None:
    busy = [span(14, 15)]
    assert free_in_every_slot(busy, [span(8, 9)])
    assert not free_in_every_slot(busy, [span(8, 9), span(14.5, 16)])


def test_an_empty_selection_leaves_every_room_free() -> None:
    assert free_in_every_slot([span(0, 24)], [])


def test_too_many_slots_are_refused_with_the_field() -> None:
    slots = [span(h, h + 1) for h in range(MAX_SLOTS + 1)]
    with pytest.raises(DomainError) as raised:
        check_slots(slots)
    assert raised.value.field == "slots"
    assert check_slots(slots[:MAX_SLOTS]) == tuple(slots[:MAX_SLOTS])


def test_touching_and_overlapping_bookings_merge_into_one_block() -> None:
    busy = [span(13, 14), span(8, 9), span(9, 10), span(9.5, 11), span(11, 12)]
    assert soonest_block(busy, at(7)) == span(8, 12)


def test_the_current_booking_is_the_block_and_a_gap_ends_it() -> None:
    busy = [span(8, 10), span(10.5, 11)]
    assert soonest_block(busy, at(9)) == span(8, 10)


def test_a_booking_ending_exactly_at_after_is_over() -> None:
    assert soonest_block([span(8, 10), span(11, 12)], at(10)) == span(11, 12)
    assert soonest_block([span(8, 10)], at(10)) is None


def test_no_bookings_no_block() -> None:
    assert soonest_block([], at(0)) is None


def test_soonest_needs_an_aware_instant() -> None:
    with pytest.raises(DomainError):
        soonest_block([], datetime(2026, 3, 2))  # noqa: DTZ001 - the point of the test


def test_haversine_distance_between_known_points() -> None:
    lausanne, geneva = Point(46.5197, 6.6323), Point(46.2044, 6.1432)
    assert distance_m(lausanne, geneva) == pytest.approx(51_000, rel=0.02)
    assert distance_m(lausanne, lausanne) == 0


@pytest.mark.parametrize(("lat", "lon", "field"), [(91, 0, "latitude"), (0, 181, "longitude")])
def test_points_off_the_globe_are_refused(lat: float, lon: float, field: str) -> None:
    with pytest.raises(DomainError) as raised:
        Point(lat, lon)
    assert raised.value.field == field


quarter_hours = st.integers(min_value=0, max_value=96)
intervals = st.tuples(quarter_hours, st.integers(min_value=1, max_value=16)).map(
    lambda p: span(p[0] / 4, (p[0] + p[1]) / 4)
)


@given(
    rooms=st.lists(st.lists(intervals, max_size=6), min_size=1, max_size=6),
    slots=st.lists(intervals, max_size=4),
)
def test_a_free_room_has_no_overlap_and_a_left_out_room_has_one(
    rooms: list[list[Interval]], slots: list[Interval]
) -> None:
    for busy in rooms:
        clashes = [(b, s) for b in busy for s in slots if b.start < s.end and s.start < b.end]
        assert free_in_every_slot(busy, slots) == (not clashes)


@given(busy=st.lists(intervals, max_size=8), after=quarter_hours)
def test_the_block_starts_with_the_first_unfinished_booking_and_covers_only_busy_time(
    busy: list[Interval], after: int
) -> None:
    moment = at(after / 4)
    block = soonest_block(busy, moment)
    pending = [b for b in busy if b.end > moment]
    if not pending:
        assert block is None
        return
    assert block is not None
    assert block.start == min(b.start for b in pending)
    inside = [b for b in pending if b.start < block.end and block.start < b.end]
    # The block is exactly the union of the bookings it covers, with no gap...
    assert max(b.end for b in inside) == block.end
    assert all(block.contains(b) for b in inside)
    # ...and nothing pending touches its end without having been merged.
    assert not any(b.start == block.end for b in pending)
