"""Mailboxes of live subscribers: the newest value each, and one timer for them all.

A live subscriber must also notice, without any value arriving, that its token expired
or that its credentials are due for a recheck. Waking every subscriber on its own timer
costs a task and a timer per subscriber per tick: at 10,000 subscribers that alone fills
a core. Instead the stream's mailboxes share one timer, which wakes only the subscribers
whose check is due.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Generic, TypeVar

from gateway.services.authz import Principal

T = TypeVar("T")


class Slot(Generic[T]):
    """One subscriber's mailbox: the newest value only (a subscriber that does not read
    holds one value, never a backlog), and when it must next look at its credentials."""

    def __init__(self) -> None:
        self.latest: T | None = None
        self.ready = asyncio.Event()
        self.recheck_at = math.inf  # time.monotonic() seconds
        self.expires_at: datetime | None = None

    def offer(self, value: T) -> None:
        self.latest = value
        self.ready.set()

    def take(self) -> T | None:
        value, self.latest = self.latest, None
        self.ready.clear()
        return value

    def checked(self, expires_at: datetime | None, recheck_in: float) -> None:
        """The subscriber has just checked its credentials: when to wake it next."""
        self.expires_at = expires_at
        self.recheck_at = time.monotonic() + recheck_in

    async def recheck(
        self,
        principal: Principal,
        reauthenticate: Callable[[str], Awaitable[Principal]],
        every: float,
    ) -> Principal:
        """The subscriber's principal: authenticated again from its credential when its
        recheck is due (and the next one scheduled), else as it was."""
        if time.monotonic() < self.recheck_at:
            return principal
        if principal.credential:
            principal = await reauthenticate(principal.credential)
        self.checked(principal.expires_at, every)
        return principal

    def due(self, monotonic: float, now: datetime) -> bool:
        return monotonic >= self.recheck_at or (
            self.expires_at is not None and now >= self.expires_at
        )


class Mailboxes(Generic[T]):
    """The slots of one live stream. Every `tick` seconds one timer wakes the slots whose
    check is due (`now` is the injected clock, so expiry follows it, as tests need)."""

    def __init__(self, tick: float, now: Callable[[], datetime]) -> None:
        self.slots: set[Slot[T]] = set()
        self._tick = tick
        self._now = now
        self._timer: asyncio.Task[None] | None = None

    def __len__(self) -> int:
        return len(self.slots)

    def add(self) -> Slot[T]:
        slot: Slot[T] = Slot()
        self.slots.add(slot)
        if self._timer is None or self._timer.done():
            self._timer = asyncio.create_task(self._wake_due(), name="mailboxes:timer")
        return slot

    async def discard(self, slot: Slot[T]) -> None:
        self.slots.discard(slot)
        if not self.slots:
            await self.close()

    async def close(self) -> None:
        timer, self._timer = self._timer, None
        if timer is not None:
            timer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await timer

    def offer(self, value: T) -> None:
        for slot in tuple(self.slots):
            slot.offer(value)

    def wake_all(self) -> None:
        for slot in tuple(self.slots):
            slot.ready.set()

    async def _wake_due(self) -> None:
        while self.slots:
            await asyncio.sleep(self._tick)
            monotonic, now = time.monotonic(), self._now()
            for slot in tuple(self.slots):
                if slot.due(monotonic, now):
                    slot.ready.set()
