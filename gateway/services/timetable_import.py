"""The timetable import: one file, one writing unit of work, all or nothing.

The stored timetable is made to match the file: records and sessions missing from the
database are added, changed ones updated, and those the file no longer lists withdrawn
(soft-deleted, their bookings cancelled). Importing the same file twice changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from domain.audit import AuditEntity
from domain.bookings import Booking, BookingChange, BookingChanged, BookingStatus
from domain.errors import DomainError, ErrorCode, invalid
from domain.intervals import Interval
from domain.notifications import Notification, NotificationKind
from domain.rooms import Room
from domain.timetables import Session, Timetable, expand
from domain.users import Actor
from gateway.services import audit
from gateway.services.audit_snapshots import booking_fields
from gateway.services.authz import Principal
from gateway.services.events import BookingEvent
from gateway.services.notify import announce, notify
from gateway.services.ports import Clock, Database, EventPublisher, UnitOfWork
from gateway.services.timetable_records import Collision, CollisionPolicy, ImportReport
from gateway.services.timetable_sync import SessionSync

Progress = Callable[[int, int], None]
"""Called with (records done, records in all) as the import goes."""

IMPORT_LOCK = "timetable-import"


@dataclass
class _Pending:
    """Ad-hoc bookings cancelled by the import, announced once it has committed."""

    changes: list[tuple[BookingChanged, str]]
    notified: list[Notification]


class TimetableImport:
    """`occupi import timetable`: admins only (the command acts as an admin account)."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        publisher: EventPublisher,
        policy: CollisionPolicy = CollisionPolicy.TIMETABLE_WINS,
    ) -> None:
        self._db = db
        self._clock = clock
        self._publisher = publisher
        self._policy = policy

    async def run(
        self, principal: Principal, timetable: Timetable, progress: Progress | None = None
    ) -> ImportReport:
        """Import `timetable`. A bad record raises INVALID_INPUT naming it; with the
        `refuse` policy, sessions in the way of ad-hoc bookings raise TIMETABLE_COLLISION
        listing them all. Either way nothing is written."""
        actor = principal.require_admin()
        sessions = expand(timetable)
        now = self._clock.now()
        report = ImportReport()
        pending = _Pending([], [])
        async with self._db.writing() as uow:
            await uow.lock(IMPORT_LOCK)
            repo = uow.timetables
            wanted = {code for s in sessions for code in s.rooms}
            wanted |= {e.room for e in timetable.events} | {r.code for r in timetable.rooms}
            found = await repo.rooms_by_code(sorted(wanted))
            for origin, code in _room_references(timetable, sessions):
                if code not in found:
                    raise invalid(f"{origin}: unknown room {code!r}", origin)
            for details in timetable.rooms:
                await repo.save_room_details(found[details.code].id, details)
            semester_ids = await repo.sync_semesters(timetable.semesters)
            teacher_ids = await repo.sync_teachers(timetable.teachers)
            course_ids = await repo.sync_courses(timetable.courses, teacher_ids)
            unit_ids = await repo.sync_units(timetable.units)
            await repo.sync_study_plans(timetable.study_plans, unit_ids, semester_ids, course_ids)

            async def clear(origin: str, room: Room, interval: Interval) -> bool:
                return await self._clear(uow, actor, now, report, pending, origin, room, interval)

            total = len(sessions) + len(timetable.events)
            sync = SessionSync(uow, actor, now, found, clear, report, progress, total)
            await sync.sessions(sessions, course_ids)
            await sync.events(timetable.events)
            if report.collisions and self._policy is CollisionPolicy.REFUSE:
                raise DomainError(ErrorCode.TIMETABLE_COLLISION, _refusal(report.collisions))
            codes = {room.id: room.code for room in found.values()}
            for changed in sync.changes:
                room_id = changed.booking.room_id
                if room_id not in codes:  # a room the file no longer names
                    other = await uow.rooms.by_id(room_id)
                    codes[room_id] = other.code if other else ""
                pending.changes.append((changed, codes[room_id]))
            await uow.commit()
        for changed, room_code in pending.changes:
            await self._publisher.publish(BookingEvent(changed, room_code))
        await announce(self._publisher, pending.notified)
        return report

    async def _clear(
        self,
        uow: UnitOfWork,
        actor: Actor,
        now: datetime,
        report: ImportReport,
        pending: _Pending,
        origin: str,
        room: Room,
        interval: Interval,
    ) -> bool:
        """Report every booking in the way; unless refusing, cancel it and tell its people.
        True when the room is clear: when refusing, the import is rolled back anyway, and
        the booking is not even tried (PostgreSQL's constraint would refuse it)."""
        clashes = await uow.timetables.clashing(room.id, interval)
        for booking in clashes:
            report.collisions.append(Collision(origin, room.code, booking.code, booking.interval))
        if self._policy is CollisionPolicy.REFUSE:
            return not clashes
        for booking in clashes:
            cancelled = replace(
                booking,
                status=BookingStatus.CANCELLED,
                cancelled_at=now,
                cancelled_by=actor.user_id,
            )
            await uow.bookings.save_cancellation(cancelled)
            await audit.record(
                uow,
                actor,
                AuditEntity.BOOKING,
                booking.code,
                "cancelled_by_timetable",
                at=now,
                before=booking_fields(booking),
                after=booking_fields(cancelled),
            )
            await uow.reminders.cancel(booking.id, now)
            pending.notified += await notify(
                uow,
                _people(booking),
                "Booking Cancelled",
                f"Your booking {booking.code} in {room.name} on "
                f"{booking.interval.start.astimezone(room.calendar.zone):%A %d %B %Y, %H:%M} "
                f"({room.calendar.zone.key}) was cancelled: the timetable needs the room.",
                NotificationKind.CANCELLATION,
                now,
                booking_code=booking.code,
            )
            pending.changes.append(
                (BookingChanged(BookingChange.CANCELLED, cancelled, now), room.code)
            )
        return True


def _people(booking: Booking) -> list[int]:
    ids = [booking.creator_id] + [a.user_id for a in booking.attendees if a.user_id is not None]
    return list(dict.fromkeys(ids))


def _room_references(timetable: Timetable, sessions: list[Session]) -> list[tuple[str, str]]:
    refs = [(f"$.rooms[{i}].code", r.code) for i, r in enumerate(timetable.rooms)]
    refs += [(s.origin, code) for s in sessions for code in s.rooms]
    refs += [(e.origin, e.room) for e in timetable.events]
    return refs


def _refusal(collisions: list[Collision]) -> str:
    listed = "; ".join(
        f"{c.origin}: {c.room_code} is booked by {c.booking_code} from "
        f"{c.interval.start.isoformat()} to {c.interval.end.isoformat()}"
        for c in collisions
    )
    return f"the timetable collides with {len(collisions)} booking(s): {listed}"
