"""Interval: half-open [start, end) over aware instants."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import DomainError, ErrorCode
from domain.intervals import Interval, require_aware

BASE = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
JOHANNESBURG = ZoneInfo("Africa/Johannesburg")


def at(minutes: int) -> datetime:
    return BASE + timedelta(minutes=minutes)


def span(start: int, end: int) -> Interval:
    """An interval from minute offsets relative to BASE."""
    return Interval(at(start), at(end))


class _NoOffset(tzinfo):
    """A tzinfo that does not know its offset: the datetime is effectively naive."""

    def utcoffset(self, dt: datetime | None) -> timedelta | None:
        return None

    def dst(self, dt: datetime | None) -> timedelta | None:
        return None

    def tzname(self, dt: datetime | None) -> str | None:
        return None


def assert_invalid(exc: pytest.ExceptionInfo[DomainError], field: str) -> None:
    assert exc.value.code is ErrorCode.INVALID_INPUT
    assert exc.value.field == field


# --- construction -----------------------------------------------------------------------


def test_accepts_aware_start_before_end() -> None:
    interval = span(0, 60)
    assert (interval.start, interval.end) == (at(0), at(60))


@pytest.mark.parametrize("which", ["start", "end"])
def test_rejects_naive_datetimes(which: str) -> None:
    naive = {"start": at(0).replace(tzinfo=None), "end": at(60).replace(tzinfo=None)}
    bounds = {"start": at(0), "end": at(60), which: naive[which]}
    with pytest.raises(DomainError) as exc:
        Interval(bounds["start"], bounds["end"])
    assert_invalid(exc, which)


def test_rejects_tzinfo_without_offset() -> None:
    with pytest.raises(DomainError) as exc:
        Interval(at(0).replace(tzinfo=_NoOffset()), at(60))
    assert_invalid(exc, "start")


def test_require_aware_returns_the_instant_and_names_the_field() -> None:
    instant = at(0)
    assert require_aware(instant, "from") is instant
    with pytest.raises(DomainError) as exc:
        require_aware(at(0).replace(tzinfo=None), "from")
    assert_invalid(exc, "from")


@pytest.mark.parametrize(
    ("start", "end"),
    [(0, 0), (60, 0), (1, 0)],
    ids=["empty", "reversed", "reversed-by-a-minute"],
)
def test_rejects_start_not_before_end(start: int, end: int) -> None:
    with pytest.raises(DomainError) as exc:
        span(start, end)
    assert_invalid(exc, "end")


def test_rejects_one_microsecond_reversed() -> None:
    with pytest.raises(DomainError) as exc:
        Interval(at(0), at(0) - timedelta(microseconds=1))
    assert_invalid(exc, "end")


def test_order_is_by_instant_not_wall_clock() -> None:
    # 10:00 UTC and 11:00 in Johannesburg (09:00 UTC): the wall clock rises, the instant falls.
    start = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
    end = datetime(2026, 1, 5, 11, 0, tzinfo=JOHANNESBURG)
    with pytest.raises(DomainError) as exc:
        Interval(start, end)
    assert_invalid(exc, "end")
    assert Interval(start, datetime(2026, 1, 5, 12, 30, tzinfo=JOHANNESBURG)).end == at(90)


# --- overlaps ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (span(0, 60), span(60, 120), False),
        (span(0, 60), span(61, 120), False),
        (span(0, 60), span(59, 120), True),
        (span(0, 60), span(0, 60), True),
        (span(0, 120), span(30, 60), True),
        (span(0, 60), span(-60, 1), True),
        (span(0, 60), span(-60, 0), False),
    ],
    ids=[
        "back-to-back",
        "gap",
        "one-minute-overlap",
        "identical",
        "nested",
        "overlap-at-start",
        "touching-at-start",
    ],
)
def test_overlaps_is_half_open(a: Interval, b: Interval, expected: bool) -> None:
    assert a.overlaps(b) is expected
    assert b.overlaps(a) is expected


def test_one_microsecond_overlap_counts() -> None:
    earlier = Interval(at(0), at(60) + timedelta(microseconds=1))
    assert earlier.overlaps(span(60, 120))


def test_overlaps_compares_instants_across_zones() -> None:
    # 09:00-10:00 UTC is 11:00-12:00 in Johannesburg.
    local = Interval(
        datetime(2026, 1, 5, 11, 0, tzinfo=JOHANNESBURG),
        datetime(2026, 1, 5, 12, 0, tzinfo=JOHANNESBURG),
    )
    assert local.overlaps(span(30, 90))
    assert not local.overlaps(span(60, 120))


# --- contains and clip ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("inner", "expected"),
    [
        (span(0, 60), True),
        (span(10, 50), True),
        (span(0, 61), False),
        (span(-1, 60), False),
        (span(60, 120), False),
    ],
    ids=["same", "strictly-inside", "past-the-end", "before-the-start", "back-to-back"],
)
def test_contains_includes_both_edges(inner: Interval, expected: bool) -> None:
    assert span(0, 60).contains(inner) is expected


@pytest.mark.parametrize(
    ("interval", "expected"),
    [
        (span(10, 50), span(10, 50)),
        (span(-30, 30), span(0, 30)),
        (span(30, 90), span(30, 60)),
        (span(-30, 90), span(0, 60)),
        (span(60, 90), None),
        (span(-30, 0), None),
        (span(70, 90), None),
    ],
    ids=["inside", "over-start", "over-end", "enclosing", "after", "before", "far-after"],
)
def test_clip(interval: Interval, expected: Interval | None) -> None:
    assert interval.clip(span(0, 60)) == expected


# --- properties -------------------------------------------------------------------------

spans = st.tuples(st.integers(0, 40), st.integers(1, 20)).map(lambda t: span(t[0], t[0] + t[1]))


def share_an_instant(a: Interval, b: Interval) -> bool:
    """Brute force over whole minutes: enough because every endpoint is a whole minute."""
    return any(a.start <= at(m) < a.end and b.start <= at(m) < b.end for m in range(0, 61))


@given(spans, spans)
def test_overlaps_is_symmetric_and_means_sharing_an_instant(a: Interval, b: Interval) -> None:
    assert a.overlaps(b) == b.overlaps(a)
    assert a.overlaps(b) == share_an_instant(a, b)


@given(spans, spans)
def test_clip_is_inside_both_and_exists_iff_they_overlap(a: Interval, b: Interval) -> None:
    clipped = a.clip(b)
    assert (clipped is not None) == a.overlaps(b)
    if clipped is not None:
        assert a.contains(clipped)
        assert b.contains(clipped)


def test_intervals_compare_instants_across_a_clock_change() -> None:
    london = ZoneInfo("Europe/London")
    start = datetime(2026, 10, 25, 1, 30, tzinfo=london)  # 01:30 BST = 00:30 UTC
    end = datetime(2026, 10, 25, 1, 10, fold=1, tzinfo=london)  # 01:10 GMT = 01:10 UTC
    interval = Interval(start, end)
    assert interval.end - interval.start == timedelta(minutes=40)
    assert interval.start.tzinfo is UTC
