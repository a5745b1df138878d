"""Users: roles, e-mail normalisation, the password policy and display names."""

from __future__ import annotations

import pytest

from domain.errors import DomainError, ErrorCode
from domain.users import (
    MAX_EMAIL_LENGTH,
    MAX_NAME_LENGTH,
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    Actor,
    Role,
    User,
    check_password_strength,
    clean_name,
    normalise_email,
)


def assert_invalid(exc: pytest.ExceptionInfo[DomainError], field: str) -> None:
    assert exc.value.code is ErrorCode.INVALID_INPUT
    assert exc.value.field == field


# --- roles ------------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "expected"), [(Role.ADMIN, True), (Role.BASIC, False)])
def test_actor_is_admin_follows_role(role: Role, expected: bool) -> None:
    assert Actor(1, "a@example.com", role).is_admin is expected


def test_user_acts_as_itself() -> None:
    user = User(id=7, email="ada@example.com", name="Ada", role=Role.ADMIN)
    assert user.as_actor() == Actor(user_id=7, email="ada@example.com", role=Role.ADMIN)


# --- password policy --------------------------------------------------------------------


def padded(password: str, length: int) -> str:
    """`password` extended with lower-case letters to `length` characters."""
    return password + "a" * (length - len(password))


@pytest.mark.parametrize(
    "password",
    [
        "Abcdef1!",
        "correct Horse 9",
        padded("Xy1!", MIN_PASSWORD_LENGTH),
        padded("Xy1!", MAX_PASSWORD_LENGTH),
        "Ünïcödé1€",
    ],
    ids=["minimal", "space-as-symbol", "shortest", "longest", "unicode"],
)
def test_password_policy_accepts_strong_passwords(password: str) -> None:
    check_password_strength(password)


@pytest.mark.parametrize(
    "password",
    [
        "",
        padded("Xy1!", MIN_PASSWORD_LENGTH - 1),
        padded("Xy1!", MAX_PASSWORD_LENGTH + 1),
        "ABCDEFG1!",
        "abcdefg1!",
        "Abcdefgh!",
        "Abcdefgh1",
    ],
    ids=[
        "empty",
        "too-short",
        "too-long",
        "no-lower-case",
        "no-upper-case",
        "no-digit",
        "no-symbol",
    ],
)
def test_password_policy_rejects_weak_passwords(password: str) -> None:
    with pytest.raises(DomainError) as exc:
        check_password_strength(password)
    assert_invalid(exc, "password")


def test_password_policy_names_the_given_field() -> None:
    with pytest.raises(DomainError) as exc:
        check_password_strength("weak", field="newPassword")
    assert_invalid(exc, "newPassword")


# --- e-mail addresses -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("alice@example.com", "alice@example.com"),
        ("  Alice.Smith@Example.COM \n", "alice.smith@example.com"),
        ("\tBOB+rooms@Mail.Campus.AC.ZA", "bob+rooms@mail.campus.ac.za"),
        ("O.Neil_x%y-z@Sub-Domain.example.org", "o.neil_x%y-z@sub-domain.example.org"),
    ],
)
def test_normalise_email_trims_and_lower_cases(raw: str, expected: str) -> None:
    assert normalise_email(raw) == expected


def test_normalise_email_is_idempotent() -> None:
    once = normalise_email(" Carol@Example.Com ")
    assert normalise_email(once) == once


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "alice",
        "alice@",
        "@example.com",
        "alice@example",
        "alice@@example.com",
        "alice@exa mple.com",
        "alice smith@example.com",
        "alice@example.c",
        "alice@example.com.",
        "alice@.example.com",
        "alice@example..com",
        "alice@example.123",
        "alice<script>@example.com",
        "alice@example.com\nbob@example.com",
    ],
)
def test_normalise_email_rejects_garbage(raw: str) -> None:
    with pytest.raises(DomainError) as exc:
        normalise_email(raw)
    assert_invalid(exc, "email")


def address_of_length(length: int) -> str:
    domain = "@example.com"
    return "a" * (length - len(domain)) + domain


def test_normalise_email_accepts_the_longest_address() -> None:
    assert len(normalise_email(address_of_length(MAX_EMAIL_LENGTH))) == MAX_EMAIL_LENGTH


def test_normalise_email_rejects_an_address_one_character_too_long() -> None:
    with pytest.raises(DomainError) as exc:
        normalise_email(address_of_length(MAX_EMAIL_LENGTH + 1))
    assert_invalid(exc, "email")


def test_normalise_email_length_is_checked_after_trimming() -> None:
    raw = "   " + address_of_length(MAX_EMAIL_LENGTH) + "   "
    assert normalise_email(raw) == address_of_length(MAX_EMAIL_LENGTH)


def test_normalise_email_names_the_given_field() -> None:
    with pytest.raises(DomainError) as exc:
        normalise_email("nope", field="attendees")
    assert_invalid(exc, "attendees")


# --- names ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Ada", "Ada"),
        ("  Ada   Lovelace \t", "Ada Lovelace"),
        ("Ada\nKing\u00a0Lovelace", "Ada King Lovelace"),
        ("x" * MAX_NAME_LENGTH, "x" * MAX_NAME_LENGTH),
        ("x" * 60 + " " * 10 + "y" * 59, "x" * 60 + " " + "y" * 59),
    ],
    ids=["plain", "collapses-spaces", "collapses-any-whitespace", "longest", "long-after-collapse"],
)
def test_clean_name_collapses_whitespace(raw: str, expected: str) -> None:
    assert clean_name(raw) == expected


@pytest.mark.parametrize(
    "raw", ["", "   ", "\t\n", "x" * (MAX_NAME_LENGTH + 1)], ids=["empty", "spaces", "tabs", "long"]
)
def test_clean_name_rejects_empty_and_too_long(raw: str) -> None:
    with pytest.raises(DomainError) as exc:
        clean_name(raw)
    assert_invalid(exc, "name")


def test_clean_name_names_the_given_field() -> None:
    with pytest.raises(DomainError) as exc:
        clean_name(" ", field="roomName")
    assert_invalid(exc, "roomName")
