"""Bookings: the rules for making, cancelling and checking in."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from domain.bookings import (
    Attendee,
    Booking,
    BookingChange,
    BookingChanged,
    BookingSource,
    BookingStatus,
    CheckInWindow,
    check_new_booking,
)
from domain.calendar import BookableHours, SiteCalendar
from domain.errors import DomainError, ErrorCode
from domain.intervals import Interval
from domain.locations import OccupancyLimits
from domain.users import Actor, Role

JOHANNESBURG = ZoneInfo("Africa/Johannesburg")
LONDON = ZoneInfo("Europe/London")
DAY = date(2024, 8, 21)
SITE = SiteCalendar(JOHANNESBURG)
NOW = datetime(2024, 8, 20, 12, 0, tzinfo=UTC)
LIMITS = OccupancyLimits(1, 10)


def rejected(call: Callable[[], object]) -> DomainError:
    """The DomainError `call` raises; fails the test when it raises none."""
    with pytest.raises(DomainError) as exc:
        call()
    return exc.value


def local(hhmm: str, day: date = DAY, zone: ZoneInfo = JOHANNESBURG) -> datetime:
    """Site-local wall time on `day`, as a UTC instant."""
    return datetime.combine(day, time.fromisoformat(hhmm), tzinfo=zone).astimezone(UTC)


def span(start: str, end: str) -> Interval:
    return Interval(local(start), local(end))


def utc_span(day: date, start_hour: int, end_hour: int) -> Interval:
    return Interval(
        datetime.combine(day, time(start_hour), tzinfo=UTC),
        datetime.combine(day, time(end_hour), tzinfo=UTC),
    )


def check(
    interval: Interval,
    *,
    attendees: int = 2,
    limits: OccupancyLimits = LIMITS,
    existing: Iterable[Interval] = (),
    now: datetime = NOW,
    calendar: SiteCalendar = SITE,
) -> None:
    check_new_booking(
        interval,
        attendee_count=attendees,
        calendar=calendar,
        limits=limits,
        now=now,
        existing=existing,
    )


# --- check_new_booking: the happy path and the edges of the day -------------------------


@pytest.mark.parametrize(
    ("start", "end"),
    [("08:00", "17:00"), ("08:00", "09:00"), ("16:00", "17:00"), ("12:15", "12:45")],
    ids=["whole-day", "at-opening", "at-closing", "midday"],
)
def test_accepts_a_booking_inside_bookable_hours(start: str, end: str) -> None:
    check(span(start, end))


def test_accepts_a_booking_starting_exactly_now() -> None:
    check(span("10:00", "11:00"), now=local("10:00"))


# --- in the past ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "now",
    [
        local("10:00") + timedelta(microseconds=1),
        local("10:30"),
        local("09:00", DAY.replace(day=22)),
    ],
    ids=["a-microsecond-late", "already-running", "next-day"],
)
def test_rejects_a_booking_starting_in_the_past(now: datetime) -> None:
    error = rejected(lambda: check(span("10:00", "11:00"), now=now))
    assert (error.code, error.field) == (ErrorCode.IN_THE_PAST, "start")


# --- one local day ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "interval",
    [
        Interval(local("16:00"), local("09:00", DAY.replace(day=22))),
        # 21:00-23:00 UTC is 23:00-01:00 in Johannesburg: one UTC day, two local days.
        utc_span(DAY, 21, 23),
    ],
    ids=["overnight", "across-local-but-not-utc-midnight"],
)
def test_rejects_a_booking_across_local_midnight(interval: Interval) -> None:
    error = rejected(lambda: check(interval))
    assert (error.code, error.field) == (ErrorCode.INVALID_INPUT, "end")


def test_a_booking_ending_exactly_at_local_midnight_stays_on_its_day() -> None:
    # Not "across midnight" (the end is exclusive), so the hours rule is what says no.
    interval = Interval(local("16:00"), local("00:00", DAY.replace(day=22)))
    assert rejected(lambda: check(interval)).code is ErrorCode.OUTSIDE_BOOKABLE_HOURS


def test_accepts_a_booking_across_utc_midnight_within_one_local_day() -> None:
    # 01:00-03:00 in Johannesburg is 23:00-01:00 UTC.
    all_day = SiteCalendar(JOHANNESBURG, BookableHours(time(0, 0), time(23, 59)))
    interval = Interval(local("01:00", DAY.replace(day=22)), local("03:00", DAY.replace(day=22)))
    assert interval.start.date() != interval.end.date()
    check(interval, calendar=all_day)


# --- bookable hours ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        ("07:59", "09:00", "start"),
        ("07:00", "08:00", "start"),
        ("06:00", "07:00", "start"),
        ("16:00", "17:01", "end"),
        ("17:00", "18:00", "start"),
        ("07:00", "18:00", "start"),
    ],
    ids=[
        "starts-a-minute-early",
        "ends-at-opening",
        "before-opening",
        "ends-a-minute-late",
        "starts-at-closing",
        "around-the-day",
    ],
)
def test_rejects_a_booking_outside_bookable_hours(start: str, end: str, field: str) -> None:
    error = rejected(lambda: check(span(start, end)))
    assert (error.code, error.field) == (ErrorCode.OUTSIDE_BOOKABLE_HOURS, field)


def test_hours_are_site_local_not_utc() -> None:
    # 15:00-16:00 UTC is inside 08-17 UTC but is 17:00-18:00 in Johannesburg.
    error = rejected(lambda: check(utc_span(DAY, 15, 16)))
    assert error.code is ErrorCode.OUTSIDE_BOOKABLE_HOURS
    # 06:00-07:00 UTC is outside 08-17 UTC but is 08:00-09:00 in Johannesburg.
    check(utc_span(DAY, 6, 7))


@pytest.mark.parametrize(
    ("day", "start_hour", "allowed"),
    [
        (date(2026, 3, 28), 7, False),
        (date(2026, 3, 28), 16, True),
        (date(2026, 3, 29), 7, True),
        (date(2026, 3, 29), 16, False),
        (date(2026, 10, 24), 7, True),
        (date(2026, 10, 24), 16, False),
        (date(2026, 10, 25), 7, False),
        (date(2026, 10, 25), 16, True),
    ],
)
def test_hours_follow_daylight_saving_time(day: date, start_hour: int, allowed: bool) -> None:
    london = SiteCalendar(LONDON)
    interval = utc_span(day, start_hour, start_hour + 1)
    now = datetime(2026, 1, 1, tzinfo=UTC)
    if allowed:
        check(interval, calendar=london, now=now)
    else:
        error = rejected(lambda: check(interval, calendar=london, now=now))
        assert error.code is ErrorCode.OUTSIDE_BOOKABLE_HOURS


# --- occupancy --------------------------------------------------------------------------


@pytest.mark.parametrize("count", [2, 3, 4])
def test_accepts_an_attendee_count_within_the_limits(count: int) -> None:
    check(span("09:00", "10:00"), attendees=count, limits=OccupancyLimits(2, 4))


@pytest.mark.parametrize(
    ("limits", "count"),
    [(OccupancyLimits(2, 4), 1), (OccupancyLimits(2, 4), 5), (OccupancyLimits(), 0)],
    ids=["below-minimum", "above-maximum", "nobody"],
)
def test_rejects_an_attendee_count_outside_the_limits(limits: OccupancyLimits, count: int) -> None:
    error = rejected(lambda: check(span("09:00", "10:00"), attendees=count, limits=limits))
    assert (error.code, error.field) == (ErrorCode.OCCUPANCY_OUT_OF_RANGE, "attendees")


# --- overlap ----------------------------------------------------------------------------

TAKEN = [span("10:00", "11:00"), span("14:00", "15:00")]


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("10:30", "11:30"),
        ("09:30", "10:30"),
        ("10:00", "11:00"),
        ("10:15", "10:45"),
        ("09:00", "12:00"),
        ("13:00", "14:01"),
    ],
    ids=["overlaps-end", "overlaps-start", "identical", "inside", "around", "a-minute-into-next"],
)
def test_rejects_an_overlapping_booking(start: str, end: str) -> None:
    error = rejected(lambda: check(span(start, end), existing=TAKEN))
    assert (error.code, error.field) == (ErrorCode.SLOT_TAKEN, None)


@pytest.mark.parametrize(
    ("start", "end"),
    [("09:00", "10:00"), ("11:00", "12:00"), ("11:00", "14:00"), ("15:00", "17:00")],
    ids=["ends-as-one-starts", "starts-as-one-ends", "between-two", "after-both"],
)
def test_accepts_a_back_to_back_booking(start: str, end: str) -> None:
    check(span(start, end), existing=TAKEN)


def test_existing_may_be_a_one_shot_iterable() -> None:
    error = rejected(lambda: check(span("14:30", "15:30"), existing=iter(TAKEN)))
    assert error.code is ErrorCode.SLOT_TAKEN


# --- Booking: cancel and check in -------------------------------------------------------

START = datetime(2024, 8, 21, 8, 0, tzinfo=UTC)
END = START + timedelta(hours=1)
CREATOR = Actor(1, "creator@example.com", Role.BASIC)
INVITEE = Actor(2, "invitee@example.com", Role.BASIC)
GUEST = Actor(3, "guest@example.com", Role.BASIC)  # invited by e-mail before signing up
ADMIN = Actor(4, "admin@example.com", Role.ADMIN)
STRANGER = Actor(5, "stranger@example.com", Role.BASIC)


def booking(status: BookingStatus = BookingStatus.ACTIVE) -> Booking:
    cancelled = status is BookingStatus.CANCELLED
    return Booking(
        id=1,
        code="BK0001",
        room_id=7,
        creator_id=CREATOR.user_id,
        interval=Interval(START, END),
        status=status,
        source=BookingSource.ADHOC,
        attendees=(
            Attendee(CREATOR.email, CREATOR.user_id),
            Attendee(INVITEE.email, INVITEE.user_id),
            Attendee(GUEST.email),
        ),
        created_at=START - timedelta(days=1),
        cancelled_at=START - timedelta(hours=1) if cancelled else None,
    )


@pytest.mark.parametrize(
    ("status", "expected"), [(BookingStatus.ACTIVE, True), (BookingStatus.CANCELLED, False)]
)
def test_is_active(status: BookingStatus, expected: bool) -> None:
    assert booking(status).is_active is expected


@pytest.mark.parametrize("actor", [CREATOR, ADMIN], ids=["creator", "admin"])
@pytest.mark.parametrize(
    "now",
    [START - timedelta(days=1), START, END - timedelta(microseconds=1)],
    ids=["before", "at-start", "last-instant"],
)
def test_creator_or_admin_may_cancel_until_the_end(actor: Actor, now: datetime) -> None:
    cancelled, changed = booking().cancel(actor, now)

    assert cancelled == replace(
        booking(), status=BookingStatus.CANCELLED, cancelled_at=now, cancelled_by=actor.user_id
    )
    assert changed == BookingChanged(BookingChange.CANCELLED, cancelled, now)


def test_cancel_leaves_the_original_untouched() -> None:
    original = booking()

    cancelled, _ = original.cancel(ADMIN, START)

    assert original == booking()
    assert (cancelled.status, cancelled.cancelled_at, cancelled.cancelled_by) == (
        BookingStatus.CANCELLED,
        START,
        ADMIN.user_id,
    )
    assert not cancelled.is_active
    assert cancelled.attendees == original.attendees


@pytest.mark.parametrize("actor", [INVITEE, GUEST, STRANGER], ids=["invitee", "guest", "stranger"])
def test_nobody_else_may_cancel(actor: Actor) -> None:
    error = rejected(lambda: booking().cancel(actor, START - timedelta(hours=1)))
    assert error.code is ErrorCode.FORBIDDEN


@pytest.mark.parametrize("actor", [CREATOR, ADMIN], ids=["creator", "admin"])
def test_a_cancelled_booking_cannot_be_cancelled_again(actor: Actor) -> None:
    cancelled = booking(BookingStatus.CANCELLED)
    error = rejected(lambda: cancelled.cancel(actor, START - timedelta(hours=1)))
    assert error.code is ErrorCode.BOOKING_NOT_ACTIVE


@pytest.mark.parametrize("actor", [CREATOR, ADMIN], ids=["creator", "admin"])
@pytest.mark.parametrize("now", [END, END + timedelta(days=1)], ids=["at-end", "day-after"])
def test_an_ended_booking_cannot_be_cancelled(actor: Actor, now: datetime) -> None:
    error = rejected(lambda: booking().cancel(actor, now))
    assert error.code is ErrorCode.BOOKING_ENDED


DEFAULT_WINDOW = CheckInWindow()


def test_default_check_in_window_is_fifteen_minutes_either_side() -> None:
    assert DEFAULT_WINDOW.around(START) == Interval(
        START - timedelta(minutes=15), START + timedelta(minutes=15)
    )


@pytest.mark.parametrize(
    "actor", [CREATOR, INVITEE, GUEST], ids=["creator", "invitee", "invited-by-email"]
)
def test_creator_and_attendees_may_check_in(actor: Actor) -> None:
    checked, changed = booking().check_in(actor, START, DEFAULT_WINDOW)

    index = booking().attendee_index(actor)
    assert index is not None
    assert [a.checked_in_at for a in checked.attendees] == [
        START if i == index else None for i in range(3)
    ]
    assert checked == replace(
        booking(),
        attendees=tuple(
            replace(a, checked_in_at=START) if i == index else a
            for i, a in enumerate(booking().attendees)
        ),
    )
    assert checked.checked_in
    assert changed == BookingChanged(BookingChange.CHECKED_IN, checked, START)


def test_check_in_records_the_time_it_is_given() -> None:
    now = START + timedelta(minutes=7)

    checked, changed = booking().check_in(INVITEE, now, DEFAULT_WINDOW)

    assert checked.attendees[1] == Attendee(INVITEE.email, INVITEE.user_id, now)
    assert changed is not None
    assert (changed.change, changed.booking, changed.occurred_at) == (
        BookingChange.CHECKED_IN,
        checked,
        now,
    )


def test_a_second_check_in_keeps_the_first_time_and_announces_nothing() -> None:
    first, _ = booking().check_in(INVITEE, START - timedelta(minutes=5), DEFAULT_WINDOW)

    again, changed = first.check_in(INVITEE, START + timedelta(minutes=5), DEFAULT_WINDOW)

    assert again is first
    assert changed is None
    assert again.attendees[1].checked_in_at == START - timedelta(minutes=5)


def test_one_persons_check_in_does_not_stop_anothers() -> None:
    first, _ = booking().check_in(INVITEE, START, DEFAULT_WINDOW)
    later = START + timedelta(minutes=1)

    both, changed = first.check_in(GUEST, later, DEFAULT_WINDOW)

    assert [a.checked_in_at for a in both.attendees] == [None, START, later]
    assert changed == BookingChanged(BookingChange.CHECKED_IN, both, later)


def test_nobody_is_checked_in_at_first() -> None:
    assert not booking().checked_in


def test_the_creator_is_known_by_id_even_under_a_new_email() -> None:
    renamed = Actor(CREATOR.user_id, "creator.new@example.com", Role.BASIC)

    checked, changed = booking().check_in(renamed, START, DEFAULT_WINDOW)

    # Recorded on the creator's own entry, which keeps the address it was stored under.
    assert checked.attendees[0] == Attendee(CREATOR.email, CREATOR.user_id, START)
    assert [a.checked_in_at for a in checked.attendees[1:]] == [None, None]
    assert changed == BookingChanged(BookingChange.CHECKED_IN, checked, START)


def test_the_creators_entry_without_an_account_is_still_the_first() -> None:
    """A creator whose own entry carries no user id (an older row) under another address."""
    legacy = replace(
        booking(),
        attendees=(Attendee("creator.old@example.com"), *booking().attendees[1:]),
    )

    checked, changed = legacy.check_in(CREATOR, START, DEFAULT_WINDOW)

    assert checked.attendees[0] == Attendee("creator.old@example.com", None, START)
    assert [a.checked_in_at for a in checked.attendees[1:]] == [None, None]
    assert changed is not None


@pytest.mark.parametrize("actor", [STRANGER, ADMIN], ids=["stranger", "uninvited-admin"])
def test_people_not_invited_may_not_check_in(actor: Actor) -> None:
    error = rejected(lambda: booking().check_in(actor, START, DEFAULT_WINDOW))
    assert error.code is ErrorCode.FORBIDDEN


def test_a_cancelled_booking_cannot_be_checked_into() -> None:
    cancelled = booking(BookingStatus.CANCELLED)
    error = rejected(lambda: cancelled.check_in(CREATOR, START, DEFAULT_WINDOW))
    assert error.code is ErrorCode.BOOKING_NOT_ACTIVE


SECOND = timedelta(seconds=1)
CUSTOM_WINDOW = CheckInWindow(before=timedelta(minutes=5), after=timedelta(minutes=30))


@pytest.mark.parametrize(
    ("window", "offset", "open_"),
    [
        (DEFAULT_WINDOW, -timedelta(minutes=15), True),
        (DEFAULT_WINDOW, timedelta(minutes=15), True),
        (DEFAULT_WINDOW, -timedelta(minutes=15) - SECOND, False),
        (DEFAULT_WINDOW, timedelta(minutes=15) + SECOND, False),
        (DEFAULT_WINDOW, timedelta(hours=2), False),
        (CUSTOM_WINDOW, -timedelta(minutes=5), True),
        (CUSTOM_WINDOW, timedelta(minutes=30), True),
        (CUSTOM_WINDOW, -timedelta(minutes=5) - SECOND, False),
        (CUSTOM_WINDOW, timedelta(minutes=30) + SECOND, False),
        (CUSTOM_WINDOW, -timedelta(minutes=15), False),
        (CUSTOM_WINDOW, timedelta(minutes=20), True),
    ],
)
def test_check_in_is_open_only_inside_the_window(
    window: CheckInWindow, offset: timedelta, open_: bool
) -> None:
    def attempt() -> tuple[Booking, BookingChanged | None]:
        return booking().check_in(INVITEE, START + offset, window)

    if open_:
        checked, changed = attempt()
        assert checked.attendees[1].checked_in_at == START + offset
        assert changed is not None
    else:
        assert rejected(attempt).code is ErrorCode.CHECK_IN_CLOSED


# --- who an attendee entry is, and who sees what ----------------------------------------


@pytest.mark.parametrize(
    ("attendee", "actor", "expected"),
    [
        pytest.param(
            Attendee("a@example.com", 2), Actor(2, "a@example.com", Role.BASIC), True, id="same"
        ),
        pytest.param(
            Attendee("old@example.com", 2),
            Actor(2, "new@example.com", Role.BASIC),
            True,
            id="by-id",
        ),
        pytest.param(
            Attendee("a@example.com", 2),
            Actor(3, "a@example.com", Role.BASIC),
            False,
            id="address-of-another-account",
        ),
        pytest.param(
            Attendee("a@example.com"), Actor(3, "a@example.com", Role.BASIC), True, id="by-email"
        ),
        pytest.param(
            Attendee("a@example.com"),
            Actor(3, "b@example.com", Role.BASIC),
            False,
            id="other-email",
        ),
        pytest.param(
            Attendee("a@example.com", 2), Actor(3, "b@example.com", Role.BASIC), False, id="nobody"
        ),
    ],
)
def test_an_attendee_entry_is_its_account_or_else_its_address(
    attendee: Attendee, actor: Actor, expected: bool
) -> None:
    assert attendee.is_(actor) is expected


def test_the_attendee_index_follows_the_same_rule() -> None:
    renamed_invitee = Actor(INVITEE.user_id, "invitee.new@example.com", Role.BASIC)
    squatter = Actor(9, INVITEE.email, Role.BASIC)  # took over the invitee's old address

    assert booking().attendee_index(CREATOR) == 0
    assert booking().attendee_index(renamed_invitee) == 1
    assert booking().attendee_index(GUEST) == 2
    assert booking().attendee_index(squatter) is None
    assert booking().attendee_index(STRANGER) is None


@pytest.mark.parametrize(
    ("actor", "expected"),
    [
        pytest.param(CREATOR, True, id="creator"),
        pytest.param(INVITEE, True, id="invitee"),
        pytest.param(GUEST, True, id="invited-by-email"),
        pytest.param(ADMIN, True, id="admin"),
        pytest.param(STRANGER, False, id="stranger"),
        pytest.param(Actor(9, INVITEE.email, Role.BASIC), False, id="squatter"),
    ],
)
def test_details_are_visible_to_the_people_in_the_booking_and_admins(
    actor: Actor, expected: bool
) -> None:
    assert booking().details_visible_to(actor) is expected
    assert booking().involves(actor) is (expected and actor is not ADMIN)


def changed(change: BookingChange) -> BookingChanged:
    return BookingChanged(change, booking(), START)


@pytest.mark.parametrize("change", [BookingChange.CREATED, BookingChange.CANCELLED])
@pytest.mark.parametrize(
    "actor", [CREATOR, INVITEE, GUEST, ADMIN, STRANGER], ids=lambda a: a.email.split("@")[0]
)
def test_made_and_cancelled_bookings_are_visible_to_everybody(
    change: BookingChange, actor: Actor
) -> None:
    assert changed(change).visible_to(actor)


@pytest.mark.parametrize(
    ("actor", "expected"),
    [
        pytest.param(CREATOR, True, id="creator"),
        pytest.param(INVITEE, True, id="invitee"),
        pytest.param(GUEST, True, id="invited-by-email"),
        pytest.param(ADMIN, True, id="admin"),
        pytest.param(STRANGER, False, id="stranger"),
    ],
)
def test_a_check_in_is_visible_only_to_the_bookings_people_and_admins(
    actor: Actor, expected: bool
) -> None:
    assert changed(BookingChange.CHECKED_IN).visible_to(actor) is expected


def test_created_announces_the_booking_as_it_is() -> None:
    assert booking().created(START) == BookingChanged(BookingChange.CREATED, booking(), START)
