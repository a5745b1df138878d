"""Units of work on SQLite: writers are serialised from their first statement; readers
neither wait for a writer nor see what it has not committed."""

from __future__ import annotations

import asyncio

import pytest

from domain.users import User
from gateway.store.uow import SqlDatabase
from tests.store.factory import add_user

DEADLINE = 20  # seconds; only reached if the locking is broken in a way that hangs


async def all_users(db: SqlDatabase) -> list[User]:
    async with db.reading() as uow:
        found = await uow.users.by_emails(["first@example.com", "second@example.com"])
    return sorted(found.values(), key=lambda u: u.id)


@pytest.mark.sqlite_only  # BEGIN IMMEDIATE; PostgreSQL writers run side by side
async def test_a_second_writer_waits_until_the_first_commits(db: SqlDatabase) -> None:
    first_began = asyncio.Event()

    async def first() -> None:
        async with db.writing() as uow:
            # The first statement of a writer takes the write lock (BEGIN IMMEDIATE).
            assert await uow.users.by_email("second@example.com") is None
            first_began.set()
            await asyncio.sleep(0.1)  # give the second writer every chance to run ahead
            await add_user(uow, "first")
            await uow.commit()

    async def second() -> bool:
        await first_began.wait()
        async with db.writing() as uow:
            saw_first = await uow.users.by_email("first@example.com") is not None
            await add_user(uow, "second")
            await uow.commit()
        return saw_first

    _, second_saw_first = await asyncio.wait_for(asyncio.gather(first(), second()), DEADLINE)

    assert second_saw_first is True
    assert [u.email for u in await all_users(db)] == ["first@example.com", "second@example.com"]


async def test_a_reader_does_not_wait_for_a_writer_nor_see_its_uncommitted_rows(
    db: SqlDatabase,
) -> None:
    written = asyncio.Event()
    read = asyncio.Event()

    async def writer() -> None:
        async with db.writing() as uow:
            await add_user(uow, "first")
            written.set()
            await read.wait()  # holds the write lock until the reader is done
            await uow.commit()

    async def reader() -> list[User]:
        await written.wait()
        try:
            return await all_users(db)
        finally:
            read.set()

    _, seen = await asyncio.wait_for(asyncio.gather(writer(), reader()), DEADLINE)

    assert seen == []
    assert [u.email for u in await all_users(db)] == ["first@example.com"]
