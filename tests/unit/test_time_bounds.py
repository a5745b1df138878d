"""Time bounds (domain.time_bounds): instants and dates in 1970-2100, bookings within a
horizon from now; plain cases and Hypothesis."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from typing import TypeVar

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import DomainError, ErrorCode
from domain.time_bounds import (
    DEFAULT_HORIZON,
    EARLIEST,
    LATEST,
    check_booking_times,
    check_date,
    check_instant,
)

NOW = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
T = TypeVar("T")


def outcome(call: Callable[..., T], *args: object) -> T | DomainError:
    """What `call` returns, or the DomainError it raises."""
    try:
        return call(*args)
    except DomainError as error:
        return error


def refused(call: object, *args: object) -> DomainError:
    with pytest.raises(DomainError) as raised:
        call(*args)  # type: ignore[operator]
    assert raised.value.code is ErrorCode.INVALID_INPUT
    return raised.value


@pytest.mark.parametrize(
    ("instant", "message"),
    [
        pytest.param(
            datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
            "end must be between 1970-01-01 and 2100-12-31 (UTC)",
            id="last-microsecond-of-9999",
        ),
        pytest.param(
            datetime(9999, 12, 31, 23, tzinfo=timezone(timedelta(hours=-5))),
            "end is out of range",
            id="overflows-into-year-10000",
        ),
        pytest.param(
            datetime(1969, 12, 31, 23, 59, 59, tzinfo=UTC),
            "end must be between 1970-01-01 and 2100-12-31 (UTC)",
            id="before-1970",
        ),
        pytest.param(datetime(2026, 1, 1), "end must carry a time zone offset", id="naive"),  # noqa: DTZ001
    ],
)
def test_instants_outside_the_bounds_are_refused(instant: datetime, message: str) -> None:
    error = refused(check_instant, instant, "end")
    assert (error.message, error.field) == (message, "end")


def test_the_bounds_themselves() -> None:
    assert check_instant(EARLIEST, "t") == EARLIEST
    assert check_instant(LATEST - timedelta(microseconds=1), "t").year == 2100
    refused(check_instant, LATEST, "t")
    # 2101-01-01T01:00+02:00 is still 2100 in UTC.
    local = datetime(2101, 1, 1, 1, tzinfo=timezone(timedelta(hours=2)))
    assert check_instant(local, "t") == datetime(2100, 12, 31, 23, tzinfo=UTC)


@given(st.datetimes(timezones=st.just(UTC)))
def test_an_instant_is_accepted_exactly_when_it_is_within_the_years(instant: datetime) -> None:
    accepted = outcome(check_instant, instant, "at")
    if isinstance(accepted, DomainError):
        assert accepted.field == "at"
        assert not EARLIEST <= instant < LATEST
    else:
        assert EARLIEST <= accepted < LATEST
        # A week either way never leaves Python's range.
        assert accepted + timedelta(days=7) > accepted - timedelta(days=7)


@given(st.dates())
def test_a_date_is_accepted_exactly_when_it_is_within_the_years(day: date) -> None:
    checked = outcome(check_date, day, "date")
    if isinstance(checked, DomainError):
        assert checked.message == "date must be between 1970-01-01 and 2100-12-31"
        assert not 1970 <= day.year <= 2100
    else:
        assert 1970 <= day.year <= 2100


def test_a_booking_must_end_within_the_horizon() -> None:
    start = NOW + DEFAULT_HORIZON - timedelta(hours=1)
    assert check_booking_times(start, start + timedelta(hours=1), NOW, DEFAULT_HORIZON)
    error = refused(
        check_booking_times, start, start + timedelta(hours=1, seconds=1), NOW, DEFAULT_HORIZON
    )
    assert (error.message, error.field) == ("a booking must end within 366 days from now", "end")


def test_a_booking_in_year_9999_is_refused_whatever_the_horizon() -> None:
    start = datetime(9999, 12, 31, 10, tzinfo=UTC)
    end = datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)
    error = refused(check_booking_times, start, end, NOW, timedelta(days=3_000_000))
    assert error.field == "start"


@given(
    st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(2100, 12, 31)),  # noqa: DTZ001
    st.timedeltas(min_value=timedelta(minutes=1), max_value=timedelta(days=800)),
    st.integers(min_value=1, max_value=3660),
)
def test_an_accepted_booking_lies_in_the_bounds_and_the_horizon(
    start: datetime, length: timedelta, horizon_days: int
) -> None:
    begin = start.replace(tzinfo=UTC)
    horizon = timedelta(days=horizon_days)
    interval = outcome(check_booking_times, begin, begin + length, NOW, horizon)
    if isinstance(interval, DomainError):
        assert interval.field in {"start", "end"}
    else:
        assert EARLIEST <= interval.start < interval.end < LATEST
        assert interval.end <= NOW + horizon
