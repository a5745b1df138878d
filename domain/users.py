"""Who acts: roles, e-mail addresses and the password policy."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from domain.errors import invalid
from domain.text import check_text

_EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
MAX_EMAIL_LENGTH = 254
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 256
MAX_NAME_LENGTH = 120


class Role(StrEnum):
    ADMIN = "admin"
    BASIC = "basic"


@dataclass(frozen=True)
class Actor:
    """An authenticated person acting on the system."""

    user_id: int
    email: str
    role: Role

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN


def normalise_email(raw: str, field: str = "email") -> str:
    """Trimmed, lower-cased and checked; e-mail addresses are compared case-insensitively."""
    email = raw.strip().lower()
    if len(email) > MAX_EMAIL_LENGTH or not _EMAIL.fullmatch(email):
        raise invalid(f"{raw!r} is not a valid e-mail address", field)
    return email


def check_password_strength(password: str, field: str = "password") -> None:
    """At least 8 characters: a lower-case and an upper-case letter, a digit and a symbol."""
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise invalid(
            f"password must be {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters long",
            field,
        )
    classes = (
        any(c.islower() for c in password),
        any(c.isupper() for c in password),
        any(c.isdigit() for c in password),
        any(not c.isalnum() for c in password),
    )
    if not all(classes):
        raise invalid(
            "password needs a lower-case letter, an upper-case letter, a digit and a symbol",
            field,
        )


def clean_name(raw: str, field: str = "name") -> str:
    name = check_text(" ".join(raw.split()), field)
    if not name or len(name) > MAX_NAME_LENGTH:
        raise invalid(f"name must be 1 to {MAX_NAME_LENGTH} characters", field)
    return name


@dataclass(frozen=True)
class User:
    """A person with an account. The password hash never leaves the store's credential call."""

    id: int
    email: str
    name: str
    role: Role

    def as_actor(self) -> Actor:
        return Actor(user_id=self.id, email=self.email, role=self.role)
