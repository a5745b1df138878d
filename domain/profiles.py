"""A person's profile details: what the original app showed on its profile page, each
value trimmed, bounded and checked here so every API stores the same thing."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields, replace
from datetime import date
from typing import Any

from domain.errors import invalid
from domain.text import check_text

MAX_GENDER_LENGTH = 40
MAX_PRONOUNS_LENGTH = 40
MAX_POSITION_LENGTH = 100
MAX_DEPARTMENT_LENGTH = 100
MAX_CONTACT_LENGTH = 20
MAX_AGE_YEARS = 130
EMPLOYEE_ID_PREFIX = "OCCUPI"
MAX_EMPLOYEE_ID_LENGTH = 20
_EMPLOYEE_ID = re.compile(rf"^{EMPLOYEE_ID_PREFIX}[0-9]{{1,{MAX_EMPLOYEE_ID_LENGTH - 6}}}$")
# An optional leading +, then digits with single spaces or hyphens between groups.
_CONTACT = re.compile(r"^\+?[0-9]+([ -][0-9]+)*$")
_MIN_CONTACT_DIGITS = 7

ADMIN_MANAGED = frozenset({"employee_id", "position", "department"})
"""Fields only an admin may set: they describe the person's place in the organisation."""


@dataclass(frozen=True)
class Profile:
    """A person's details; None: not given."""

    date_of_birth: date | None = None
    gender: str | None = None
    pronouns: str | None = None
    contact_number: str | None = None
    employee_id: str | None = None
    position: str | None = None
    department: str | None = None

    def updated(self, changes: dict[str, Any]) -> Profile:
        """This profile with `changes` (field name -> already checked value) applied."""
        unknown = set(changes) - {f.name for f in fields(self)}
        if unknown:
            raise ValueError(f"not profile fields: {sorted(unknown)}")
        return replace(self, **changes)


def clean_text(raw: str | None, field: str, max_length: int) -> str | None:
    """Whitespace collapsed; empty or None: cleared; no control characters (domain.text)."""
    if raw is None:
        return None
    text = check_text(" ".join(raw.split()), field)
    if not text:
        return None
    if len(text) > max_length:
        raise invalid(f"{field} must be at most {max_length} characters", field)
    return text


def clean_employee_id(raw: str | None, field: str = "employeeId") -> str | None:
    """`OCCUPI` followed by digits (case-insensitive on input, stored upper-case)."""
    text = clean_text(raw, field, MAX_EMPLOYEE_ID_LENGTH)
    if text is None:
        return None
    text = text.upper()
    if not _EMPLOYEE_ID.fullmatch(text):
        raise invalid(
            f"an employee id is {EMPLOYEE_ID_PREFIX} followed by 1 to "
            f"{MAX_EMPLOYEE_ID_LENGTH - len(EMPLOYEE_ID_PREFIX)} digits, e.g. OCCUPI20240001",
            field,
        )
    return text


def clean_contact_number(raw: str | None, field: str = "contactNumber") -> str | None:
    """Digits, optionally a leading +, single spaces or hyphens between groups."""
    text = clean_text(raw, field, MAX_CONTACT_LENGTH)
    if text is None:
        return None
    digits = sum(c.isdigit() for c in text)
    if not _CONTACT.fullmatch(text) or digits < _MIN_CONTACT_DIGITS:
        raise invalid(
            f"a contact number has at least {_MIN_CONTACT_DIGITS} digits, optionally a "
            "leading + and single spaces or hyphens between groups",
            field,
        )
    return text


def check_date_of_birth(born: date | None, today: date, field: str = "dateOfBirth") -> date | None:
    """Not in the future and not more than MAX_AGE_YEARS ago."""
    if born is None:
        return None
    if born > today:
        raise invalid("the date of birth is in the future", field)
    if today.year - born.year > MAX_AGE_YEARS:
        raise invalid(f"the date of birth is more than {MAX_AGE_YEARS} years ago", field)
    return born


def generated_employee_id(year: int, serial: int) -> str:
    """The original's shape for new accounts: OCCUPI<YYYY><4 digits>."""
    if not 0 <= serial <= 9999 or not 1000 <= year <= 9999:
        raise ValueError("the year has 4 digits and the serial at most 4")
    return f"{EMPLOYEE_ID_PREFIX}{year:04d}{serial:04d}"


_INPUT_NAMES = {
    "date_of_birth": "dateOfBirth",
    "gender": "gender",
    "pronouns": "pronouns",
    "contact_number": "contactNumber",
    "employee_id": "employeeId",
    "position": "position",
    "department": "department",
}


def input_name(field: str) -> str:
    """The API's (camelCase) name of a profile field, for error messages."""
    return _INPUT_NAMES[field]


def edited(current: Profile, changes: dict[str, Any], today: date) -> Profile:
    """`current` with each given field checked and replaced: absent keys stay, None (or
    blank text) clears. Raises INVALID_INPUT naming the API field of a bad value."""
    checked: dict[str, Any] = {}
    for name, raw in changes.items():
        if name not in _INPUT_NAMES:
            raise ValueError(f"not a profile field: {name}")
        field = _INPUT_NAMES[name]
        if name == "date_of_birth":
            checked[name] = check_date_of_birth(raw, today, field)
        elif name == "employee_id":
            checked[name] = clean_employee_id(raw, field)
        elif name == "contact_number":
            checked[name] = clean_contact_number(raw, field)
        else:
            checked[name] = clean_text(raw, field, _LIMITS[name])
    return current.updated(checked)


_LIMITS = {
    "gender": MAX_GENDER_LENGTH,
    "pronouns": MAX_PRONOUNS_LENGTH,
    "position": MAX_POSITION_LENGTH,
    "department": MAX_DEPARTMENT_LENGTH,
}
