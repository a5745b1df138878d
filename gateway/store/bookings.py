"""Bookings repository; attendees load in one extra statement per batch of bookings."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, bindparam, insert, or_, select, update
from sqlalchemy.engine import Row
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from domain.bookings import Attendee, Booking, BookingSource, BookingStatus, slot_taken
from domain.intervals import Interval
from gateway.services.records import BookingQuery, Page, PageRequest
from gateway.store.pages import Keyset, fetch_page
from gateway.store.tables import booking_attendees, bookings

OVERLAP_CONSTRAINT = "ex_bookings_room_active_overlap"
EXCLUSION_VIOLATION = "23P01"


def is_overlap(error: IntegrityError) -> bool:
    """PostgreSQL's exclusion constraint refused a second booking of the same time."""
    code = getattr(error.orig, "sqlstate", None) or getattr(error.orig, "pgcode", None)
    return code == EXCLUSION_VIOLATION or OVERLAP_CONSTRAINT in str(error.orig)


def select_bookings() -> Select[Any]:
    return select(bookings)


def overlapping(within: Interval) -> Any:
    return (bookings.c.starts_at < within.end) & (bookings.c.ends_at > within.start)


def involving(user_id: int, email: str) -> Any:
    """Bookings the person created or attends, by the rule of `Attendee.is_`."""
    attending = select(booking_attendees.c.booking_id).where(
        or_(
            booking_attendees.c.user_id == user_id,
            and_(booking_attendees.c.user_id.is_(None), booking_attendees.c.email == email),
        )
    )
    return or_(bookings.c.creator_id == user_id, bookings.c.id.in_(attending))


async def with_attendees(session: AsyncSession, rows: Sequence[Row[Any]]) -> list[Booking]:
    """Turn booking rows into aggregates, fetching all their attendees in one statement."""
    if not rows:
        return []
    stmt = (
        select(booking_attendees)
        .where(booking_attendees.c.booking_id.in_([r.id for r in rows]))
        .order_by(booking_attendees.c.booking_id, booking_attendees.c.position)
    )
    attendees: dict[int, list[Attendee]] = defaultdict(list)
    for a in await session.execute(stmt):
        attendees[a.booking_id].append(Attendee(a.email, a.user_id, a.checked_in_at))
    return [
        Booking(
            id=r.id,
            code=r.code,
            room_id=r.room_id,
            creator_id=r.creator_id,
            interval=Interval(r.starts_at, r.ends_at),
            status=BookingStatus(r.status),
            source=BookingSource(r.source),
            attendees=tuple(attendees[r.id]),
            created_at=r.created_at,
            cancelled_at=r.cancelled_at,
            title=r.title,
            cancelled_by=r.cancelled_by,
        )
        for r in rows
    ]


BOOKING_ORDER = Keyset("bookings", (bookings.c.starts_at, bookings.c.id))


class SqlBookings:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def by_code(self, code: str) -> Booking | None:
        rows = (await self._session.execute(select_bookings().where(bookings.c.code == code))).all()
        found = await with_attendees(self._session, rows)
        return found[0] if found else None

    async def active_intervals(self, room_id: int, within: Interval) -> list[Interval]:
        stmt = select(bookings.c.starts_at, bookings.c.ends_at).where(
            bookings.c.room_id == room_id,
            bookings.c.status == BookingStatus.ACTIVE.value,
            overlapping(within),
        )
        return [Interval(r.starts_at, r.ends_at) for r in await self._session.execute(stmt)]

    async def add(
        self,
        *,
        code: str,
        room_id: int,
        creator_id: int,
        interval: Interval,
        source: BookingSource,
        title: str,
        attendees: Sequence[Attendee],
        created_at: datetime,
    ) -> Booking:
        try:
            booking_id = await self._session.scalar(
                insert(bookings)
                .values(
                    code=code,
                    room_id=room_id,
                    creator_id=creator_id,
                    title=title,
                    source=source.value,
                    status=BookingStatus.ACTIVE.value,
                    starts_at=interval.start,
                    ends_at=interval.end,
                    created_at=created_at,
                )
                .returning(bookings.c.id)
            )
        except IntegrityError as error:
            # Another transaction booked the slot after our check: the constraint decides.
            if is_overlap(error):
                raise slot_taken() from None
            raise
        assert booking_id is not None
        if attendees:  # an empty executemany would insert one row of defaults
            await self._session.execute(
                insert(booking_attendees),
                [
                    {
                        "booking_id": booking_id,
                        "email": a.email,
                        "user_id": a.user_id,
                        "position": i,
                    }
                    for i, a in enumerate(attendees)
                ],
            )
        return Booking(
            id=booking_id,
            code=code,
            room_id=room_id,
            creator_id=creator_id,
            interval=interval,
            status=BookingStatus.ACTIVE,
            source=source,
            attendees=tuple(attendees),
            created_at=created_at,
            title=title,
        )

    async def save_cancellation(self, booking: Booking) -> None:
        await self._session.execute(
            update(bookings)
            .where(bookings.c.id == booking.id)
            .values(
                status=booking.status.value,
                cancelled_at=booking.cancelled_at,
                cancelled_by=booking.cancelled_by,
            )
        )

    async def save_check_ins(self, booking: Booking) -> None:
        """Record the check-in times the aggregate holds; times already stored stay."""
        checked = [
            {"b_email": a.email, "b_at": a.checked_in_at}
            for a in booking.attendees
            if a.checked_in_at is not None
        ]
        if not checked:
            return
        await self._session.execute(
            update(booking_attendees)
            .where(
                booking_attendees.c.booking_id == booking.id,
                booking_attendees.c.email == bindparam("b_email"),
                booking_attendees.c.checked_in_at.is_(None),
            )
            .values(checked_in_at=bindparam("b_at")),
            checked,
        )

    async def list(self, query: BookingQuery, page: PageRequest) -> Page[Booking]:
        stmt = select_bookings()
        if query.room_ids is not None:
            stmt = stmt.where(bookings.c.room_id.in_(query.room_ids))
        if query.involving is not None:
            stmt = stmt.where(involving(query.involving.user_id, query.involving.email))
        stmt = stmt.where(bookings.c.status.in_([s.value for s in query.statuses]))
        if query.sources is not None:
            stmt = stmt.where(bookings.c.source.in_([s.value for s in query.sources]))
        if query.ends_after is not None:
            stmt = stmt.where(bookings.c.ends_at > query.ends_after)
        if query.starts_before is not None:
            stmt = stmt.where(bookings.c.starts_at < query.starts_before)
        found = await fetch_page(self._session, stmt, page, BOOKING_ORDER)
        return found.of(await with_attendees(self._session, found.rows))

    async def invited_since(self, creator_id: int, since: datetime) -> set[str]:
        stmt = (
            select(booking_attendees.c.email)
            .distinct()
            .join(bookings, bookings.c.id == booking_attendees.c.booking_id)
            .where(
                bookings.c.creator_id == creator_id,
                bookings.c.created_at >= since,
                booking_attendees.c.position > 0,
            )
        )
        return set((await self._session.scalars(stmt)).all())
