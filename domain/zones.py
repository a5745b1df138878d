"""Which time zone names a caller may give: canonical IANA names only.

The rule, on the name alone: `UTC`, or `Area/Location[/Sub]` with an IANA continent or
ocean area (or `Etc`) and locations written as the tz database writes its zones
(capitalised words, not upper-case abbreviations such as `Australia/NSW`). That refuses
what a tz directory holds besides zones — `localtime`, `Factory`, `posixrules`, the
`posix/` and `right/` trees — and the backward-compatible country and legacy aliases
(`US/Eastern`, `GB`, `EST5EDT`, `Japan`), whose meaning depends on the installed data.
The name must then also be a zone the installed tz database knows.
"""

from __future__ import annotations

import re
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from domain.errors import invalid

AREAS = (
    "Africa",
    "America",
    "Antarctica",
    "Arctic",
    "Asia",
    "Atlantic",
    "Australia",
    "Europe",
    "Indian",
    "Pacific",
)
_LOCATION = r"[A-Z][A-Za-z_\-]*[a-z][A-Za-z_\-]*"
_CANONICAL = re.compile(rf"(?:{'|'.join(AREAS)})/{_LOCATION}(?:/{_LOCATION})?")
_ETC = re.compile(r"Etc/(?:UTC|GMT|GMT[+-](?:[1-9]|1[0-4]))")


def is_canonical_zone_name(name: str) -> bool:
    """True for names of the shape the rule above accepts (say nothing of whether the
    installed tz database has them)."""
    return name == "UTC" or bool(_CANONICAL.fullmatch(name) or _ETC.fullmatch(name))


def accept_time_zone(name: str, field: str = "timeZone") -> ZoneInfo:
    """A zone a caller names (a new site's, an import's): canonical by the rule above and
    known to the installed tz database, or INVALID_INPUT naming `field`. Zones already
    stored are read with `domain.calendar.parse_time_zone`, which keeps older names."""
    unknown = invalid(f"unknown time zone {name!r}; use an IANA name", field)
    if not is_canonical_zone_name(name):
        if name in _installed() or name.startswith(("posix/", "right/")):
            raise invalid(
                f"{name!r} is not a canonical IANA time zone name (such as Europe/London or UTC)",
                field,
            )
        raise unknown
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise unknown from None


@cache
def _installed() -> frozenset[str]:
    # Only to say "not canonical" rather than "unknown"; the tz database does not change
    # while the process runs.
    return frozenset(available_timezones()) | {"localtime", "posixrules", "Factory"}
