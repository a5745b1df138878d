"""How full the location tree is now, for people and for read API tokens; capacities
for admins."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import timedelta

from domain.api_tokens import TokenScope
from domain.audit import AuditEntity
from domain.errors import DomainError, ErrorCode
from domain.locations import Location, LocationKind, check_capacity
from domain.occupancy import Occupancy, occupancy_tree, subtree
from gateway.services import audit
from gateway.services.authz import Principal, not_found
from gateway.services.ports import Clock, Database
from gateway.services.presence import Presence

Snapshot = tuple[list[Location], dict[int, Occupancy]]
"""The location tree and every location's occupancy, computed at one moment."""


def out_of_scope(location_id: int) -> DomainError:
    """One answer for unknown and out-of-scope ids, so a token cannot probe for others'
    locations (the Occuspace API answers 401 for both)."""
    return DomainError(
        ErrorCode.UNAUTHENTICATED,
        f"location {location_id} is not accessible with this token",
        field="locationId",
    )


@dataclass(frozen=True)
class OccupancyView:
    """A location's occupancy, and the tree's, to follow its children."""

    target: Occupancy
    tree: Mapping[int, Occupancy]

    def children(self) -> list[OccupancyView]:
        return [OccupancyView(self.tree[c], self.tree) for c in self.target.children]


def visible_ids(principal: Principal, tree: Sequence[Location]) -> set[int]:
    """What the caller may see: people signed in see the whole tree; a read token its
    subtree (the whole tree when unscoped)."""
    if principal.actor is not None:
        return {loc.id for loc in tree}
    token = principal.require_api(TokenScope.READ)
    if token.location_id is None:
        return {loc.id for loc in tree}
    return subtree(tree, token.location_id)


class OccupancyNow:
    """Live occupancy per location (parent = sum of children, on-site presence as a floor
    for sites) for anybody signed in or holding a `read` token within its subtree."""

    def __init__(
        self, db: Database, clock: Clock, presence: Presence, *, stale_after: timedelta
    ) -> None:
        self._db = db
        self._clock = clock
        self._presence = presence
        self._stale_after = stale_after

    async def everything(self, principal: Principal) -> list[Occupancy]:
        """Every visible location, by id."""
        tree, found = await self._compute(principal)
        shown = visible_ids(principal, tree)
        return [found[i] for i in sorted(shown)]

    async def of(self, principal: Principal, location_id: int) -> OccupancyView:
        """One location with its children. A person asking for an unknown id gets
        NOT_FOUND; a token asking for one outside its subtree (or unknown) UNAUTHENTICATED."""
        return self.view_in(principal, await self._compute(principal), location_id)

    async def snapshot(self) -> Snapshot:
        """The whole tree's occupancy now, without authorisation: for the live hub, which
        computes it once for all its subscribers and authorises each with `view_in`."""
        return await self._everything()

    @staticmethod
    def view_in(principal: Principal, snapshot: Snapshot, location_id: int) -> OccupancyView:
        """The location as `of` answers it, from a snapshot already computed."""
        if principal.actor is None:
            principal.require_api(TokenScope.READ)
        tree, found = snapshot
        if location_id not in visible_ids(principal, tree):
            if principal.actor is None:
                raise out_of_scope(location_id)
            raise not_found("location", str(location_id), "locationId")
        return OccupancyView(found[location_id], found)

    async def set_capacity(
        self, principal: Principal, location_id: int, capacity: int | None
    ) -> Location:
        """Admins only. A location with children has no capacity of its own: theirs is
        summed, so setting one on it is refused."""
        admin = principal.require_admin()
        check_capacity(capacity)
        async with self._db.writing() as uow:
            location = await uow.locations.get(location_id)
            if location is None:
                raise not_found("location", str(location_id), "location")
            tree = await uow.occupancy.tree()
            if capacity is not None and any(loc.parent_id == location_id for loc in tree):
                raise DomainError(
                    ErrorCode.INVALID_INPUT,
                    "a location with children has the sum of their capacities",
                    field="capacity",
                )
            await uow.occupancy.set_capacity(location_id, capacity)
            if location.capacity != capacity:
                await audit.record(
                    uow,
                    admin,
                    AuditEntity.LOCATION,
                    location_id,
                    "capacity_changed",
                    at=self._clock.now(),
                    before={"capacity": location.capacity},
                    after={"capacity": capacity},
                )
            await uow.commit()
        return replace(location, capacity=capacity)

    async def current(self, location_id: int) -> OccupancyView | None:
        """No authorisation: for internal callers. None: the location is gone."""
        _tree, found = await self._everything()
        return OccupancyView(found[location_id], found) if location_id in found else None

    async def _compute(self, principal: Principal) -> Snapshot:
        if principal.actor is None:
            principal.require_api(TokenScope.READ)
        return await self._everything()

    async def _everything(self) -> Snapshot:
        async with self._db.reading() as uow:
            tree = await uow.occupancy.tree()
            leaves = await uow.occupancy.leaves()
        sites = [loc.id for loc in tree if loc.kind is LocationKind.SITE]
        on_site = await self._presence.counts_on_site(sites) if sites else {}
        found = occupancy_tree(
            tree, leaves, now=self._clock.now(), stale_after=self._stale_after, at_least=on_site
        )
        return tree, found
