"""A small location tree with an admin and a basic user, for the occupancy tests on the
fakes and on SQL: Campus (Europe/Zurich) > Library > Ground > Lobby (zone, 40) and
Reading room (zone, 60); Library > First (a floor without children)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from domain.api_tokens import TokenScope
from domain.locations import Location, LocationKind
from domain.users import Role
from gateway.services.accounts import AccountPolicy, Accounts
from gateway.services.api_tokens import ApiTokens
from gateway.services.authz import Principal
from gateway.services.directory import Directory
from gateway.services.history import OccupancyHistory
from gateway.services.ingest import Ingest, IngestPolicy
from gateway.services.occupancy import OccupancyNow
from gateway.services.ports import Database
from gateway.services.presence import Presence
from tests.support.clock import MutableClock
from tests.support.fakes import FakeHasher, FakeTokens, RecordingPublisher

STALE = timedelta(minutes=15)


class RecordingOccupancyEvents:
    def __init__(self) -> None:
        self.changes: list[frozenset[int]] = []

    async def counts_changed(self, location_ids: frozenset[int]) -> None:
        self.changes.append(location_ids)


@dataclass
class Tree:
    tokens: ApiTokens
    occupancy: OccupancyNow
    ingest: Ingest
    history: OccupancyHistory
    events: RecordingOccupancyEvents
    admin: Principal
    basic: Principal
    site: Location
    floor: Location
    lobby: Location
    reading_room: Location
    other_floor: Location

    async def token(self, *scopes: TokenScope, location: Location | None = None) -> Principal:
        issued = await self.tokens.create(
            self.admin,
            name="sensor",
            location_id=location.id if location else None,
            scopes=frozenset(scopes),
        )
        return await self.tokens.authenticate(issued.secret)


async def build_tree(db: Database, clock: MutableClock, policy: IngestPolicy | None = None) -> Tree:
    accounts = Accounts(
        db, clock, FakeHasher(), FakeTokens(), RecordingPublisher(), AccountPolicy()
    )
    admin_user = await accounts.provision(
        email="admin@example.com", name="Admin", password="Corr3ct-Horse!", role=Role.ADMIN
    )
    basic_user = await accounts.provision(
        email="alice@example.com", name="Alice", password="Corr3ct-Horse!", role=Role.BASIC
    )
    admin = Principal(actor=admin_user.as_actor())
    directory = Directory(db)
    kind = LocationKind
    site = await directory.add_location(
        admin, kind=kind.SITE, name="Campus", time_zone="Europe/Zurich"
    )
    library = await directory.add_location(
        admin, kind=kind.BUILDING, name="Library", parent_id=site.id
    )
    floor = await directory.add_location(
        admin, kind=kind.FLOOR, name="Ground", parent_id=library.id
    )
    lobby = await directory.add_location(
        admin, kind=kind.ZONE, name="Lobby", parent_id=floor.id, capacity=40
    )
    reading = await directory.add_location(
        admin, kind=kind.ZONE, name="Reading room", parent_id=floor.id, capacity=60
    )
    other = await directory.add_location(admin, kind=kind.FLOOR, name="First", parent_id=library.id)
    events = RecordingOccupancyEvents()
    return Tree(
        tokens=ApiTokens(db, clock),
        occupancy=OccupancyNow(db, clock, Presence(db, clock), stale_after=STALE),
        ingest=Ingest(db, clock, events, policy or IngestPolicy()),
        history=OccupancyHistory(db, clock, stale_after=STALE),
        events=events,
        admin=admin,
        basic=Principal(actor=basic_user.as_actor()),
        site=site,
        floor=floor,
        lobby=lobby,
        reading_room=reading,
        other_floor=other,
    )
