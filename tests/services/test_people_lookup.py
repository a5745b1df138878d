"""PeopleLookup: e-mail addresses to people, refused for basic users naming somebody else;
on the fakes and on the real SQL store."""

from __future__ import annotations

import pytest

from domain.errors import ErrorCode
from domain.users import Role, User
from gateway.services.accounts import Accounts
from gateway.services.authz import ANONYMOUS, Principal
from gateway.services.people_lookup import MAX_PEOPLE, PeopleLookup
from gateway.services.ports import Database
from tests.support.clock import MutableClock
from tests.support.fakes import FakeHasher, FakeTokens, RecordingPublisher, rejected

PASSWORD = "Corr3ct-Horse!"
REFUSED = (ErrorCode.FORBIDDEN, "only an admin may name another person's e-mail address", "email")


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


async def test_no_address_or_ones_own_is_oneself(db: Database, people: dict[str, User]) -> None:
    lookup = PeopleLookup(db)
    alice = as_(people["alice"])
    for named in (None, "", "  ", "ALICE@example.com "):
        found = await lookup.person(alice, named)
        assert (found.id, found.email, found.role) == (
            people["alice"].id,
            "alice@example.com",
            Role.BASIC,
        )


async def test_a_basic_user_naming_somebody_else_is_refused(
    db: Database, people: dict[str, User]
) -> None:
    lookup = PeopleLookup(db)
    for named in ("bob@example.com", "nobody@example.com"):
        error = await rejected(lookup.person(as_(people["alice"]), named))
        assert (error.code, error.message, error.field) == REFUSED


async def test_an_admin_names_anybody(db: Database, people: dict[str, User]) -> None:
    lookup = PeopleLookup(db)
    admin = as_(people["admin"])
    bob = await lookup.person(admin, "Bob@Example.com")
    assert (bob.id, bob.email, bob.role) == (people["bob"].id, "bob@example.com", Role.BASIC)
    missing = await rejected(lookup.person(admin, "nobody@example.com", "session_email"))
    assert (missing.code, missing.field) == (ErrorCode.NOT_FOUND, "session_email")
    bad = await rejected(lookup.person(admin, "nope"))
    assert (bad.code, bad.field) == (ErrorCode.INVALID_INPUT, "email")


async def test_people_is_for_admins_and_all_or_nothing(
    db: Database, people: dict[str, User]
) -> None:
    lookup = PeopleLookup(db)
    admin = as_(people["admin"])
    found = await lookup.people(admin, ["bob@example.com", "alice@example.com", "BOB@example.com"])
    assert [p.id for p in found] == [people["bob"].id, people["alice"].id]
    refused = await rejected(lookup.people(as_(people["alice"]), ["alice@example.com"]))
    assert refused.code is ErrorCode.FORBIDDEN
    missing = await rejected(lookup.people(admin, ["bob@example.com", "nobody@example.com"]))
    assert (missing.code, missing.message) == (
        ErrorCode.NOT_FOUND,
        "no user has the address nobody@example.com",
    )
    bad = await rejected(lookup.people(admin, ["bob@example.com", "nope"]))
    assert (bad.code, bad.field) == (ErrorCode.INVALID_INPUT, "emails[1]")
    empty = await rejected(lookup.people(admin, []))
    assert (empty.code, empty.field) == (ErrorCode.INVALID_INPUT, "emails")
    many = [f"p{n}@example.com" for n in range(MAX_PEOPLE + 1)]
    assert (await rejected(lookup.people(admin, many))).code is ErrorCode.INVALID_INPUT


async def test_own_is_oneself_only_for_admins_too(db: Database, people: dict[str, User]) -> None:
    lookup = PeopleLookup(db)
    for handle in ("alice", "admin"):
        me = await lookup.own(as_(people[handle]), f"{handle}@example.com")
        assert me.id == people[handle].id
        refused = await rejected(lookup.own(as_(people[handle]), "bob@example.com"))
        assert (refused.code, refused.field) == (ErrorCode.FORBIDDEN, "email")


async def test_nobody_signed_in_is_refused(db: Database, people: dict[str, User]) -> None:
    lookup = PeopleLookup(db)
    assert (await rejected(lookup.person(ANONYMOUS, None))).code is ErrorCode.UNAUTHENTICATED
    assert (await rejected(lookup.own(ANONYMOUS, None))).code is ErrorCode.UNAUTHENTICATED
