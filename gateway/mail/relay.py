"""Sends queued outbox mail after commit; woken by MailQueued events, and on start."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from gateway.mail.senders import MailSender
from gateway.services.events import Event, MailQueued
from gateway.services.ports import Clock, Database
from gateway.services.records import QueuedMail

log = logging.getLogger(__name__)
BATCH = 50
RETRY_SECONDS = 60.0


class MailRelay:
    def __init__(self, db: Database, sender: MailSender, clock: Clock) -> None:
        self._db = db
        self._sender = sender
        self._clock = clock
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def publish(self, event: Event) -> None:
        if isinstance(event, MailQueued):
            self._wake.set()

    async def drain(self) -> int:
        """One pass over the pending mail, oldest first; returns how many were sent.

        Each mail is tried at most once per pass, so a failing one waits for a later pass
        and never holds back the mail queued after it.
        """
        sent, after_id = 0, 0
        while True:
            async with self._db.reading() as uow:
                batch = await uow.outbox.pending(BATCH, after_id)
            for queued in batch:
                sent += await self._deliver(queued)
            if len(batch) < BATCH:
                return sent
            after_id = batch[-1].id

    async def _deliver(self, queued: QueuedMail) -> int:
        try:
            await self._sender.send(queued.mail)
        except Exception as error:  # any sender failure is retried later, never fatal
            log.warning("mail %s not sent: %s", queued.id, error)
            async with self._db.writing() as uow:
                outcome = str(error) or type(error).__name__
                await uow.outbox.mark_failed(queued.id, outcome, self._clock.now())
                await uow.commit()
            return 0
        async with self._db.writing() as uow:
            await uow.outbox.mark_sent(queued.id, self._clock.now())
            await uow.commit()
        return 1

    def start(self) -> None:
        self._wake.set()
        self._task = asyncio.create_task(self._run(), name="mail-relay")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def _run(self) -> None:
        while True:
            # Wake on new mail, and every RETRY_SECONDS to retry earlier failures.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), RETRY_SECONDS)
            self._wake.clear()
            try:
                await self.drain()
            except Exception:  # keep the relay alive; the next wake-up retries
                log.exception("mail relay failed")
