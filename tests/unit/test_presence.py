"""Office hours, the on-site toggle and the forgotten-toggle cap (behaviour notes §5.5),
with the documented Monday-Friday 08:00-17:00 default, in site-local time across DST."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import DomainError, ErrorCode
from domain.office_hours import OfficeHours
from domain.presence import (
    ClosedBy,
    Closing,
    PresenceSession,
    SiteClock,
    cap,
    is_stale,
    settle,
    toggle_off,
    toggle_on,
)

JOBURG = ZoneInfo("Africa/Johannesburg")
LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
SITE = SiteClock(1, JOBURG, OfficeHours())


def at(day: str, clock: str, zone: ZoneInfo = JOBURG) -> datetime:
    """A local wall time on 2026-`day` in `zone`, as a UTC instant."""
    local = datetime.fromisoformat(f"2026-{day}T{clock}").replace(tzinfo=zone)
    return local.astimezone(UTC)


def session(entered: datetime, site_id: int = 1) -> PresenceSession:
    return PresenceSession(id=7, user_id=3, site_id=site_id, entered_at=entered)


# --- the office-hours table ----------------------------------------------------------------


def test_the_default_is_monday_to_friday_eight_to_five() -> None:
    hours = OfficeHours()
    assert sorted(hours.days) == [1, 2, 3, 4, 5]
    assert all((h.opens, h.closes) == (time(8), time(17)) for h in hours.days.values())
    assert hours.on(date(2026, 9, 5)) is None  # a Saturday
    assert hours.window(date(2026, 9, 1), JOBURG) == (at("09-01", "08:00"), at("09-01", "17:00"))


@pytest.mark.parametrize(
    ("local", "allowed"),
    [
        ("09-01 08:00", True),
        ("09-01 16:59", True),
        ("09-01 07:59", False),
        ("09-01 17:00", False),
        ("09-05 10:00", False),  # Saturday: the documented Monday-Friday rule
        ("09-06 10:00", False),  # Sunday
    ],
)
def test_toggling_is_allowed_only_inside_office_hours(local: str, allowed: bool) -> None:
    day, clock = local.split()
    now = at(day, clock)
    if allowed:
        SITE.hours.require_open(now, JOBURG)
        return
    with pytest.raises(DomainError) as raised:
        SITE.hours.require_open(now, JOBURG)
    assert raised.value.code is ErrorCode.OUTSIDE_OFFICE_HOURS


def test_the_refusal_names_the_hours_and_the_local_time() -> None:
    with pytest.raises(DomainError) as raised:
        SITE.hours.require_open(at("09-01", "17:30"), JOBURG)
    assert raised.value.message == (
        "on-site toggling is only allowed in office hours; on Tuesday the site is 08:00 to"
        " 17:00, and its local time is 2026-09-01 17:30 (Africa/Johannesburg)"
    )
    with pytest.raises(DomainError) as closed:
        SITE.hours.require_open(at("09-05", "10:00"), JOBURG)
    assert "on Saturday the site is closed all day" in closed.value.message


def test_a_custom_table() -> None:
    hours = OfficeHours.of([(6, time(9), time(13)), (1, time(7, 30), time(19))])
    assert list(hours.days) == [1, 6]
    assert hours.describe() == "Monday 07:30-19:00, Saturday 09:00-13:00"
    hours.require_open(at("09-05", "12:59"), JOBURG)
    with pytest.raises(DomainError):
        hours.require_open(at("09-01", "10:00"), JOBURG)  # Tuesday: closed
    assert OfficeHours.of([]).describe() == "closed every day"


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ([(0, time(8), time(17))], "weekday 0 must be 1 (Monday) to 7 (Sunday)"),
        ([(8, time(8), time(17))], "weekday 8 must be 1 (Monday) to 7 (Sunday)"),
        ([(1, time(8), time(17)), (1, time(9), time(10))], "Monday is listed more than once"),
        (
            [(2, time(17), time(8))],
            "office hours must open before they close (17:00 is not before 08:00)",
        ),
        (
            [(2, time(9), time(9))],
            "office hours must open before they close (09:00 is not before 09:00)",
        ),
    ],
)
def test_bad_tables_are_refused(entries: list[tuple[int, time, time]], message: str) -> None:
    with pytest.raises(DomainError) as raised:
        OfficeHours.of(entries)
    assert (raised.value.code, raised.value.message, raised.value.field) == (
        ErrorCode.INVALID_INPUT,
        message,
        "days",
    )


# --- CompareAndReturnTime, translated: the cap is the office day's closing time -------------


@pytest.mark.parametrize(
    ("entered", "closed", "expected"),
    [
        (("09-01", "10:00"), ("09-01", "18:00"), ("09-01", "17:00")),
        (("09-01", "09:00"), ("09-01", "17:00"), ("09-01", "17:00")),
        (("09-01", "08:00"), ("09-01", "15:30"), ("09-01", "15:30")),
        (("09-01", "12:00"), ("09-02", "10:00"), ("09-01", "17:00")),
        (("09-01", "14:00"), ("09-05", "09:00"), ("09-01", "17:00")),
        # The original returned an earlier `new` unchanged; a session never ends before
        # it started, so here it ends as it started.
        (("09-02", "10:00"), ("09-01", "11:00"), ("09-02", "10:00")),
    ],
)
def test_compare_and_return_time_fixtures(
    entered: tuple[str, str], closed: tuple[str, str], expected: tuple[str, str]
) -> None:
    assert cap(at(*entered), at(*closed), SITE) == at(*expected)


def test_the_cap_follows_the_site_hours() -> None:
    late = SiteClock(1, JOBURG, OfficeHours.of([(2, time(8), time(20))]))
    assert cap(at("09-01", "10:00"), at("09-01", "19:00"), late) == at("09-01", "19:00")
    assert cap(at("09-01", "10:00"), at("09-02", "09:00"), late) == at("09-01", "20:00")


# --- forgotten toggles ------------------------------------------------------------------------


def test_a_session_is_stale_once_its_office_day_has_closed() -> None:
    open_ = session(at("09-01", "10:00"))
    assert not is_stale(open_, at("09-01", "16:59"), SITE)
    assert is_stale(open_, at("09-01", "17:00"), SITE)
    assert settle(open_, at("09-01", "16:59"), SITE, ClosedBy.LAZY) is None
    assert settle(None, at("09-02", "09:00"), SITE, ClosedBy.LAZY) is None


def test_the_next_day_on_closes_yesterday_lazily_then_opens() -> None:
    forgotten = session(at("09-01", "10:00"))
    closing = settle(forgotten, at("09-02", "09:00"), SITE, ClosedBy.LAZY)
    assert closing == Closing(7, at("09-01", "17:00"), ClosedBy.LAZY)
    toggle_on(None, at("09-02", "09:00"), SITE)  # the settled state is off: on is allowed


def test_the_sweep_closes_at_the_day_end_whenever_it_runs() -> None:
    forgotten = session(at("09-04", "15:00"))  # a Friday
    closing = settle(forgotten, at("09-07", "03:00"), SITE, ClosedBy.SWEEP)
    assert closing == Closing(7, at("09-04", "17:00"), ClosedBy.SWEEP)


def test_toggling_to_the_current_state_is_an_error() -> None:
    with pytest.raises(DomainError) as on:
        toggle_on(session(at("09-01", "09:00")), at("09-01", "10:00"), SITE)
    assert (on.value.code, on.value.message) == (
        ErrorCode.ALREADY_ON_SITE,
        "already on site since 2026-09-01 09:00 (site time); toggle off first",
    )
    with pytest.raises(DomainError) as off:
        toggle_off(None, at("09-01", "10:00"), SITE)
    assert off.value.code is ErrorCode.ALREADY_OFF_SITE


def test_toggling_off_closes_now_and_outside_hours_is_refused() -> None:
    open_ = session(at("09-01", "09:00"))
    assert toggle_off(open_, at("09-01", "12:00"), SITE) == Closing(
        7, at("09-01", "12:00"), ClosedBy.USER
    )
    with pytest.raises(DomainError) as raised:
        toggle_on(None, at("09-01", "07:00"), SITE)
    assert raised.value.code is ErrorCode.OUTSIDE_OFFICE_HOURS


# --- DST ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "day", "closing_utc"),
    [
        (LONDON, date(2026, 3, 30), datetime(2026, 3, 30, 16, 0, tzinfo=UTC)),  # BST began 29th
        (LONDON, date(2026, 10, 26), datetime(2026, 10, 26, 17, 0, tzinfo=UTC)),  # GMT again
        (NEW_YORK, date(2026, 3, 9), datetime(2026, 3, 9, 21, 0, tzinfo=UTC)),  # EDT from 8th
        (NEW_YORK, date(2026, 11, 2), datetime(2026, 11, 2, 22, 0, tzinfo=UTC)),  # EST from 1st
    ],
)
def test_closing_is_local_five_pm_after_a_dst_change(
    zone: ZoneInfo, day: date, closing_utc: datetime
) -> None:
    window = OfficeHours().window(day, zone)
    assert window is not None
    assert window[1] == closing_utc


def test_a_session_across_the_spring_forward_night_closes_at_local_five() -> None:
    # Friday 6 March 2026 in New York (EST, UTC-5); clocks go forward on Sunday the 8th.
    ny = SiteClock(2, NEW_YORK, OfficeHours())
    entered = at("03-06", "09:00", NEW_YORK)
    assert cap(entered, at("03-09", "09:00", NEW_YORK), ny) == datetime(
        2026, 3, 6, 22, 0, tzinfo=UTC
    )


def test_a_session_across_the_fall_back_night_closes_at_local_five() -> None:
    # Friday 30 October 2026 in New York (EDT, UTC-4); clocks go back on Sunday 1 November.
    ny = SiteClock(2, NEW_YORK, OfficeHours())
    entered = at("10-30", "09:00", NEW_YORK)
    closing = settle(session(entered, 2), at("11-02", "08:30", NEW_YORK), ny, ClosedBy.LAZY)
    assert closing == Closing(7, datetime(2026, 10, 30, 21, 0, tzinfo=UTC), ClosedBy.LAZY)
    # Monday after the change, 17:00 is EST (UTC-5) again.
    monday = session(at("11-02", "09:00", NEW_YORK), 2)
    assert not is_stale(monday, datetime(2026, 11, 2, 21, 30, tzinfo=UTC), ny)  # 16:30 EST
    assert is_stale(monday, datetime(2026, 11, 2, 22, 0, tzinfo=UTC), ny)


def test_on_a_dst_change_day_the_hours_follow_the_wall_clock() -> None:
    # Sunday 29 March 2026 in London: 01:00 GMT became 02:00 BST, so 01:30 never showed
    # on the wall; it is read with the offset before the change (01:30 GMT = 02:30 BST).
    sunday = SiteClock(3, LONDON, OfficeHours.of([(7, time(1, 30), time(17))]))
    with pytest.raises(DomainError):
        sunday.hours.require_open(datetime(2026, 3, 29, 1, 15, tzinfo=UTC), LONDON)
    entered = datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    sunday.hours.require_open(entered, LONDON)
    assert cap(entered, entered + timedelta(hours=20), sunday) == datetime(
        2026, 3, 29, 16, 0, tzinfo=UTC
    )
    fall = SiteClock(3, LONDON, OfficeHours.of([(7, time(0, 30), time(17))]))
    # Sunday 25 October 2026: 02:00 BST became 01:00 GMT; the day is 25 hours long.
    opens, closes = fall.hours.window(date(2026, 10, 25), LONDON) or (None, None)
    assert opens == datetime(2026, 10, 24, 23, 30, tzinfo=UTC)
    assert closes == datetime(2026, 10, 25, 17, 0, tzinfo=UTC)


# --- properties -----------------------------------------------------------------------------

ZONES = st.sampled_from([JOBURG, LONDON, NEW_YORK, ZoneInfo("Australia/Lord_Howe")])
INSTANTS = st.integers(0, 2 * 366 * 24 * 3600).map(
    lambda s: datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=s)
)
TABLES = st.lists(
    st.tuples(
        st.integers(1, 7),
        st.times(max_value=time(11, 59)),
        st.times(min_value=time(12)),
    ),
    max_size=7,
    unique_by=lambda entry: entry[0],
).map(OfficeHours.of)


@given(
    zone=ZONES, hours=TABLES, entered=INSTANTS, later=st.timedeltas(timedelta(0), timedelta(days=9))
)
def test_a_closed_session_ends_within_its_office_day(
    zone: ZoneInfo, hours: OfficeHours, entered: datetime, later: timedelta
) -> None:
    site = SiteClock(1, zone, hours)
    ended = cap(entered, entered + later, site)
    assert entered <= ended <= max(entered, site.hours.day_end(entered, zone))
    assert ended <= entered + later


@given(
    zone=ZONES, hours=TABLES, entered=INSTANTS, later=st.timedeltas(timedelta(0), timedelta(days=9))
)
def test_settling_never_closes_before_the_start_or_after_the_day(
    zone: ZoneInfo, hours: OfficeHours, entered: datetime, later: timedelta
) -> None:
    site = SiteClock(1, zone, hours)
    closing = settle(session(entered), entered + later, site, ClosedBy.SWEEP)
    if closing is not None:
        assert entered <= closing.at <= entered + later
        assert closing.at == site.hours.day_end(entered, zone)
