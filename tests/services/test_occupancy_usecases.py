"""API tokens, capacities and live occupancy through the use cases, on the fakes and on
the real SQL store over the migrated database (as test_login_rules)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest

from domain.api_tokens import TokenScope, hash_token
from domain.errors import ErrorCode
from domain.locations import Location, LocationKind
from domain.users import Role
from gateway.services.accounts import AccountPolicy, Accounts
from gateway.services.api_tokens import ApiTokens
from gateway.services.authz import Principal
from gateway.services.directory import Directory
from gateway.services.occupancy import OccupancyNow
from gateway.services.ports import Database
from gateway.services.presence import Presence
from tests.support.clock import MutableClock
from tests.support.fakes import (
    FakeHasher,
    FakeTokens,
    RecordingPublisher,
    rejected,
)

READ, INGEST = frozenset({TokenScope.READ}), frozenset({TokenScope.INGEST})
SITE, BUILDING, FLOOR, ROOM, ZONE = LocationKind


@dataclass
class World:
    tokens: ApiTokens
    occupancy: OccupancyNow
    admin: Principal
    basic: Principal
    site: Location
    floor: Location
    lobby: Location
    other_floor: Location


@pytest.fixture
async def world(db: Database, clock: MutableClock) -> World:
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
    site = await directory.add_location(admin, kind=SITE, name="Campus", time_zone="Europe/Zurich")
    building = await directory.add_location(admin, kind=BUILDING, name="Library", parent_id=site.id)
    floor = await directory.add_location(admin, kind=FLOOR, name="Ground", parent_id=building.id)
    lobby = await directory.add_location(
        admin, kind=ZONE, name="Lobby", parent_id=floor.id, capacity=40
    )
    other = await directory.add_location(admin, kind=FLOOR, name="First", parent_id=building.id)
    occupancy = OccupancyNow(db, clock, Presence(db, clock), stale_after=timedelta(minutes=15))
    return World(
        ApiTokens(db, clock),
        occupancy,
        admin,
        Principal(actor=basic_user.as_actor()),
        site,
        floor,
        lobby,
        other,
    )


async def test_a_token_is_shown_once_and_only_its_hash_is_kept(world: World) -> None:
    issued = await world.tokens.create(
        world.admin, name=" Sensor gateway ", location_id=world.floor.id, scopes=INGEST
    )
    assert issued.secret.startswith("occ_")
    assert len(issued.secret) == 47
    assert issued.token.name == "Sensor gateway"
    listed = await world.tokens.tokens(world.admin)
    assert listed == [issued.token]
    assert issued.secret not in repr(listed)
    principal = await world.tokens.authenticate(issued.secret)
    assert principal.api_token == issued.token
    assert principal.actor is None
    assert hash_token(issued.secret) != issued.secret


async def test_only_admins_manage_tokens(world: World) -> None:
    forbidden = await rejected(
        world.tokens.create(world.basic, name="x", location_id=None, scopes=READ)
    )
    assert forbidden.code is ErrorCode.FORBIDDEN
    assert (await rejected(world.tokens.tokens(world.basic))).code is ErrorCode.FORBIDDEN
    issued = await world.tokens.create(world.admin, name="x", location_id=None, scopes=READ)
    refused = await rejected(world.tokens.revoke(world.basic, issued.token.id))
    assert refused.code is ErrorCode.FORBIDDEN
    assert (await world.tokens.authenticate(issued.secret)).api_token is not None


async def test_a_revoked_or_unknown_token_is_rejected_with_its_reason(
    world: World, clock: MutableClock
) -> None:
    issued = await world.tokens.create(world.admin, name="x", location_id=None, scopes=READ)
    clock.advance(timedelta(minutes=1))
    revoked = await world.tokens.revoke(world.admin, issued.token.id)
    assert revoked.revoked_at == clock.now()
    clock.advance(timedelta(minutes=1))
    again = await world.tokens.revoke(world.admin, issued.token.id)
    assert again.revoked_at == revoked.revoked_at  # the first revocation stands
    principal = await world.tokens.authenticate(issued.secret)
    assert principal.api_token is None
    assert principal.rejection is not None
    assert principal.rejection.message == "the API token was revoked"
    unknown = await world.tokens.authenticate("occ_" + "x" * 43)
    assert unknown.rejection is not None
    assert unknown.rejection.message == "the API token is unknown"
    missing = await rejected(world.tokens.revoke(world.admin, 999_999))
    assert (missing.code, missing.field) == (ErrorCode.NOT_FOUND, "id")


async def test_bad_token_input_names_the_field(world: World) -> None:
    nameless = await rejected(
        world.tokens.create(world.admin, name=" ", location_id=None, scopes=READ)
    )
    assert (nameless.code, nameless.field) == (ErrorCode.INVALID_INPUT, "name")
    scopeless = await rejected(
        world.tokens.create(world.admin, name="x", location_id=None, scopes=frozenset())
    )
    assert (scopeless.code, scopeless.field) == (ErrorCode.INVALID_INPUT, "scopes")
    nowhere = await rejected(
        world.tokens.create(world.admin, name="x", location_id=999_999, scopes=READ)
    )
    assert (nowhere.code, nowhere.field) == (ErrorCode.NOT_FOUND, "location")


async def test_a_read_token_sees_its_subtree_only(world: World) -> None:
    issued = await world.tokens.create(
        world.admin, name="floor", location_id=world.floor.id, scopes=READ
    )
    principal = await world.tokens.authenticate(issued.secret)
    seen = await world.occupancy.everything(principal)
    assert [o.location.id for o in seen] == [world.floor.id, world.lobby.id]
    view = await world.occupancy.of(principal, world.floor.id)
    assert [child.target.location.id for child in view.children()] == [world.lobby.id]
    for outside in (world.site.id, world.other_floor.id, 999_999):
        error = await rejected(world.occupancy.of(principal, outside))
        assert error.code is ErrorCode.UNAUTHENTICATED
        assert error.message == f"location {outside} is not accessible with this token"


async def test_an_ingest_token_cannot_read(world: World) -> None:
    issued = await world.tokens.create(world.admin, name="s", location_id=None, scopes=INGEST)
    principal = await world.tokens.authenticate(issued.secret)
    error = await rejected(world.occupancy.everything(principal))
    assert (error.code, error.message) == (
        ErrorCode.UNAUTHENTICATED,
        "this needs an API token with read",
    )


async def test_people_see_the_whole_tree_and_unknown_ids_are_not_found(world: World) -> None:
    seen = await world.occupancy.everything(world.basic)
    assert len(seen) == 5
    error = await rejected(world.occupancy.of(world.basic, 999_999))
    assert (error.code, error.field) == (ErrorCode.NOT_FOUND, "locationId")
    assert (
        await rejected(world.occupancy.everything(Principal()))
    ).code is ErrorCode.UNAUTHENTICATED


async def test_capacities_are_set_by_admins_on_leaves_and_summed_upwards(world: World) -> None:
    refused = await rejected(world.occupancy.set_capacity(world.basic, world.lobby.id, 10))
    assert refused.code is ErrorCode.FORBIDDEN
    parent = await rejected(world.occupancy.set_capacity(world.admin, world.floor.id, 10))
    assert (parent.code, parent.field) == (ErrorCode.INVALID_INPUT, "capacity")
    negative = await rejected(world.occupancy.set_capacity(world.admin, world.lobby.id, -1))
    assert (negative.code, negative.field) == (ErrorCode.INVALID_INPUT, "capacity")
    changed = await world.occupancy.set_capacity(world.admin, world.lobby.id, 55)
    assert changed.capacity == 55
    await world.occupancy.set_capacity(world.admin, world.other_floor.id, 20)
    site = (await world.occupancy.of(world.basic, world.site.id)).target
    assert (site.capacity, site.count, site.is_active, site.percentage) == (75, 0, False, 0.0)
