"""The reads behind Occupi's collection endpoints, on the fakes and on the real SQL store:
the query fields the legacy filters need (room ids, exact addresses, on site) and who may
name whose address."""

from __future__ import annotations

import pytest

from domain.errors import ErrorCode
from domain.locations import LocationKind
from domain.users import Role, User
from gateway.services.accounts import Accounts
from gateway.services.authz import Principal
from gateway.services.directory import Directory, NewRoom
from gateway.services.legacy_lists import LegacyLists
from gateway.services.people_lookup import NOT_YOURS, ONLY_YOURS
from gateway.services.ports import Database
from gateway.services.records import PageRequest, RoomQuery, UserQuery
from tests.support.clock import MutableClock
from tests.support.fakes import FakeHasher, FakeTokens, RecordingPublisher, rejected

PASSWORD = "Corr3ct-Horse!"


@pytest.fixture
async def people(db: Database, clock: MutableClock) -> dict[str, User]:
    accounts = Accounts(db, clock, FakeHasher(), FakeTokens(), RecordingPublisher())
    found = {}
    for handle, role in (("admin", Role.ADMIN), ("alice", Role.BASIC), ("bob", Role.BASIC)):
        found[handle] = await accounts.provision(
            email=f"{handle}@example.com", name=handle.title(), password=PASSWORD, role=role
        )
    return found


def as_(user: User) -> Principal:
    return Principal(actor=user.as_actor())


async def test_a_basic_user_may_only_name_themselves(db: Database, people: dict[str, User]) -> None:
    lists = LegacyLists(db)
    alice = as_(people["alice"])
    assert await lists.person_id(alice, " Alice@Example.com", "email") == people["alice"].id
    refused = await rejected(lists.person_id(alice, "bob@example.com", "email"))
    assert (refused.code, refused.message, refused.field) == (
        ErrorCode.FORBIDDEN,
        NOT_YOURS,
        "email",
    )
    admin = as_(people["admin"])
    assert await lists.person_id(admin, "bob@example.com", "email") == people["bob"].id
    missing = await rejected(lists.person_id(admin, "nobody@example.com", "email"))
    assert missing.code is ErrorCode.NOT_FOUND
    with pytest.raises(Exception, match=ONLY_YOURS):
        lists.require_self(admin, "bob@example.com", "creator")
    lists.require_self(admin, "ADMIN@example.com", "creator")
    lists.require_self(alice, None, "creator")


async def test_user_queries_by_exact_address_and_presence(
    db: Database, people: dict[str, User], clock: MutableClock
) -> None:
    admin = as_(people["admin"])
    directory = Directory(db)
    site = await directory.add_location(admin, kind=LocationKind.SITE, name="HQ", time_zone="UTC")
    async with db.writing() as uow:
        await uow.presence.enter(user_id=people["bob"].id, site_id=site.id, at=clock.now())
        await uow.commit()

    async def emails(query: UserQuery) -> list[str]:
        async with db.reading() as uow:
            page = await uow.users.list(query, PageRequest())
        return [u.email for u in page.items]

    assert await emails(UserQuery(emails=("bob@example.com", "alice@example.com"))) == [
        "alice@example.com",
        "bob@example.com",
    ]
    assert await emails(UserQuery(emails=("ob@example.com",))) == []  # exact, not a search
    assert await emails(UserQuery(on_site=True)) == ["bob@example.com"]
    assert await emails(UserQuery(on_site=False)) == ["admin@example.com", "alice@example.com"]


async def test_room_queries_by_id(db: Database, people: dict[str, User]) -> None:
    admin = as_(people["admin"])
    directory = Directory(db)
    site = await directory.add_location(admin, kind=LocationKind.SITE, name="HQ", time_zone="UTC")
    building = await directory.add_location(
        admin, kind=LocationKind.BUILDING, name="B", parent_id=site.id
    )
    floor = await directory.add_location(
        admin, kind=LocationKind.FLOOR, name="1", parent_id=building.id
    )
    for code in ("RM001", "RM002", "RM003"):
        await directory.add_room(admin, NewRoom(floor_id=floor.id, code=code, name=code))
    page = await directory.rooms(
        as_(people["alice"]), RoomQuery(codes=("RM003", "RM001", "RMX")), PageRequest()
    )
    assert [r.code for r in page.items] == ["RM001", "RM003"]
