"""On-site presence: sessions opened and closed by toggling, capped at the office day's end.

Generalises the original's forgotten-toggle cap (`CompareAndReturnTime`, which closed at
17:00 of the entry's date) to each site's own office hours, in the site's zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from domain.errors import DomainError, ErrorCode
from domain.office_hours import OfficeHours


class ClosedBy(StrEnum):
    """Who ended a session: the person, the next toggle (lazily), or the end-of-day sweep."""

    USER = "user"
    LAZY = "lazy"
    SWEEP = "sweep"


@dataclass(frozen=True)
class SiteClock:
    """What presence rules need of a site: its zone and office hours."""

    site_id: int
    zone: ZoneInfo
    hours: OfficeHours


@dataclass(frozen=True)
class PresenceSession:
    """A stay on site; `exited_at` is None while it is open."""

    id: int
    user_id: int
    site_id: int
    entered_at: datetime
    exited_at: datetime | None = None
    closed_by: ClosedBy | None = None

    @property
    def is_open(self) -> bool:
        return self.exited_at is None


@dataclass(frozen=True)
class Closing:
    """The decision to close session `session_id` at `at`."""

    session_id: int
    at: datetime
    by: ClosedBy


def cap(entered: datetime, at: datetime, site: SiteClock) -> datetime:
    """When a session entered at `entered` and closed at `at` ends: `at`, but never after
    its office day's end nor before `entered` (the generalised CompareAndReturnTime)."""
    return max(entered, min(at, site.hours.day_end(entered, site.zone)))


def is_stale(session: PresenceSession, now: datetime, site: SiteClock) -> bool:
    """An open session whose office day has ended: it counts as closed already."""
    return session.is_open and now >= site.hours.day_end(session.entered_at, site.zone)


def settle(
    session: PresenceSession | None, now: datetime, site: SiteClock, by: ClosedBy
) -> Closing | None:
    """Close a forgotten session at the end of its office day (`by` lazy or sweep)."""
    if session is None or not is_stale(session, now, site):
        return None
    return Closing(session.id, cap(session.entered_at, now, site), by)


def toggle_on(current: PresenceSession | None, now: datetime, site: SiteClock) -> None:
    """Check that the person, whose open session (already settled) is `current`, may go on
    site now: inside the site's office hours and not on site already."""
    site.hours.require_open(now, site.zone)
    if current is not None and current.is_open:
        raise DomainError(
            ErrorCode.ALREADY_ON_SITE,
            f"already on site since {current.entered_at.astimezone(site.zone):%Y-%m-%d %H:%M}"
            " (site time); toggle off first",
            field="onSite",
        )


def toggle_off(current: PresenceSession | None, now: datetime, site: SiteClock | None) -> Closing:
    """Close the person's open session (already settled) now, inside office hours of its
    site; an error when there is none."""
    if current is None or not current.is_open or site is None:
        raise DomainError(
            ErrorCode.ALREADY_OFF_SITE, "already off site: there is no open session", field="onSite"
        )
    site.hours.require_open(now, site.zone)
    return Closing(current.id, cap(current.entered_at, now, site), ClosedBy.USER)
