"""Notification rules: reminder due time, settings, push tokens, texts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import DomainError, ErrorCode
from domain.notifications import (
    MAX_MESSAGE_LENGTH,
    MAX_TITLE_LENGTH,
    NotificationKind,
    NotificationSettings,
    check_push_token,
    check_text,
    reminder_due,
)

NOW = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
LEAD = timedelta(minutes=15)
instants = st.datetimes(
    min_value=datetime(2000, 1, 1),  # noqa: DTZ001  (bounds for hypothesis; the zone is UTC)
    max_value=datetime(2100, 1, 1),  # noqa: DTZ001
    timezones=st.just(UTC),
)
leads = st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=7))


def answer(error: DomainError) -> tuple[ErrorCode, str, str | None]:
    return (error.code, error.message, error.field)


def test_a_reminder_is_due_the_lead_before_the_start() -> None:
    assert reminder_due(NOW + timedelta(hours=2), NOW, LEAD) == NOW + timedelta(hours=1, minutes=45)


def test_a_booking_starting_sooner_than_the_lead_is_reminded_of_at_once() -> None:
    assert reminder_due(NOW + timedelta(minutes=5), NOW, LEAD) == NOW


def test_a_booking_starting_exactly_the_lead_ahead_is_due_now() -> None:
    assert reminder_due(NOW + LEAD, NOW, LEAD) == NOW


@given(start=instants, now=instants, lead=leads)
def test_a_reminder_is_never_due_before_now_nor_later_than_the_lead_before_the_start(
    start: datetime, now: datetime, lead: timedelta
) -> None:
    due = reminder_due(start, now, lead)
    assert due >= now
    assert due == now or due == start - lead
    assert due <= max(now, start - lead)


def test_naive_instants_and_negative_leads_are_refused() -> None:
    with pytest.raises(DomainError) as naive:
        reminder_due(datetime(2026, 11, 23, 9), NOW, LEAD)  # noqa: DTZ001 (the point)
    with pytest.raises(DomainError) as negative:
        reminder_due(NOW, NOW, -LEAD)
    assert answer(naive.value) == (
        ErrorCode.INVALID_INPUT,
        "start must carry a time zone offset",
        "start",
    )
    assert answer(negative.value) == (
        ErrorCode.INVALID_INPUT,
        "the reminder lead cannot be negative",
        "lead",
    )


def test_new_accounts_want_everything() -> None:
    settings = NotificationSettings()
    assert all(settings.wants(kind) for kind in NotificationKind)


@pytest.mark.parametrize("kind", list(NotificationKind))
def test_only_invitations_and_reminders_can_be_turned_off(kind: NotificationKind) -> None:
    off = NotificationSettings(invites=False, booking_reminders=False)
    assert off.wants(kind) is (kind not in (NotificationKind.INVITATION, NotificationKind.REMINDER))


def test_invites_and_reminders_are_independent() -> None:
    no_invites = NotificationSettings(invites=False)
    assert not no_invites.wants(NotificationKind.INVITATION)
    assert no_invites.wants(NotificationKind.REMINDER)


@pytest.mark.parametrize(
    "token",
    ["ExponentPushToken[xxxxxxxxxxxxxxxxxxxxxx]", "ExpoPushToken[a-b_c]", " ExpoPushToken[1] "],
)
def test_expo_push_tokens_are_accepted_trimmed(token: str) -> None:
    assert check_push_token(token) == token.strip()


@pytest.mark.parametrize(
    "token",
    [
        "",
        "ExponentPushToken[]",
        "ExponentPushToken[a b]",
        "FakeToken[abc]",
        "ExponentPushToken[abc",
        "ExponentPushToken[" + "a" * 181 + "]",
    ],
)
def test_anything_else_is_not_a_push_token(token: str) -> None:
    with pytest.raises(DomainError) as refused:
        check_push_token(token)
    assert answer(refused.value) == (
        ErrorCode.INVALID_INPUT,
        "token must be an Expo push token like ExponentPushToken[…]",
        "token",
    )


def test_texts_are_trimmed_and_bounded() -> None:
    assert check_text("  Hi ", " there ") == ("Hi", "there")
    with pytest.raises(DomainError) as empty:
        check_text(" ", "x")
    with pytest.raises(DomainError) as long:
        check_text("x", "y" * (MAX_MESSAGE_LENGTH + 1))
    assert answer(empty.value) == (
        ErrorCode.INVALID_INPUT,
        f"title must have 1 to {MAX_TITLE_LENGTH} characters",
        "title",
    )
    assert answer(long.value) == (
        ErrorCode.INVALID_INPUT,
        f"message must have 1 to {MAX_MESSAGE_LENGTH} characters",
        "message",
    )
