"""SqlCodes (one-time registration codes) and SqlOutbox (mail queued for the relay)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from gateway.services.records import OneTimeCode, OutgoingMail, QueuedMail
from gateway.store.outbox import MAX_ATTEMPTS
from gateway.store.tables import one_time_codes, outbox
from gateway.store.uow import SqlDatabase
from tests.store.factory import at
from tests.support.clock import START, MutableClock

EXPIRES = at(0.25)


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


async def queue(db: SqlDatabase, *mails: OutgoingMail) -> list[QueuedMail]:
    async with db.writing() as uow:
        for m in mails:
            await uow.outbox.add(m)
        await uow.commit()
    return await pending(db)


async def pending(db: SqlDatabase, limit: int = 10) -> list[QueuedMail]:
    async with db.reading() as uow:
        return await uow.outbox.pending(limit)


async def test_queued_mail_comes_back_whole_in_queue_order(db: SqlDatabase) -> None:
    queued = await queue(
        db, mail(1), mail(2), OutgoingMail(to=("x@example.com",), subject="s", body="")
    )

    first = queued[0].id
    assert queued == [
        QueuedMail(first, mail(1), 0),
        QueuedMail(first + 1, mail(2), 0),
        QueuedMail(first + 2, OutgoingMail(to=("x@example.com",), subject="s", body=""), 0),
    ]
    assert await pending(db, limit=2) == queued[:2]
    async with db.engine.connect() as conn:
        created = (await conn.execute(select(outbox.c.created_at))).scalars().all()  # 3 rows
    assert created == [START, START, START]


async def test_sent_mail_leaves_the_queue(db: SqlDatabase) -> None:
    one, two = await queue(db, mail(1), mail(2))

    async with db.writing() as uow:
        await uow.outbox.mark_sent(one.id, at(1))
        await uow.commit()

    assert await pending(db) == [two]
    async with db.engine.connect() as conn:
        row = (
            await conn.execute(
                select(outbox.c.sent_at, outbox.c.attempts, outbox.c.last_error).where(
                    outbox.c.id == one.id
                )
            )
        ).one()
    assert tuple(row) == (at(1), 1, None)


async def test_failed_mail_is_retried_until_the_attempts_run_out(db: SqlDatabase) -> None:
    one, two = await queue(db, mail(1), mail(2))

    for attempt in range(1, MAX_ATTEMPTS + 1):
        async with db.writing() as uow:
            await uow.outbox.mark_failed(one.id, f"refused {attempt}", at(attempt))
            await uow.commit()
        expected = [QueuedMail(one.id, one.mail, attempt), two] if attempt < MAX_ATTEMPTS else [two]
        assert await pending(db) == expected, attempt

    assert MAX_ATTEMPTS == 5
    async with db.engine.connect() as conn:
        row = (
            await conn.execute(
                select(outbox.c.sent_at, outbox.c.attempts, outbox.c.last_error).where(
                    outbox.c.id == one.id
                )
            )
        ).one()
    assert tuple(row) == (None, 5, f"{at(5).isoformat()}: refused 5")
    assert at(5).isoformat() == "2026-11-23T11:00:00+00:00"
