"""What presence use cases share: the status they answer, sites' clocks, whose presence
a caller may act on, and how open sessions are counted and measured."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from domain.calendar import parse_time_zone
from domain.errors import DomainError, ErrorCode, invalid
from domain.locations import Location, LocationKind
from domain.office_hours import OfficeHours
from domain.presence import PresenceSession, SiteClock, cap, is_stale
from domain.presence_analytics import Stay
from domain.users import Actor
from gateway.services.authz import not_found
from gateway.services.ports import UnitOfWork
from gateway.services.records import PageRequest


@dataclass(frozen=True)
class PresenceStatus:
    """Whether the person is on site now, and the open session that says so."""

    user_id: int
    session: PresenceSession | None

    @property
    def on_site(self) -> bool:
        return self.session is not None


async def site_clock(uow: UnitOfWork, site_id: int, field: str = "site") -> SiteClock:
    """A site's zone and office hours (the default when it has none of its own)."""
    location = await uow.locations.get(site_id)
    if location is None:
        raise not_found("location", str(site_id), field)
    if location.kind is not LocationKind.SITE or location.time_zone is None:
        raise invalid(f"location {site_id} is a {location.kind.value}, not a site", field)
    hours = await uow.office_hours.of_site(site_id)
    return SiteClock(site_id, parse_time_zone(location.time_zone), hours or OfficeHours())


async def site_clocks(uow: UnitOfWork, sites: Sequence[Location]) -> dict[int, SiteClock]:
    """The clocks of those of `sites` that are sites, by id, in one statement."""
    wanted = [s for s in sites if s.kind is LocationKind.SITE and s.time_zone is not None]
    if not wanted:
        return {}
    tables = await uow.office_hours.of_sites([s.id for s in wanted])
    return {
        s.id: SiteClock(s.id, parse_time_zone(s.time_zone or ""), tables.get(s.id, OfficeHours()))
        for s in wanted
    }


async def only_site(uow: UnitOfWork) -> int:
    """The site, when there is exactly one; otherwise the caller must name it."""
    sites = await uow.locations.list(LocationKind.SITE, None, PageRequest(2, with_total=False))
    if not sites.items:
        raise invalid("there is no site yet", "site")
    if len(sites.items) > 1:
        raise invalid("there are several sites: say which one", "site")
    return sites.items[0].id


def target_of(actor: Actor, user_id: int | None) -> int:
    """Whose presence the actor acts on: their own, or (admins only) `user_id`'s."""
    if user_id is None or user_id == actor.user_id:
        return actor.user_id
    if not actor.is_admin:
        raise DomainError(
            ErrorCode.FORBIDDEN,
            "only an admin may see or change another person's presence",
            field="user",
        )
    return user_id


def count_on_site(
    sessions: Sequence[PresenceSession], clocks: Mapping[int, SiteClock], now: datetime
) -> dict[int, int]:
    """Open sessions per site, those whose office day has ended left out."""
    counts = dict.fromkeys(clocks, 0)
    for session in sessions:
        if not is_stale(session, now, clocks[session.site_id]):
            counts[session.site_id] += 1
    return counts


def stays_of(
    sessions: Sequence[PresenceSession], clocks: Mapping[int, SiteClock], now: datetime
) -> list[Stay]:
    """Sessions as stays for analytics: open ones end now, capped at their day's end."""
    return [
        Stay(
            s.user_id,
            clocks[s.site_id].zone,
            s.entered_at,
            s.exited_at or cap(s.entered_at, now, clocks[s.site_id]),
        )
        for s in sessions
    ]
