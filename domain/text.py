"""Text a caller sends: one rule for every string, with a documented length cap per kind.

Refused everywhere: lone surrogates (U+D800-U+DFFF: they cannot be encoded as UTF-8, so
no database, log or mail could hold them) and control characters (U+0000-U+001F,
U+007F-U+009F), except that multi-line text (descriptions, messages) keeps tab, line feed
and carriage return.
"""

from __future__ import annotations

import re
from enum import IntEnum

from domain.errors import invalid


class TextCap(IntEnum):
    """The most characters a string of each kind may have (after trimming)."""

    CODE = 64  # room codes, one-time codes, employee ids, push tokens' kinds
    NAME = 120  # people's, rooms' and locations' names
    TITLE = 200  # booking and notification titles, room numbers, resources
    ID = 200  # global ids and the keys they carry
    SEARCH = 254  # search strings: no name or e-mail address is longer
    EMAIL = 254  # RFC 5321's limit on a forward path
    DESCRIPTION = 2000  # multi-line free text
    ANY = 10_000  # any other string, checked at the edge of every API


_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_CONTROL_BUT_LINES = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def text_problem(value: str, *, multiline: bool = False) -> str | None:
    """Why `value` cannot be stored as text, or None when it can."""
    found = _SURROGATE.search(value)
    if found:
        return f"contains a lone surrogate (U+{ord(found.group()):04X})"
    found = (_CONTROL_BUT_LINES if multiline else _CONTROL).search(value)
    if found:
        return f"contains a control character (U+{ord(found.group()):04X})"
    return None


def check_text(value: str, field: str, *, multiline: bool = False) -> str:
    """`value` itself, or INVALID_INPUT naming `field` when it holds what text may not."""
    problem = text_problem(value, multiline=multiline)
    if problem is not None:
        raise invalid(f"{field} {problem}", field)
    return value


def clean_text(
    value: str, field: str, limit: int, *, required: bool = False, multiline: bool = False
) -> str:
    """`value` trimmed, at most `limit` characters, without forbidden characters;
    `required`: not empty either. Each failure is INVALID_INPUT naming `field`."""
    cleaned = check_text(value, field, multiline=multiline).strip()
    if required and not cleaned:
        raise invalid(f"{field} cannot be empty", field)
    if len(cleaned) > limit:
        raise invalid(f"{field} must be at most {limit} characters", field)
    return cleaned


def clean_optional(value: str | None, field: str, limit: int) -> str | None:
    """A search or filter string: trimmed, None when blank, otherwise as `clean_text`."""
    if value is None:
        return None
    return clean_text(value, field, limit) or None
