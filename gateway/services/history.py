"""Occupancy history of one location over local days, from the hourly rollups: for
anybody signed in, or a `read` token within its subtree."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from domain.history import History, HourValue, Range, leaf_hours, summed_hours
from domain.locations import Location, zone_of
from domain.occupancy import Occupancy, occupancy_tree
from gateway.services.authz import Principal, not_found
from gateway.services.occupancy import out_of_scope, visible_ids
from gateway.services.ports import Clock, Database

RANGE_MISSING = "RANGE MISSING"
OK = "OK"


def explain(first: date, last: date, earliest: date | None) -> str:
    """The envelope's `message`: OK, or why the answer holds less than the range."""
    if earliest is None or last < earliest:
        return RANGE_MISSING
    if first < earliest:
        return f"Data unavailable before {earliest.isoformat()}"
    return OK


@dataclass(frozen=True)
class LocationHistory:
    """The history of `occupancy.location` (with its capacity now) and `message`."""

    occupancy: Occupancy
    history: History
    message: str


def _zone_of(location: Location, by_id: Mapping[int, Location]) -> ZoneInfo:
    # Locations always hang under a site (check_parent) and sites carry a zone.
    return ZoneInfo(zone_of(location, by_id) or "UTC")


class OccupancyHistory:
    def __init__(self, db: Database, clock: Clock, *, stale_after: timedelta) -> None:
        self._db = db
        self._clock = clock
        self._stale_after = stale_after

    async def of(
        self, principal: Principal, location_id: int, first: date, last: date
    ) -> LocationHistory:
        """Local days `first` … `last` of the location's site zone (at most 366), from
        its earliest count on; `message` says when the range reaches before it."""
        async with self._db.reading() as uow:
            tree = await uow.occupancy.tree()
            if location_id not in visible_ids(principal, tree):
                if principal.actor is None:
                    raise out_of_scope(location_id)
                raise not_found("location", str(location_id), "locationId")
            by_id = {loc.id: loc for loc in tree}
            span = Range(first, last, _zone_of(by_id[location_id], by_id))
            leaves = await uow.occupancy.leaves()
            now = self._clock.now()
            found = occupancy_tree(tree, leaves, now=now, stale_after=self._stale_after)
            wanted = self._leaves_under(found, location_id)
            stored = await uow.occupancy.hours(wanted, span.start, span.end)
        hours = self._hours(found, location_id, {i: leaf_hours(h) for i, h in stored.items()})
        target = found[location_id]
        earliest = target.earliest_at.astimezone(span.zone).date() if target.earliest_at else None
        message = explain(first, last, earliest)
        if message == RANGE_MISSING:
            return LocationHistory(target, History(span, {}, missing=True), message)
        if earliest is not None and first < earliest:
            span = Range(earliest, last, span.zone)  # nothing was counted before
        return LocationHistory(target, History(span, hours), message)

    def _leaves_under(self, found: Mapping[int, Occupancy], root: int) -> Sequence[int]:
        node = found[root]
        if not node.children:
            return [root]
        return [leaf for child in node.children for leaf in self._leaves_under(found, child)]

    def _hours(
        self,
        found: Mapping[int, Occupancy],
        root: int,
        leaves: Mapping[int, dict[datetime, HourValue]],
    ) -> dict[datetime, HourValue]:
        node = found[root]
        if not node.children:
            return leaves.get(root, {})
        return summed_hours(self._hours(found, c, leaves) for c in node.children)
