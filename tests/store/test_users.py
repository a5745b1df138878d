"""SqlUsers against a migrated SQLite file."""

from __future__ import annotations

import pytest

from domain.errors import DomainError, ErrorCode
from domain.users import Role, User
from gateway.services.records import PageRequest, UserQuery
from gateway.store.uow import SqlDatabase
from tests.store.factory import add_user


async def add_people(db: SqlDatabase, *specs: tuple[str, str, Role]) -> list[User]:
    """Commit users given as (email, name, role)."""
    async with db.writing() as uow:
        added = [
            await uow.users.add(email=email, name=name, role=role, password_hash="h")
            for email, name, role in specs
        ]
        await uow.commit()
    return added


async def emails(db: SqlDatabase, query: UserQuery, page: PageRequest | None = None) -> list[str]:
    async with db.reading() as uow:
        found = await uow.users.list(query, page or PageRequest())
    return [u.email for u in found.items]


async def test_add_then_get_by_id_and_by_email(db: SqlDatabase) -> None:
    async with db.writing() as uow:
        alice = await add_user(uow, "alice", Role.ADMIN)
        await uow.commit()

    assert alice == User(id=alice.id, email="alice@example.com", name="Alice", role=Role.ADMIN)
    async with db.reading() as uow:
        assert await uow.users.get(alice.id) == alice
        assert await uow.users.by_email("alice@example.com") == alice
        assert await uow.users.get(alice.id + 1) is None
        assert await uow.users.by_email("nobody@example.com") is None


async def test_by_emails_maps_the_known_addresses_only(db: SqlDatabase) -> None:
    async with db.writing() as uow:
        alice = await add_user(uow, "alice")
        bob = await add_user(uow, "bob")
        await add_user(uow, "carol")
        await uow.commit()

    async with db.reading() as uow:
        found = await uow.users.by_emails(
            iter(["bob@example.com", "nobody@example.com", "alice@example.com"])
        )
        none = await uow.users.by_emails([])
    assert dict(found) == {"alice@example.com": alice, "bob@example.com": bob}
    assert dict(none) == {}


async def test_password_hash_is_only_read_on_request(db: SqlDatabase) -> None:
    async with db.writing() as uow:
        alice = await add_user(uow, "alice")
        await uow.commit()

    async with db.reading() as uow:
        assert await uow.users.password_hash(alice.id) == "hash-of-alice"
        with pytest.raises(DomainError) as raised:
            await uow.users.password_hash(alice.id + 1)
    assert raised.value.code is ErrorCode.NOT_FOUND


async def test_a_taken_email_is_refused_and_the_transaction_carries_on(db: SqlDatabase) -> None:
    async with db.writing() as uow:
        alice = await add_user(uow, "alice")
        with pytest.raises(DomainError) as raised:
            await uow.users.add(
                email="alice@example.com", name="Other", role=Role.ADMIN, password_hash="x"
            )
        bob = await add_user(uow, "bob")
        await uow.commit()

    assert raised.value.code is ErrorCode.EMAIL_TAKEN
    assert raised.value.field == "email"
    async with db.reading() as uow:
        assert await uow.users.by_email("alice@example.com") == alice
        assert await uow.users.by_email("bob@example.com") == bob
        assert await uow.users.password_hash(alice.id) == "hash-of-alice"
    assert await emails(db, UserQuery()) == ["alice@example.com", "bob@example.com"]


async def test_leaving_without_commit_rolls_back(db: SqlDatabase) -> None:
    async with db.writing() as uow:
        await add_user(uow, "alice")

    assert await emails(db, UserQuery()) == []


async def test_list_filters_by_role_in_email_order(db: SqlDatabase) -> None:
    await add_people(
        db,
        ("zed@example.com", "Zed", Role.ADMIN),
        ("amy@example.com", "Amy", Role.BASIC),
        ("bea@example.com", "Bea", Role.ADMIN),
    )

    assert await emails(db, UserQuery()) == [
        "amy@example.com",
        "bea@example.com",
        "zed@example.com",
    ]
    assert await emails(db, UserQuery(role=Role.ADMIN)) == ["bea@example.com", "zed@example.com"]
    assert await emails(db, UserQuery(role=Role.BASIC)) == ["amy@example.com"]


async def test_search_matches_email_or_name_ignoring_case(db: SqlDatabase) -> None:
    await add_people(
        db,
        ("alice@example.com", "Alice Smith", Role.BASIC),
        ("bob@example.com", "Bob Jones", Role.ADMIN),
        ("carol@work.example", "Carol Smithers", Role.BASIC),
    )

    assert await emails(db, UserQuery(search="SMITH")) == [
        "alice@example.com",
        "carol@work.example",
    ]
    assert await emails(db, UserQuery(search="Work.Ex")) == ["carol@work.example"]
    assert await emails(db, UserQuery(search="smith", role=Role.ADMIN)) == []
    assert await emails(db, UserQuery(search="")) == [
        "alice@example.com",
        "bob@example.com",
        "carol@work.example",
    ]


async def test_search_treats_like_wildcards_literally(db: SqlDatabase) -> None:
    await add_people(
        db,
        ("percent@example.com", "100% Sure", Role.BASIC),
        ("hundred@example.com", "100 Sure", Role.BASIC),
        ("under_score@example.com", "Under", Role.BASIC),
        ("underxscore@example.com", "Under", Role.BASIC),
    )

    assert await emails(db, UserQuery(search="100%")) == ["percent@example.com"]
    assert await emails(db, UserQuery(search="%")) == ["percent@example.com"]
    assert await emails(db, UserQuery(search="r_s")) == ["under_score@example.com"]
    assert await emails(db, UserQuery(search="_")) == ["under_score@example.com"]


async def test_pages_carry_the_total_and_offset(db: SqlDatabase) -> None:
    await add_people(db, *[(f"user{n}@example.com", f"User {n}", Role.BASIC) for n in range(5)])

    async with db.reading() as uow:
        middle = await uow.users.list(UserQuery(), PageRequest(first=2, offset=2))
        last = await uow.users.list(UserQuery(), PageRequest(first=2, offset=4))
        beyond = await uow.users.list(UserQuery(), PageRequest(first=2, offset=9))
        filtered = await uow.users.list(UserQuery(search="user1"), PageRequest(first=2))
        empty = await uow.users.list(UserQuery(), PageRequest(first=0))

    assert [u.email for u in middle.items] == ["user2@example.com", "user3@example.com"]
    assert (middle.total, middle.offset, middle.has_next) == (5, 2, True)
    assert [u.email for u in last.items] == ["user4@example.com"]
    assert (last.total, last.offset, last.has_next) == (5, 4, False)
    assert (list(beyond.items), beyond.total, beyond.offset) == ([], 5, 9)
    assert ([u.email for u in filtered.items], filtered.total) == (["user1@example.com"], 1)
    assert (list(empty.items), empty.total, empty.has_next) == ([], 5, True)
