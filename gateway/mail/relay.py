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
# Left in the lease beyond the sender's timeout before a send may start: time to record
# the outcome, and slack for relays' clocks that disagree a little.
SEND_MARGIN = timedelta(seconds=30)
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

    Each mail is sent once however many relays run, as long as they live: a send starts
    only while the lease has the sender's timeout and SEND_MARGIN left, so it ends before
    another relay can claim the mail, and an outcome is recorded only by the claim that
    holds the lease. A relay that dies mid-send loses its lease after `lease`, and another
    sends that mail again (at least once across crashes). The relays' clocks must agree
    to well within SEND_MARGIN.
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
        self._send_time = timedelta(seconds=sender.timeout) + SEND_MARGIN
        if lease < 2 * self._send_time:
            # Otherwise most of each lease would pass with no send allowed to start.
            raise ValueError(
                f"a mail lease of {lease.total_seconds():g} s is too short for a sender that"
                f" may take {sender.timeout:g} s; it must be at least"
                f" {2 * self._send_time.total_seconds():g} s"
            )
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
            given_up = False
            for queued in batch:
                # A send must end before the lease does, or another relay could claim
                # the mail and send it as well.
                if self._clock.now() + self._send_time > queued.leased_until:
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
            recorded = await uow.outbox.mark_sent(queued, self._clock.now())
            await uow.commit()
        if not recorded:
            log.warning(
                "mail %s was sent, but its lease had passed to another relay, whose outcome"
                " stands; the mail may go out twice",
                queued.id,
            )
        return 1

    async def _record_failure(self, queued: QueuedMail, error: str) -> None:
        now = self._clock.now()
        retry_at = now + retry_delay(queued.attempts + 1)
        async with self._db.writing() as uow:
            recorded = await uow.outbox.mark_failed(queued, error, now, retry_at)
            await uow.commit()
        if not recorded:
            log.warning(
                "mail %s failed, but its lease had passed to another relay, whose outcome stands",
                queued.id,
            )

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
