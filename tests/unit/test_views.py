"""Views: what one caller may see of a booking or a person."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.bookings import Attendee, Booking, BookingSource, BookingStatus
from domain.intervals import Interval
from domain.users import Actor, Role, User
from gateway.services.views import BookingDetails, BookingView, PersonView

START = datetime(2024, 8, 21, 8, 0, tzinfo=UTC)
END = START + timedelta(hours=1)
CREATED = START - timedelta(days=1)
CREATOR = Actor(1, "creator@example.com", Role.BASIC)
INVITEE = Actor(2, "invitee@example.com", Role.BASIC)
GUEST = Actor(3, "guest@example.com", Role.BASIC)  # invited by e-mail before signing up
ADMIN = Actor(4, "admin@example.com", Role.ADMIN)
STRANGER = Actor(5, "stranger@example.com", Role.BASIC)
ATTENDEES = (
    Attendee(CREATOR.email, CREATOR.user_id),
    Attendee(INVITEE.email, INVITEE.user_id, START),
    Attendee(GUEST.email),
)


def booking(
    status: BookingStatus = BookingStatus.ACTIVE, attendees: tuple[Attendee, ...] = ATTENDEES
) -> Booking:
    cancelled = status is BookingStatus.CANCELLED
    return Booking(
        id=1,
        code="BK0001",
        room_id=7,
        creator_id=CREATOR.user_id,
        interval=Interval(START, END),
        status=status,
        source=BookingSource.TIMETABLE,
        attendees=attendees,
        created_at=CREATED,
        cancelled_at=START - timedelta(hours=1) if cancelled else None,
        title="Budget review",
        cancelled_by=CREATOR.user_id if cancelled else None,
    )


def busy_time(details: BookingDetails | None) -> BookingView:
    """What everybody signed in may see of `booking()`, with `details`."""
    return BookingView(
        code="BK0001",
        room_id=7,
        interval=Interval(START, END),
        status=BookingStatus.ACTIVE,
        source=BookingSource.TIMETABLE,
        cancelled_at=None,
        details=details,
    )


FULL = BookingDetails(
    title="Budget review",
    creator_id=CREATOR.user_id,
    attendees=ATTENDEES,
    created_at=CREATED,
    checked_in=True,
)


@pytest.mark.parametrize(
    "viewer",
    [CREATOR, INVITEE, GUEST, ADMIN],
    ids=["creator", "invitee", "invited-by-email", "admin"],
)
def test_the_bookings_people_and_admins_see_its_details(viewer: Actor) -> None:
    assert BookingView.of(booking(), viewer) == busy_time(FULL)


@pytest.mark.parametrize(
    "viewer",
    [
        pytest.param(STRANGER, id="stranger"),
        # The invitee's row belongs to their account, not to whoever holds the address now.
        pytest.param(Actor(9, INVITEE.email, Role.BASIC), id="new-owner-of-an-address"),
    ],
)
def test_anybody_else_sees_only_the_busy_time(viewer: Actor) -> None:
    assert BookingView.of(booking(), viewer) == busy_time(None)


def test_a_renamed_creator_still_sees_the_details() -> None:
    renamed = Actor(CREATOR.user_id, "creator.new@example.com", Role.BASIC)

    assert BookingView.of(booking(), renamed) == busy_time(FULL)


def test_checked_in_says_whether_anybody_has() -> None:
    nobody = tuple(Attendee(a.email, a.user_id) for a in ATTENDEES)

    view = BookingView.of(booking(attendees=nobody), CREATOR)

    assert view.details is not None
    assert view.details.checked_in is False
    assert view.details.attendees == nobody


def test_a_cancelled_booking_shows_its_status_and_time_to_everybody() -> None:
    cancelled = booking(BookingStatus.CANCELLED)

    for viewer in (STRANGER, CREATOR):
        view = BookingView.of(cancelled, viewer)
        assert (view.status, view.cancelled_at) == (
            BookingStatus.CANCELLED,
            START - timedelta(hours=1),
        )
    assert BookingView.of(cancelled, STRANGER).details is None
    assert BookingView.of(cancelled, CREATOR).details is not None


ALICE = User(id=7, email="alice@example.com", name="Alice", role=Role.BASIC)
BOSS = User(id=8, email="boss@example.com", name="The Boss", role=Role.ADMIN)


@pytest.mark.parametrize(
    ("user", "viewer"),
    [
        pytest.param(ALICE, ALICE.as_actor(), id="self"),
        pytest.param(ALICE, ADMIN, id="admin-sees-a-user"),
        pytest.param(BOSS, BOSS.as_actor(), id="admin-self"),
        pytest.param(BOSS, ADMIN, id="admin-sees-an-admin"),
    ],
)
def test_a_person_is_shown_in_full_to_themselves_and_admins(user: User, viewer: Actor) -> None:
    assert PersonView.of(user, viewer) == PersonView(user.id, user.name, user.email, user.role)


@pytest.mark.parametrize(
    ("user", "viewer"),
    [
        pytest.param(ALICE, STRANGER, id="another-user"),
        pytest.param(BOSS, ALICE.as_actor(), id="a-user-sees-an-admin"),
        # Same address, another account: the address alone proves nothing.
        pytest.param(ALICE, Actor(99, ALICE.email, Role.BASIC), id="same-address-other-id"),
    ],
)
def test_others_see_only_the_id_and_the_name(user: User, viewer: Actor) -> None:
    assert PersonView.of(user, viewer) == PersonView(user.id, user.name, None, None)
