"""The import's diff of sessions and events against what is stored: withdraw what the
file no longer lists first, then add or restore the rest, clearing ad-hoc bookings in
the way (the caller's `clear` decides how)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime

from domain.bookings import BookingChange, BookingChanged, BookingSource
from domain.intervals import Interval
from domain.rooms import Room
from domain.timetables import Session, TimetableEvent
from domain.users import Actor
from gateway.services.bookings import new_booking_code
from gateway.services.ports import TimetableRepository, UnitOfWork
from gateway.services.timetable_records import ImportReport, StoredSession

Clear = Callable[[str, Room, Interval], Awaitable[bool]]
"""Clears the room for a session or event; False: leave it (the import will be refused)."""


class SessionSync:
    def __init__(
        self,
        uow: UnitOfWork,
        actor: Actor,
        now: datetime,
        rooms: Mapping[str, Room],
        clear: Clear,
        report: ImportReport,
        progress: Callable[[int, int], None] | None,
        total: int,
    ) -> None:
        self._uow = uow
        self._actor = actor
        self._now = now
        self._rooms = rooms
        self._clear = clear
        self._report = report
        self._progress = progress
        self._done = 0
        self._total = total
        self.changes: list[BookingChanged] = []
        """The timetable's own bookings made, withdrawn and restored, to announce."""

    async def sessions(self, sessions: Sequence[Session], course_ids: Mapping[str, int]) -> None:
        repo = self._uow.timetables
        stored = {s.key: s for s in await repo.sessions()}
        wanted = {s.key: s for s in sessions}
        withdrawn: list[int] = []
        for key, old in stored.items():
            keep = wanted.get(key)
            keep_rooms = {self._rooms[c].id for c in keep.rooms} if keep else set()
            for held in old.rooms:
                if held.available and held.room_id not in keep_rooms:
                    await repo.set_session_room_available(old.id, held.room_id, False)
                    withdrawn.append(held.booking_id)
            if old.available and keep is None:
                await repo.set_session_available(old.id, False)
                self._report.sessions_withdrawn += 1
        await self._set_active(repo, withdrawn, False, self._now, self._actor.user_id)
        for key, session in wanted.items():
            found = stored.get(key)
            if found is None:
                session_id = await repo.add_session(
                    course_ids[session.course], session.label, session.interval
                )
                self._report.sessions_added += 1
                found = StoredSession(
                    session_id, session.course, session.label, session.interval, True
                )
            elif not found.available:
                await repo.set_session_available(found.id, True)
                self._report.sessions_restored += 1
            await self._hold_rooms(found, session)
            self._tick()

    async def _hold_rooms(self, stored: StoredSession, session: Session) -> None:
        repo = self._uow.timetables
        held = {r.room_id: r for r in stored.rooms}
        for code in dict.fromkeys(session.rooms):
            room = self._rooms[code]
            old = held.get(room.id)
            if old is not None and old.available:
                continue
            if not await self._clear(session.origin, room, session.interval):
                continue
            if old is None:
                booking_id = await self._book(
                    room,
                    session.interval,
                    BookingSource.TIMETABLE,
                    f"{session.course} {session.label}",
                )
                await repo.add_session_room(stored.id, room.id, booking_id)
            else:
                await self._set_active(repo, [old.booking_id], True, self._now, self._actor.user_id)
                await repo.set_session_room_available(stored.id, room.id, True)

    async def events(self, events: Sequence[TimetableEvent]) -> None:
        repo = self._uow.timetables
        stored = {e.key: e for e in await repo.events()}
        wanted = {e.key: e for e in events}
        gone = [e for key, e in stored.items() if e.available and key not in wanted]
        for withdrawn in gone:
            await repo.set_event_available(withdrawn.id, False)
        await self._set_active(
            repo, [e.booking_id for e in gone], False, self._now, self._actor.user_id
        )
        self._report.events_withdrawn += len(gone)
        for key, event in wanted.items():
            old = stored.get(key)
            room = self._rooms[event.room]
            taken = old is None or not old.available
            if taken and not await self._clear(event.origin, room, event.interval):
                continue
            if old is None:
                booking_id = await self._book(
                    room, event.interval, BookingSource.EXTERNAL, event.name
                )
                await repo.add_event(event, room.id, booking_id)
                self._report.events_added += 1
            elif not old.available:
                await repo.set_event_available(old.id, True)
                await self._set_active(repo, [old.booking_id], True, self._now, self._actor.user_id)
                self._report.events_restored += 1
            self._tick()

    async def _set_active(
        self, repo: TimetableRepository, ids: list[int], active: bool, at: datetime, by: int
    ) -> None:
        change = BookingChange.CREATED if active else BookingChange.CANCELLED
        for booking in await repo.set_bookings_active(ids, active, at, by):
            self.changes.append(BookingChanged(change, booking, at))

    async def _book(self, room: Room, interval: Interval, source: BookingSource, title: str) -> int:
        booking = await self._uow.bookings.add(
            code=new_booking_code(self._now.year),
            room_id=room.id,
            creator_id=self._actor.user_id,
            interval=interval,
            source=source,
            title=title[:200],
            attendees=(),
            created_at=self._now,
        )
        self.changes.append(booking.created(self._now))
        return booking.id

    def _tick(self) -> None:
        self._done += 1
        if self._progress is not None:
            self._progress(self._done, self._total)
