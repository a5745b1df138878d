"""free_slots: the free parts of a room's bookable day."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.calendar import SiteCalendar
from domain.intervals import Interval
from domain.slots import free_slots

JOHANNESBURG = ZoneInfo("Africa/Johannesburg")
DAY = date(2024, 8, 21)
WINDOW = SiteCalendar(JOHANNESBURG).bookable_window(DAY)  # 08:00-17:00 local

Hours = tuple[int, int]


def local(hour: int, minute: int = 0) -> datetime:
    """Site-local wall time on DAY (hours past 23 roll over), as a UTC instant."""
    midnight = datetime.combine(DAY, time(0), tzinfo=JOHANNESBURG)
    return (midnight + timedelta(hours=hour, minutes=minute)).astimezone(UTC)


def spans(*pairs: Hours) -> list[Interval]:
    return [Interval(local(start), local(end)) for start, end in pairs]


def test_the_window_is_eight_to_five_local() -> None:
    assert Interval(local(8), local(17)) == WINDOW
    assert (WINDOW.start.hour, WINDOW.end.hour) == (6, 15)  # UTC+2


@pytest.mark.parametrize(
    ("busy", "expected"),
    [
        # The fixture table of the original system.
        ((), ((8, 17),)),
        (((8, 17),), ()),
        (((10, 12), (14, 15)), ((8, 10), (12, 14), (15, 17))),
        (((8, 9), (16, 17)), ((9, 16),)),
        (((15, 18),), ((8, 15),)),
        # Beyond the table.
        (((14, 15), (10, 12)), ((8, 10), (12, 14), (15, 17))),
        (((10, 12), (11, 13)), ((8, 10), (13, 17))),
        (((10, 12), (10, 12)), ((8, 10), (12, 17))),
        (((10, 11), (11, 12)), ((8, 10), (12, 17))),
        (((9, 14), (10, 11)), ((8, 9), (14, 17))),
        (((6, 7),), ((8, 17),)),
        (((7, 8), (17, 18)), ((8, 17),)),
        (((18, 20), (3, 5)), ((8, 17),)),
        (((7, 9), (16, 18)), ((9, 16),)),
        (((6, 20),), ()),
        (((16, 18), (6, 9), (12, 13), (12, 14)), ((9, 12), (14, 16))),
    ],
    ids=[
        "free-day",
        "fully-booked",
        "two-bookings",
        "first-and-last-hours",
        "past-closing",
        "unsorted",
        "overlapping",
        "duplicate",
        "back-to-back",
        "nested",
        "entirely-before-opening",
        "touching-the-window",
        "far-outside",
        "partly-outside-both-ends",
        "enclosing-the-window",
        "mixed",
    ],
)
def test_free_slots(busy: tuple[Hours, ...], expected: tuple[Hours, ...]) -> None:
    assert free_slots(WINDOW, spans(*busy)) == spans(*expected)


@pytest.mark.parametrize(
    ("not_before", "expected"),
    [
        (local(11), spans((12, 14), (15, 17))),
        (local(9, 30), [Interval(local(9, 30), local(10)), *spans((12, 14), (15, 17))]),
        (local(8), spans((8, 10), (12, 14), (15, 17))),
        (local(7), spans((8, 10), (12, 14), (15, 17))),
        (local(-1), spans((8, 10), (12, 14), (15, 17))),
        (local(16), spans((16, 17))),
        (local(17), []),
        (local(18), []),
        (local(30), []),
    ],
    ids=[
        "in-a-booking",
        "in-a-gap",
        "at-opening",
        "before-opening",
        "day-before",
        "in-the-last-gap",
        "at-closing",
        "after-closing",
        "next-day",
    ],
)
def test_free_slots_not_before(not_before: datetime, expected: list[Interval]) -> None:
    busy = spans((10, 12), (14, 15))
    assert free_slots(WINDOW, busy, not_before=not_before) == expected


def test_busy_may_be_a_generator_in_another_zone() -> None:
    busy = (
        Interval(b.start.astimezone(JOHANNESBURG), b.end.astimezone(JOHANNESBURG))
        for b in spans((10, 12), (14, 15))
    )
    assert free_slots(WINDOW, busy) == spans((8, 10), (12, 14), (15, 17))


# --- properties -------------------------------------------------------------------------
#
# Everything is built from whole minutes after ORIGIN, so a set of minutes is an exact and
# independent model of a union of intervals.

ORIGIN = datetime(2024, 8, 21, tzinfo=UTC)


def at(minute: int) -> datetime:
    return ORIGIN + timedelta(minutes=minute)


def minute_of(instant: datetime) -> int:
    return (instant - ORIGIN) // timedelta(minutes=1)


def minutes(intervals: list[Interval]) -> set[int]:
    return {m for i in intervals for m in range(minute_of(i.start), minute_of(i.end))}


def interval(start: int, length: int) -> Interval:
    return Interval(at(start), at(start + length))


windows = st.builds(interval, st.integers(0, 600), st.integers(1, 600))
busy_lists = st.lists(
    st.builds(interval, st.integers(-120, 1320), st.integers(1, 240)), max_size=12
)


@given(windows, busy_lists)
def test_slots_are_sorted_disjoint_and_not_adjacent(window: Interval, busy: list[Interval]) -> None:
    slots = free_slots(window, busy)
    assert slots == sorted(slots)
    for earlier, later in pairwise(slots):
        assert earlier.end < later.start


@given(windows, busy_lists)
def test_slots_lie_in_the_window_and_avoid_every_busy_interval(
    window: Interval, busy: list[Interval]
) -> None:
    for slot in free_slots(window, busy):
        assert window.contains(slot)
        assert not any(slot.overlaps(b) for b in busy)


@given(windows, busy_lists)
def test_slots_and_busy_time_cover_the_window_exactly(
    window: Interval, busy: list[Interval]
) -> None:
    slots = free_slots(window, busy)
    window_minutes = minutes([window])
    busy_in_window = minutes(busy) & window_minutes
    assert minutes(slots) == window_minutes - busy_in_window
    free_time = sum((s.end - s.start for s in slots), timedelta())
    assert free_time + timedelta(minutes=len(busy_in_window)) == window.end - window.start


@given(windows, busy_lists, st.data())
def test_slots_do_not_depend_on_the_order_of_busy(
    window: Interval, busy: list[Interval], data: st.DataObject
) -> None:
    shuffled = data.draw(st.permutations(busy))
    assert free_slots(window, shuffled) == free_slots(window, busy)


@given(windows, busy_lists, st.data())
def test_not_before_only_drops_time_already_past(
    window: Interval, busy: list[Interval], data: st.DataObject
) -> None:
    first, last = minute_of(window.start), minute_of(window.end)
    cutoff = data.draw(st.sampled_from([first, last]) | st.integers(first - 60, last + 60))
    not_before = at(cutoff)
    future = Interval(not_before, max(not_before, window.end) + timedelta(days=1))
    expected = [c for s in free_slots(window, busy) if (c := s.clip(future)) is not None]
    assert free_slots(window, busy, not_before=not_before) == expected
