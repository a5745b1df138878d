"""On-site presence: toggling in office hours, office hours per site, who is on site, and
office-hours analytics. Basic users see and change only their own presence; admins
anyone's, and set sites' office hours."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta

from domain.errors import DomainError, ErrorCode, invalid
from domain.locations import Location
from domain.office_hours import OfficeHours
from domain.presence import (
    ClosedBy,
    SiteClock,
    is_stale,
    settle,
    toggle_off,
    toggle_on,
)
from domain.presence_analytics import PresenceSummary, check_range, summarise
from gateway.services.authz import Principal, not_found
from gateway.services.ports import Clock, Database
from gateway.services.presence_access import (
    PresenceStatus,
    count_on_site,
    only_site,
    site_clock,
    site_clocks,
    stays_of,
    target_of,
)


class Presence:
    """Presence use cases. Every caller must be signed in; `sweep` and `counts_on_site`
    are for the gateway's own jobs and read models, which have no caller."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def toggle(
        self,
        principal: Principal,
        *,
        on_site: bool,
        site_id: int | None = None,
        user_id: int | None = None,
    ) -> PresenceStatus:
        """Go on site (at `site_id`, or the only site) or off site, inside the office hours
        of the site concerned; `user_id` other than one's own only for admins. A session
        forgotten open is first closed at the end of its office day, and stays closed even
        when the toggle itself is refused."""
        target = target_of(principal.require(), user_id)
        now = self._clock.now()
        async with self._db.writing() as uow:
            await uow.lock(f"presence:{target}")
            if await uow.users.get(target) is None:
                raise not_found("user", str(target), "user")
            current = await uow.presence.open_of(target)
            here = await site_clock(uow, current.site_id) if current else None
            forgotten = settle(current, now, here, ClosedBy.LAZY) if here else None
            if forgotten:
                await uow.presence.close(forgotten)
                current = None
            try:
                if on_site:
                    site = await site_clock(uow, site_id if site_id else await only_site(uow))
                    toggle_on(current, now, site)
                    current = await uow.presence.enter(user_id=target, site_id=site.site_id, at=now)
                else:
                    await uow.presence.close(toggle_off(current, now, here))
                    current = None
            except DomainError:
                if forgotten:
                    await uow.commit()
                raise
            await uow.commit()
        return PresenceStatus(target, current)

    async def status(self, principal: Principal, user_id: int | None = None) -> PresenceStatus:
        """One's own status, or (admins) anyone's. A session whose office day has ended
        counts as closed, even before the sweep has closed it."""
        target = target_of(principal.require(), user_id)
        async with self._db.reading() as uow:
            if await uow.users.get(target) is None:
                raise not_found("user", str(target), "user")
            current = await uow.presence.open_of(target)
            if current is not None:
                site = await site_clock(uow, current.site_id)
                if is_stale(current, self._clock.now(), site):
                    current = None
        return PresenceStatus(target, current)

    async def office_hours(self, principal: Principal, site_id: int) -> OfficeHours:
        """A site's office hours, for anybody signed in."""
        principal.require()
        async with self._db.reading() as uow:
            return (await site_clock(uow, site_id)).hours

    async def set_office_hours(
        self, principal: Principal, site_id: int, days: Sequence[tuple[int, time, time]]
    ) -> OfficeHours:
        """Admins only: replace a site's week; weekdays left out are closed."""
        principal.require_admin()
        hours = OfficeHours.of(days)
        async with self._db.writing() as uow:
            await site_clock(uow, site_id)
            await uow.office_hours.replace(site_id, hours)
            await uow.commit()
        return hours

    async def people_on_site(self, principal: Principal, site_id: int | None = None) -> int:
        """How many people are on the site (the only site, if none is named) now, for
        anybody signed in."""
        principal.require()
        async with self._db.reading() as uow:
            site = await site_clock(uow, site_id if site_id else await only_site(uow))
            sessions = await uow.presence.open_at_sites([site.site_id])
        return count_on_site(sessions, {site.site_id: site}, self._clock.now())[site.site_id]

    async def people_on_sites(
        self, principal: Principal, sites: Sequence[Location]
    ) -> list[int | None]:
        """For each location, how many people are on it now; None for other kinds than
        sites. Two statements whatever the count, for anybody signed in."""
        principal.require()
        async with self._db.reading() as uow:
            clocks = await site_clocks(uow, sites)
            sessions = await uow.presence.open_at_sites(list(clocks)) if clocks else []
        counts = count_on_site(sessions, clocks, self._clock.now())
        return [counts.get(s.id) for s in sites]

    async def office_hours_of(
        self, principal: Principal, sites: Sequence[Location]
    ) -> list[OfficeHours | None]:
        """Each location's office hours; None for other kinds than sites. One statement."""
        principal.require()
        async with self._db.reading() as uow:
            clocks = await site_clocks(uow, sites)
        return [clocks[s.id].hours if s.id in clocks else None for s in sites]

    async def counts_on_site(self, site_ids: Sequence[int]) -> Mapping[int, int]:
        """People on each site now (stale sessions left out), for the live occupancy
        read model; no authorisation: callers must only pass what their caller may see.
        Unknown ids and non-sites count 0."""
        async with self._db.reading() as uow:
            found = [await uow.locations.get(i) for i in dict.fromkeys(site_ids)]
            clocks = await site_clocks(uow, [loc for loc in found if loc is not None])
            sessions = await uow.presence.open_at_sites(list(clocks)) if clocks else []
        counts = count_on_site(sessions, clocks, self._clock.now())
        return {i: counts.get(i, 0) for i in site_ids}

    async def sweep(self) -> int:
        """Close every session whose office day has ended, at that day's closing time;
        returns how many. Run by the end-of-day job; safe to run anywhere, any time."""
        now = self._clock.now()
        closed = 0
        async with self._db.writing() as uow:
            sites: dict[int, SiteClock] = {}
            for session in await uow.presence.all_open():
                if session.site_id not in sites:
                    sites[session.site_id] = await site_clock(uow, session.site_id)
                closing = settle(session, now, sites[session.site_id], ClosedBy.SWEEP)
                if closing:
                    await uow.presence.close(closing)
                    closed += 1
            await uow.commit()
        return closed

    async def analytics(
        self,
        principal: Principal,
        *,
        first: date,
        last: date,
        user_id: int | None = None,
        everyone: bool = False,
    ) -> PresenceSummary:
        """Office hours per local day and ISO week, and average arrival and departure, over
        local days [first, last] (at most 366): one's own, or (admins) anyone's, or
        everyone's together. Open sessions count up to now (capped at their day's end)."""
        actor = principal.require()
        if everyone and not actor.is_admin:
            raise DomainError(
                ErrorCode.FORBIDDEN, "only an admin may see everyone's analytics", field="everyone"
            )
        if everyone and user_id is not None:
            raise invalid("ask for one person or for everyone, not both", "user")
        check_range(first, last)
        target = None if everyone else target_of(actor, user_id)
        since = datetime.combine(first - timedelta(days=1), time(), tzinfo=UTC)
        until = datetime.combine(last + timedelta(days=2), time(), tzinfo=UTC)
        now = self._clock.now()
        async with self._db.reading() as uow:
            if target is not None and await uow.users.get(target) is None:
                raise not_found("user", str(target), "user")
            sessions = await uow.presence.entered_between(target, since, until)
            sites = {s: await site_clock(uow, s) for s in {x.site_id for x in sessions}}
        return summarise(stays_of(sessions, sites, now), first, last)
