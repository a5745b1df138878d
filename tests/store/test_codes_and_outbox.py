"""SqlCodes (one-time registration codes) and SqlOutbox (mail queued for the relay)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from gateway.services.records import OneTimeCode, OutgoingMail, QueuedMail
from gateway.store.engine import create_engine
from gateway.store.outbox import MAX_ATTEMPTS
from gateway.store.tables import one_time_codes, outbox
from gateway.store.uow import SqlDatabase
from tests.store.factory import at
from tests.support.clock import START, MutableClock

EXPIRES = at(0.25)
LEASE = timedelta(minutes=5)


@pytest.fixture
async def other_db(database_url: str, clock: MutableClock) -> AsyncIterator[SqlDatabase]:
    """A second engine on the same database, as another gateway process has."""
    database = SqlDatabase(create_engine(database_url), clock)
    yield database
    await database.dispose()


async def latest(db: SqlDatabase, email: str) -> OneTimeCode | None:
    async with db.reading() as uow:
        return await uow.codes.latest(email)


async def test_latest_is_the_most_recent_code_for_that_email(
    db: SqlDatabase, clock: MutableClock
) -> None:
    async with db.writing() as uow:
        await uow.codes.add(
            email="a@example.com",
            code_hash="first",
            created_at=clock.now(),
            expires_at=EXPIRES,
        )
        clock.advance(timedelta(minutes=1))
        await uow.codes.add(
            email="a@example.com",
            code_hash="second",
            created_at=clock.now(),
            expires_at=at(1),
        )
        await uow.codes.add(
            email="b@example.com",
            code_hash="other",
            created_at=clock.now(),
            expires_at=at(2),
        )
        await uow.commit()

    found = await latest(db, "a@example.com")
    assert found is not None
    assert found == OneTimeCode(
        id=found.id,
        email="a@example.com",
        code_hash="second",
        expires_at=at(1),
        attempts=0,
        consumed=False,
        created_at=START + timedelta(minutes=1),
    )
    other = await latest(db, "b@example.com")
    assert other is not None
    assert (other.code_hash, other.expires_at) == ("other", at(2))
    assert other.id == found.id + 1
    assert await latest(db, "nobody@example.com") is None

    async with db.engine.connect() as conn:
        created = (
            (await conn.execute(select(one_time_codes.c.created_at).order_by(one_time_codes.c.id)))
            .scalars()
            .all()
        )
    assert created == [START, START + timedelta(minutes=1), START + timedelta(minutes=1)]


async def test_attempts_count_up_and_consume_marks_the_code(
    db: SqlDatabase, clock: MutableClock
) -> None:
    async with db.writing() as uow:
        await uow.codes.add(
            email="a@example.com",
            code_hash="old",
            created_at=clock.now(),
            expires_at=EXPIRES,
        )
        await uow.codes.add(
            email="a@example.com",
            code_hash="new",
            created_at=clock.now(),
            expires_at=EXPIRES,
        )
        await uow.commit()

    async with db.writing() as uow:
        new = await uow.codes.latest("a@example.com")
        assert new is not None
        await uow.codes.record_attempt(new.id)
        await uow.codes.record_attempt(new.id)
        await uow.commit()

    found = await latest(db, "a@example.com")
    assert found == OneTimeCode(new.id, "a@example.com", "new", EXPIRES, 2, False, START)

    clock.advance(timedelta(minutes=3))
    async with db.writing() as uow:
        await uow.codes.consume(new.id)
        await uow.commit()

    consumed = await latest(db, "a@example.com")
    assert consumed == OneTimeCode(new.id, "a@example.com", "new", EXPIRES, 2, True, START)
    columns = one_time_codes.c
    async with db.engine.connect() as conn:
        rows = await conn.execute(
            select(columns.code_hash, columns.attempts, columns.consumed_at).order_by(columns.id)
        )
        # The older code is untouched.
        assert [tuple(r) for r in rows] == [
            ("old", 0, None),
            ("new", 2, START + timedelta(minutes=3)),
        ]


def mail(n: int) -> OutgoingMail:
    return OutgoingMail(
        to=(f"to{n}@example.com", f"cc{n}@example.com"),
        subject=f"Subject {n}",
        body=f"Body {n}",
        bcc=(f"bcc{n}@example.com",),
    )


async def queue(db: SqlDatabase, *mails: OutgoingMail) -> None:
    async with db.writing() as uow:
        for m in mails:
            await uow.outbox.add(m)
        await uow.commit()


async def claim(
    db: SqlDatabase, now: datetime = START, limit: int = 10, lease: timedelta = LEASE
) -> list[QueuedMail]:
    """Claim and commit, as a relay does."""
    async with db.writing() as uow:
        claimed = await uow.outbox.claim(limit, now=now, lease=lease)
        await uow.commit()
    return claimed


async def fail(
    db: SqlDatabase, claimed: QueuedMail, error: str, at: datetime, retry_at: datetime
) -> bool:
    async with db.writing() as uow:
        recorded = await uow.outbox.mark_failed(claimed, error, at, retry_at)
        await uow.commit()
    return recorded


async def send(db: SqlDatabase, claimed: QueuedMail, at: datetime) -> bool:
    async with db.writing() as uow:
        recorded = await uow.outbox.mark_sent(claimed, at)
        await uow.commit()
    return recorded


async def stored(db: SqlDatabase, mail_id: int) -> tuple[object, ...]:
    """(sent_at, attempts, last_error, locked_until) of one outbox row."""
    columns = outbox.c
    async with db.engine.connect() as conn:
        row = (
            await conn.execute(
                select(
                    columns.sent_at, columns.attempts, columns.last_error, columns.locked_until
                ).where(columns.id == mail_id)
            )
        ).one()
    return tuple(row)


async def test_queued_mail_is_claimed_whole_in_queue_order(db: SqlDatabase) -> None:
    await queue(db, mail(1), mail(2), OutgoingMail(to=("x@example.com",), subject="s", body=""))

    first_two = await claim(db, limit=2)
    the_rest = await claim(db)

    first = first_two[0].id
    leased = START + LEASE
    assert first_two == [
        QueuedMail(first, mail(1), 0, leased),
        QueuedMail(first + 1, mail(2), 0, leased),
    ]
    assert the_rest == [
        QueuedMail(first + 2, OutgoingMail(to=("x@example.com",), subject="s", body=""), 0, leased)
    ]
    assert await claim(db) == []
    assert await stored(db, first) == (None, 0, None, START + LEASE)
    async with db.engine.connect() as conn:
        created = (await conn.execute(select(outbox.c.created_at))).scalars().all()  # 3 rows
    assert created == [START, START, START]


async def test_a_claimed_mail_is_not_claimed_again_until_its_lease_ends(db: SqlDatabase) -> None:
    await queue(db, mail(1))
    [one] = await claim(db)

    assert await claim(db, now=START + LEASE - timedelta(seconds=1)) == []
    # The relay that claimed it has died, or so it seems: the mail goes to the next claim.
    assert await claim(db, now=START + LEASE) == [replace(one, leased_until=START + 2 * LEASE)]
    assert await claim(db, now=START + LEASE + timedelta(seconds=1)) == []
    assert await stored(db, one.id) == (None, 0, None, START + 2 * LEASE)


async def test_a_claim_takes_effect_when_it_commits(db: SqlDatabase) -> None:
    await queue(db, mail(1))
    async with db.writing() as uow:
        [rolled_back] = await uow.outbox.claim(10, now=START, lease=LEASE)

    assert await claim(db) == [rolled_back]


async def test_claims_through_two_databases_never_share_a_mail(
    db: SqlDatabase, other_db: SqlDatabase
) -> None:
    """Two engines on one database, like two gateway processes."""
    await queue(db, *(mail(n) for n in range(5)))

    mine = await claim(db, limit=2)
    theirs = await claim(other_db, limit=2)
    rest = await claim(db, limit=2)

    assert [m.mail for m in mine + theirs + rest] == [mail(n) for n in range(5)]
    assert await claim(other_db) == []


async def test_concurrent_claims_split_the_queue(db: SqlDatabase, other_db: SqlDatabase) -> None:
    count = 40
    await queue(db, *(mail(n) for n in range(count)))

    batches = await asyncio.gather(
        *(claim(database, limit=3) for _ in range(10) for database in (db, other_db))
    )

    claimed = [queued.id for batch in batches for queued in batch]
    assert len(claimed) == len(set(claimed)) == count


async def test_sent_mail_is_never_claimed_again(db: SqlDatabase) -> None:
    await queue(db, mail(1), mail(2))
    one, two = await claim(db)

    assert await send(db, one, at(1))

    assert await claim(db, now=at(1000)) == [replace(two, leased_until=at(1000) + LEASE)]
    assert await stored(db, one.id) == (at(1), 1, None, None)


async def test_a_failed_mail_is_not_claimed_before_its_retry_time(db: SqlDatabase) -> None:
    await queue(db, mail(1))
    [one] = await claim(db)
    retry_at = START + timedelta(seconds=30)  # sooner than the lease would have ended

    assert await fail(db, one, "refused", START, retry_at)

    assert await claim(db, now=retry_at - timedelta(seconds=1)) == []
    assert await claim(db, now=retry_at) == [QueuedMail(one.id, one.mail, 1, retry_at + LEASE)]
    assert await stored(db, one.id) == (None, 1, f"{START.isoformat()}: refused", retry_at + LEASE)


async def test_failed_mail_is_retried_until_the_attempts_run_out(db: SqlDatabase) -> None:
    await queue(db, mail(1), mail(2))
    [one] = await claim(db, limit=1)

    for attempt in range(1, MAX_ATTEMPTS):
        assert await fail(db, one, f"refused {attempt}", at(attempt), at(attempt + 0.5))
        [one] = await claim(db, now=at(attempt + 0.5), limit=1)
        assert one == QueuedMail(one.id, mail(1), attempt, at(attempt + 0.5) + LEASE), attempt
    assert await fail(db, one, f"refused {MAX_ATTEMPTS}", at(MAX_ATTEMPTS), at(MAX_ATTEMPTS + 0.5))

    assert MAX_ATTEMPTS == 5
    # Never again, however late: only the other mail is left to claim (its lease expires).
    for years in (1, 10):
        late = await claim(db, now=at(24 * 365 * years))
        assert [queued.mail for queued in late] == [mail(2)], years
    assert await stored(db, one.id) == (None, 5, f"{at(5).isoformat()}: refused 5", at(5.5))
    assert at(5).isoformat() == "2026-11-23T11:00:00+00:00"


async def test_a_claim_that_lost_its_lease_records_no_outcome(db: SqlDatabase) -> None:
    """A relay whose lease ran out and passed to another claim must not overwrite what
    the new holder records, whether it thinks the mail went out or failed."""
    await queue(db, mail(1))
    [stale] = await claim(db)
    [current] = await claim(db, now=START + LEASE)  # the first relay seemed dead
    leased = (None, 0, None, START + 2 * LEASE)

    assert not await send(db, stale, at(0.1))
    assert not await fail(db, stale, "timed out", at(0.1), at(0.2))
    assert await stored(db, current.id) == leased

    assert await send(db, current, at(0.15))
    assert not await fail(db, stale, "timed out", at(0.2), at(0.3))
    assert not await send(db, stale, at(0.2))
    assert await stored(db, current.id) == (at(0.15), 1, None, None)


async def test_an_outcome_is_recorded_once_per_claim(db: SqlDatabase) -> None:
    await queue(db, mail(1))
    [one] = await claim(db)

    assert await fail(db, one, "refused", START, START + timedelta(seconds=30))
    assert not await send(db, one, START)
    assert not await fail(db, one, "refused again", START, START + timedelta(seconds=60))

    assert await stored(db, one.id) == (
        None,
        1,
        f"{START.isoformat()}: refused",
        START + timedelta(seconds=30),
    )


async def test_a_lease_that_ran_out_unclaimed_still_records_its_outcome(db: SqlDatabase) -> None:
    """Nobody else took the mail, so the late relay's outcome is still the only one."""
    await queue(db, mail(1))
    [one] = await claim(db)

    assert await send(db, one, START + 2 * LEASE)

    assert await stored(db, one.id) == (START + 2 * LEASE, 1, None, None)
