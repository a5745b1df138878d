"""The reminder worker: sends due "starting soon" reminders, once each, from any number
of gateway processes."""

from __future__ import annotations

import asyncio
import logging

from domain.bookings import BookingStatus
from domain.notifications import Notification, NotificationKind
from gateway.services.booking_notices import REMINDER_TITLE, reminder_mail, reminder_message
from gateway.services.events import MailQueued
from gateway.services.notification_records import DueReminder
from gateway.services.notify import announce, notify
from gateway.services.ports import Clock, Database, EventPublisher, UnitOfWork

log = logging.getLogger(__name__)
BATCH = 50
POLL_SECONDS = 30.0


class ReminderWorker:
    """Polls for due reminders and, per batch in ONE writing unit of work, settles each
    (conditionally: only a still-pending reminder), creates its notification and queues
    its mail. Everything a reminder causes commits together with its leaving `pending`,
    so a crash before the commit loses nothing and one after it repeats nothing, and two
    workers never both send one reminder. Live delivery and push follow the commit."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        publisher: EventPublisher,
        *,
        batch: int = BATCH,
        poll_seconds: float = POLL_SECONDS,
    ) -> None:
        self._db = db
        self._clock = clock
        self._publisher = publisher
        self._batch = batch
        self._poll_seconds = poll_seconds
        self._task: asyncio.Task[None] | None = None

    async def run_once(self) -> int:
        """Send every reminder due now, a batch at a time; returns how many were sent."""
        sent = 0
        while True:
            now = self._clock.now()
            delivered: list[Notification] = []
            async with self._db.writing() as uow:
                due = await uow.reminders.due(now, self._batch)
                for reminder in due:
                    delivered += await self._settle(uow, reminder)
                await uow.commit()
            sent += len(delivered)
            if delivered:
                await self._publisher.publish(MailQueued(now))
                await announce(self._publisher, delivered)
            if len(due) < self._batch:
                return sent

    async def _settle(self, uow: UnitOfWork, reminder: DueReminder) -> list[Notification]:
        now = self._clock.now()
        booking = await uow.bookings.by_code(reminder.booking_code)
        room = None if booking is None else await uow.rooms.by_id(booking.room_id)
        if booking is None or room is None or booking.status is not BookingStatus.ACTIVE:
            await uow.reminders.settle(reminder.id, "cancelled", now)
            return []
        settings = (await uow.notifications.settings([reminder.user_id]))[reminder.user_id]
        if not settings.booking_reminders:  # turned off since the booking was made
            await uow.reminders.settle(reminder.id, "skipped", now)
            return []
        if not await uow.reminders.settle(reminder.id, "sent", now):
            return []  # another worker settled it first
        await uow.outbox.add(reminder_mail(reminder.email, booking, room))
        return await notify(
            uow,
            [reminder.user_id],
            REMINDER_TITLE,
            reminder_message(booking, room),
            NotificationKind.REMINDER,
            now,
            booking_code=booking.code,
        )

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="reminder-worker")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def _run(self) -> None:
        while True:
            try:
                await self.run_once()
            except Exception:  # keep the worker alive; the next poll retries
                log.exception("reminder worker failed")
            await asyncio.sleep(self._poll_seconds)
