"""The unit of work: one AsyncSession, one transaction, repositories bound to it."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from gateway.services.ports import Clock
from gateway.store.addresses import SqlAddresses
from gateway.store.audit import SqlAuditLog
from gateway.store.bookings import SqlBookings
from gateway.store.codes import SqlCodes
from gateway.store.engine import SINGLE_READ_OPTION, WRITE_OPTION
from gateway.store.faults import storage_fault
from gateway.store.images import SqlImages
from gateway.store.locations import SqlLocations
from gateway.store.login_failures import SqlLoginFailures
from gateway.store.notifications import SqlNotifications
from gateway.store.occupancy import SqlApiTokens, SqlOccupancy
from gateway.store.outbox import SqlOutbox
from gateway.store.pending_registrations import SqlPendingRegistrations
from gateway.store.presence import SqlOfficeHours, SqlPresence
from gateway.store.profiles import SqlProfiles
from gateway.store.reminders import SqlReminders
from gateway.store.rooms import SqlRooms
from gateway.store.timetables import SqlTimetables
from gateway.store.users import SqlUsers


class SqlUnitOfWork:
    users: SqlUsers
    locations: SqlLocations
    rooms: SqlRooms
    bookings: SqlBookings
    codes: SqlCodes
    outbox: SqlOutbox
    login_failures: SqlLoginFailures
    profiles: SqlProfiles
    addresses: SqlAddresses
    office_hours: SqlOfficeHours
    presence: SqlPresence
    images: SqlImages
    notifications: SqlNotifications
    reminders: SqlReminders
    pending_registrations: SqlPendingRegistrations
    timetables: SqlTimetables
    api_tokens: SqlApiTokens
    occupancy: SqlOccupancy
    audit: SqlAuditLog

    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock
        self._session: AsyncSession | None = None

    async def __aenter__(self) -> Self:
        session = self._session = self._sessions()
        self.users = SqlUsers(session, self._clock)
        self.locations = SqlLocations(session)
        self.rooms = SqlRooms(session)
        self.bookings = SqlBookings(session)
        self.codes = SqlCodes(session, self._clock)
        self.outbox = SqlOutbox(session, self._clock)
        self.login_failures = SqlLoginFailures(session)
        self.profiles = SqlProfiles(session)
        self.addresses = SqlAddresses(session)
        self.office_hours = SqlOfficeHours(session)
        self.presence = SqlPresence(session)
        self.images = SqlImages(session)
        self.notifications = SqlNotifications(session)
        self.reminders = SqlReminders(session)
        self.pending_registrations = SqlPendingRegistrations(session)
        self.timetables = SqlTimetables(session)
        self.api_tokens = SqlApiTokens(session)
        self.occupancy = SqlOccupancy(session)
        self.audit = SqlAuditLog(session)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._session is not None:
            # Closing without a commit rolls the transaction back.
            await self._session.close()
            self._session = None
        fault = storage_fault(exc) if exc is not None else None
        if fault is not None:
            raise fault from exc

    async def commit(self) -> None:
        assert self._session is not None, "commit outside the unit of work"
        await self._session.commit()

    async def lock(self, *keys: str) -> None:
        assert self._session is not None, "lock outside the unit of work"
        if not keys or self._session.get_bind().dialect.name != "postgresql":
            return  # SQLite: this writer already holds the database's write lock
        # Advisory locks, released at commit or rollback, taken in the order of their
        # hashes (the sorted subquery), which is the same for every caller.
        await self._session.execute(
            text(
                "SELECT pg_advisory_xact_lock(h) FROM "
                "(SELECT DISTINCT hashtextextended(k, 0) AS h FROM unnest(CAST(:keys AS text[])) "
                "AS k ORDER BY h) AS ordered"
            ),
            {"keys": list(keys)},
        )


class SqlDatabase:
    """Opens units of work on one engine; writers begin with the write lock (SQLite)."""

    def __init__(self, engine: AsyncEngine, clock: Clock) -> None:
        self.engine = engine
        self._clock = clock
        self._readers = async_sessionmaker(engine, expire_on_commit=False)
        self._writers = async_sessionmaker(
            engine.execution_options(**{WRITE_OPTION: True}), expire_on_commit=False
        )
        # One statement sees one consistent state by itself: no BEGIN/ROLLBACK around it
        # (on PostgreSQL two round trips fewer).
        single = (
            engine.execution_options(**{SINGLE_READ_OPTION: True})
            if engine.dialect.name == "sqlite"
            else engine.execution_options(isolation_level="AUTOCOMMIT")
        )
        self._glances = async_sessionmaker(single, expire_on_commit=False)

    def reading(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self._readers, self._clock)

    def writing(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self._writers, self._clock)

    def glancing(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self._glances, self._clock)

    def single_read_sessions(self) -> async_sessionmaker[AsyncSession]:
        """Sessions for exactly one read statement each, outside any transaction."""
        return self._glances

    def read_sessions(self) -> async_sessionmaker[AsyncSession]:
        """Sessions that begin plain (deferred) transactions, for batch readers."""
        return self._readers

    def write_sessions(self) -> async_sessionmaker[AsyncSession]:
        """Sessions that begin with the write lock (SQLite), for stores outside a unit of
        work, such as the database's ImageStore."""
        return self._writers

    async def dispose(self) -> None:
        await self.engine.dispose()
