"""Sends queued outbox mail after commit; woken by MailQueued events, on start and by a
timer. Any number of relays, in any number of processes, may share one outbox."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta

from gateway.mail.senders import MailSender
from gateway.services.events import Event, MailQueued
from gateway.services.ports import Clock, Database
from gateway.services.records import QueuedMail

log = logging.getLogger(__name__)
BATCH = 50
# Longer than a batch takes to send, so a live relay keeps its claim; after it, a relay
# that died mid-batch gives its mail up to the others.
LEASE = timedelta(minutes=5)
POLL_SECONDS = 60.0
FIRST_RETRY = timedelta(seconds=30)
LAST_RETRY = timedelta(hours=1)


def retry_delay(attempts: int) -> timedelta:
    """How long a mail that has failed `attempts` times (at least once) waits: 30 s,
    doubling with every failure, never more than an hour."""
    doublings = min(max(attempts - 1, 0), 16)  # bounded: any count, and no overflow
    return min(FIRST_RETRY * (1 << doublings), LAST_RETRY)


class MailRelay:
    """Claims mail from the outbox with a lease, sends it, and records the outcome.

    Each mail is sent once however many relays run, as long as they live: a relay that
    dies mid-send loses its lease after `lease`, and another sends that mail again (at
    least once across crashes). The relays' clocks must agree to well within `lease`.
    """

    def __init__(
        self,
        db: Database,
        sender: MailSender,
        clock: Clock,
        *,
        batch: int = BATCH,
        lease: timedelta = LEASE,
        poll_seconds: float = POLL_SECONDS,
    ) -> None:
        self._db = db
        self._sender = sender
        self._clock = clock
        self._batch = batch
        self._lease = lease
        self._poll_seconds = poll_seconds
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def publish(self, event: Event) -> None:
        if isinstance(event, MailQueued):
            self._wake.set()

    async def drain(self) -> int:
        """Claim and send mail, a batch at a time, oldest first, until none is left to
        claim; returns how many this relay sent.

        A failed mail backs off before it can be claimed again, so it waits for a later
        pass and never holds back the mail queued after it.
        """
        sent = 0
        while True:
            now = self._clock.now()
            async with self._db.writing() as uow:
                batch = await uow.outbox.claim(self._batch, now=now, lease=self._lease)
                await uow.commit()
            # No send starts in the last fifth of the lease: it must end before the
            # lease does, or another relay could claim the mail and send it as well.
            deadline = now + self._lease * 0.8
            given_up = False
            for queued in batch:
                if self._clock.now() >= deadline:
                    given_up = True  # the next claim, here or elsewhere, takes it
                    continue
                sent += await self._deliver(queued)
            if len(batch) < self._batch and not given_up:
                return sent

    async def _deliver(self, queued: QueuedMail) -> int:
        try:
            await self._sender.send(queued.mail)
        except Exception as error:  # any sender failure is retried later, never fatal
            log.warning("mail %s not sent: %s", queued.id, error)
            await self._record_failure(queued, str(error) or type(error).__name__)
            return 0
        async with self._db.writing() as uow:
            await uow.outbox.mark_sent(queued.id, self._clock.now())
            await uow.commit()
        return 1

    async def _record_failure(self, queued: QueuedMail, error: str) -> None:
        now = self._clock.now()
        retry_at = now + retry_delay(queued.attempts + 1)
        async with self._db.writing() as uow:
            await uow.outbox.mark_failed(queued.id, error, now, retry_at)
            await uow.commit()

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
            # MailQueued only reaches the relay of the process that queued the mail; the
            # timer picks up the rest: retries whose backoff is over, leases of dead relays.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._poll_seconds)
            self._wake.clear()
            try:
                await self.drain()
            except Exception:  # keep the relay alive; the next wake-up retries
                log.exception("mail relay failed")
