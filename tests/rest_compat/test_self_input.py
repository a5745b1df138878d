"""The loose-input readers of the self-service Occupi endpoints."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import DomainError, ErrorCode, invalid
from rest_compat.occupi.self_input import email_list, flag, named, on_off, required, text


def refused(call: Any, *args: Any) -> tuple[str, str | None]:
    with pytest.raises(DomainError) as caught:
        call(*args)
    assert caught.value.code is ErrorCode.INVALID_INPUT
    return caught.value.message, caught.value.field


@given(st.text())
def test_text_keeps_strings(value: str) -> None:
    assert text(value, "f") == value


def test_text_takes_numbers_as_digits_and_refuses_the_rest() -> None:
    assert text(1, "departmentNo") == "1"
    assert text(None, "f") is None
    odd: tuple[object, ...] = (True, 1.5, [], {})
    for value in odd:
        assert refused(text, value, "name") == ("name must be a string", "name")
    assert refused(required, "  ", "email") == ("email must be provided", "email")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (True, True),
        (False, False),
        (None, None),
        ("true", True),
        ("FALSE", False),
        ("on", True),
        ("off", False),
        (" yes ", True),
        ("0", False),
    ],
)
def test_flags(value: object, expected: bool | None) -> None:
    assert flag(value, "f") == expected


def test_on_off() -> None:
    assert [on_off(v, "mfa") for v in ("on", "off", "", None, True)] == [
        True,
        False,
        None,
        None,
        True,
    ]
    assert refused(on_off, "On", "mfa") == ("mfa must be either 'on' or 'off'", "mfa")


def test_email_lists() -> None:
    assert email_list("a@x.io,b@x.io,") == ["a@x.io", "b@x.io"]
    assert email_list(["a@x.io"]) == ["a@x.io"]
    for value in (None, 3, [1], {"a": 1}):
        assert refused(email_list, value)[1] == "emails"
    assert refused(email_list, []) == ("emails must list at least one e-mail address", "emails")


def test_named_puts_the_legacy_field_in_the_message() -> None:
    renames = {"contactNumber": "number"}
    renamed = named(invalid("a contact number has at least 7 digits", "contactNumber"), renames)
    assert renamed.message == "a contact number has at least 7 digits"
    renamed = named(invalid("not a date", "dateOfBirth"), {"dateOfBirth": "dob"})
    assert (renamed.message, renamed.field) == ("dob: not a date", "dob")
    other = DomainError(ErrorCode.FORBIDDEN, "no", field="user")
    assert named(other, {}) is other
