"""FLEP's time convention: local wall-clock times labelled as UTC.

The original stored Europe/Zurich wall-clock times as if they were UTC, and its clients
rely on it: `"2024-03-04T08:00:00.000Z"` means 08:00 local. The shim keeps that on the
wire (in the zone `Timetables.wall_clock_zone` names) and converts at the edge; GraphQL
speaks true UTC instants.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from domain.errors import invalid


def render(instant: datetime, zone: ZoneInfo) -> str:
    """A true instant as FLEP writes it: local wall clock, milliseconds, a `Z`."""
    local = instant.astimezone(zone)
    return local.replace(tzinfo=None).isoformat(timespec="milliseconds") + "Z"


def render_date(day: date) -> str:
    """A date as FLEP's BSON dates came out: midnight, `Z`."""
    return f"{day.isoformat()}T00:00:00.000Z"


def parse(raw: object, zone: ZoneInfo, message: str, field: str) -> datetime:
    """A FLEP datetime: a `Z` or no offset means local wall clock in `zone` (the
    convention); any other offset is taken at its word. Anything else: 400 `message`."""
    if not isinstance(raw, str) or not raw.strip():
        raise invalid(message, field)
    text = raw.strip()
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise invalid(message, field) from None
    if parsed.tzinfo is None or parsed.utcoffset() == timedelta(0):
        return parsed.replace(tzinfo=zone)
    return parsed
