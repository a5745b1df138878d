"""Profile details: each value is trimmed, bounded and checked, with the API field named."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import DomainError, ErrorCode
from domain.logins import LoginChallengeReason, challenge_reason
from domain.profiles import (
    Profile,
    check_date_of_birth,
    clean_contact_number,
    clean_employee_id,
    clean_text,
    edited,
    generated_employee_id,
)
from domain.text import text_problem

TODAY = date(2026, 11, 23)


def refusal(error: DomainError) -> tuple[ErrorCode, str | None]:
    return error.code, error.field


def test_an_edit_changes_only_the_given_fields_and_none_clears() -> None:
    before = Profile(gender="female", pronouns="she/her", department="Finance")

    after = edited(before, {"pronouns": None, "contact_number": " +27 82 555 0100 "}, TODAY)

    assert after == Profile(gender="female", contact_number="+27 82 555 0100", department="Finance")


def test_blank_text_clears_and_whitespace_is_collapsed() -> None:
    assert clean_text("   ", "gender", 40) is None
    assert clean_text("  non   binary ", "gender", 40) == "non binary"


def test_text_over_its_bound_names_the_field() -> None:
    with pytest.raises(DomainError) as caught:
        edited(Profile(), {"position": "x" * 101}, TODAY)
    assert refusal(caught.value) == (ErrorCode.INVALID_INPUT, "position")
    assert caught.value.message == "position must be at most 100 characters"


@pytest.mark.parametrize("raw", ["occupi20240001", " OCCUPI7 ", "OCCUPI12345678901234"])
def test_employee_ids_are_occupi_and_digits(raw: str) -> None:
    cleaned = clean_employee_id(raw)
    assert cleaned == raw.strip().upper()


@pytest.mark.parametrize("raw", ["OCCUPI", "EMP20240001", "OCCUPI12A4", "OCCUPI123456789012345"])
def test_other_employee_ids_are_refused(raw: str) -> None:
    with pytest.raises(DomainError) as caught:
        clean_employee_id(raw)
    assert refusal(caught.value) == (ErrorCode.INVALID_INPUT, "employeeId")


@pytest.mark.parametrize("raw", ["12345", "+27 82--555", "phone me", "+", "082 555 0100 ext 2"])
def test_bad_contact_numbers_are_refused(raw: str) -> None:
    with pytest.raises(DomainError) as caught:
        clean_contact_number(raw)
    assert refusal(caught.value) == (ErrorCode.INVALID_INPUT, "contactNumber")


def test_a_birth_date_in_the_future_or_too_long_ago_is_refused() -> None:
    assert check_date_of_birth(date(1990, 5, 17), TODAY) == date(1990, 5, 17)
    for born, message in [
        (date(2026, 11, 24), "the date of birth is in the future"),
        (date(1890, 1, 1), "the date of birth is more than 130 years ago"),
    ]:
        with pytest.raises(DomainError) as caught:
            check_date_of_birth(born, TODAY)
        assert (caught.value.message, caught.value.field) == (message, "dateOfBirth")


def test_unknown_fields_are_a_programming_error() -> None:
    with pytest.raises(ValueError, match="not a profile field"):
        edited(Profile(), {"role": "admin"}, TODAY)


@given(st.integers(1000, 9999), st.integers(0, 9999))
def test_generated_employee_ids_are_valid_employee_ids(year: int, serial: int) -> None:
    generated = generated_employee_id(year, serial)
    assert generated == f"OCCUPI{year}{serial:04d}"
    assert clean_employee_id(generated) == generated


@given(st.text(max_size=60))
def test_cleaning_text_is_idempotent_and_bounded(raw: str) -> None:
    collapsed = " ".join(raw.split())
    # Refused: too long, or holding a control character or lone surrogate (domain.text).
    if len(collapsed) > 40 or text_problem(collapsed) is not None:
        with pytest.raises(DomainError) as caught:
            clean_text(raw, "gender", 40)
        assert refusal(caught.value) == (ErrorCode.INVALID_INPUT, "gender")
        return
    once = clean_text(raw, "gender", 40)
    assert once == (collapsed or None)
    assert clean_text(once, "gender", 40) == once


@pytest.mark.parametrize(
    ("mfa", "new_address", "reason"),
    [
        (False, False, None),
        (True, False, LoginChallengeReason.MFA),
        (False, True, LoginChallengeReason.NEW_ADDRESS),
        # One code answers for both, and its mail names the address.
        (True, True, LoginChallengeReason.NEW_ADDRESS),
    ],
)
def test_a_sign_in_is_challenged_for_a_new_address_or_for_mfa(
    mfa: bool, new_address: bool, reason: LoginChallengeReason | None
) -> None:
    assert challenge_reason(mfa_enabled=mfa, new_address=new_address) is reason
