"""Live occupancy of a location for many subscribers: one upstream subscription per
location per process, one computation per update, bursts coalesced, slow subscribers
never waited for.

Each watched location has a channel: a task that listens to the location's topic, and
on an event recomputes the location's occupancy once, hands the result to every
subscriber's slot (which keeps only the latest value, so a subscriber that does not read
just skips to the newest), then waits the coalescing interval before looking again, so
a burst of readings becomes at most one push per interval. The channel ends with its
last subscriber.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator, Awaitable, Callable
from datetime import datetime, timedelta

from domain.api_tokens import TokenScope
from domain.errors import DomainError, ErrorCode
from gateway.services.authz import EXPIRED_MESSAGE, Principal
from gateway.services.events import occupancy_topic
from gateway.services.mailboxes import Mailboxes, Slot
from gateway.services.occupancy import OccupancyNow, OccupancyView, Snapshot
from gateway.services.ports import Clock, EventStream

log = logging.getLogger(__name__)
TICK_SECONDS = 1.0
Reauthenticate = Callable[[str], Awaitable[Principal]]


class _Channel:
    def __init__(self, hub: LiveOccupancy, location_id: int) -> None:
        self.location_id = location_id
        self.slots: Mailboxes[OccupancyView] = Mailboxes(hub.tick, hub.clock.now)
        self.updates = 0  # computations, for the tests and the benchmark
        self.listening = asyncio.Event()
        self.failed = False
        self._hub = hub
        # The tree's occupancy as of the last computation, shared by everybody who joins
        # meanwhile: a thousand dashboards connecting at once cost one computation.
        self._snapshot: asyncio.Future[Snapshot] | None = None
        self.task = asyncio.create_task(self._run(), name=f"occupancy:{location_id}")

    async def _run(self) -> None:
        try:
            await self._listen()
        except Exception:  # cancellation (the last subscriber left) is no failure
            log.exception("live occupancy of %d stopped", self.location_id)
            # Whoever waits for the channel must not wait for ever: they get an error.
            self.failed = True
            self.listening.set()
            self.slots.wake_all()

    async def _listen(self) -> None:
        stream, coalesce = self._hub.stream, self._hub.coalesce_seconds
        async with stream.subscribe(occupancy_topic(self.location_id)) as queue:
            self.listening.set()
            while True:
                await queue.get()
                while not queue.empty():  # everything that came meanwhile: one update
                    queue.get_nowait()
                try:
                    snapshot = await self._hub.occupancy.snapshot()
                except Exception:
                    log.exception("live occupancy of %d failed", self.location_id)
                    snapshot = None
                if snapshot is not None:
                    # Kept before it is offered: who joins later starts from it.
                    self._snapshot = _done(snapshot)
                    _tree, found = snapshot
                    if self.location_id in found:
                        self.updates += 1
                        self.slots.offer(OccupancyView(found[self.location_id], found))
                await asyncio.sleep(coalesce)

    async def snapshot(self) -> Snapshot:
        """The occupancy now: computed once for all who ask before the next update.
        Ask only once the channel listens, so that no change falls in between."""
        if self._snapshot is None or (
            self._snapshot.done() and self._snapshot.exception() is not None
        ):
            self._snapshot = asyncio.ensure_future(self._hub.occupancy.snapshot())
        return await asyncio.shield(self._snapshot)


def _done(snapshot: Snapshot) -> asyncio.Future[Snapshot]:
    future: asyncio.Future[Snapshot] = asyncio.get_running_loop().create_future()
    future.set_result(snapshot)
    return future


def still_valid(principal: Principal, now: datetime) -> None:
    """A live subscriber may go on: a person whose token has not expired, or a token
    with `read`; otherwise the DomainError to end the subscription with."""
    if principal.actor is None:
        principal.require_api(TokenScope.READ)
        return
    principal.require()
    if principal.expires_at is not None and now >= principal.expires_at:
        raise DomainError(ErrorCode.UNAUTHENTICATED, EXPIRED_MESSAGE)


class LiveOccupancy:
    """`watch` is for anybody signed in, or a `read` API token within its subtree (as
    `OccupancyNow.of`). The first value is the count now; then one per change (coalesced).
    It ends with UNAUTHENTICATED when a user's token expires, or at the next recheck
    after the account is gone or the API token revoked."""

    def __init__(
        self,
        stream: EventStream,
        occupancy: OccupancyNow,
        clock: Clock,
        reauthenticate: Reauthenticate,
        *,
        coalesce: timedelta = timedelta(milliseconds=250),
        recheck: timedelta = timedelta(seconds=15),
        tick: float = TICK_SECONDS,
    ) -> None:
        self.stream = stream
        self.occupancy = occupancy
        self.coalesce_seconds = coalesce.total_seconds()
        self.clock = clock
        self._reauthenticate = reauthenticate
        self._recheck = recheck.total_seconds()
        self.recheck_seconds = self._recheck
        self.tick = tick
        self._channels: dict[int, _Channel] = {}
        self._authorising: asyncio.Future[Snapshot] | None = None

    def channel_count(self) -> int:
        return len(self._channels)

    def updates(self, location_id: int) -> int:
        channel = self._channels.get(location_id)
        return channel.updates if channel else 0

    async def watch(
        self, principal: Principal, location_id: int
    ) -> AsyncGenerator[OccupancyView, None]:
        channel, slot = self._join(location_id)
        try:
            await channel.listening.wait()
            self._check(channel)
            # May they? Checked on the shared snapshot (raises if not): no read of its own.
            yield self.occupancy.view_in(principal, await channel.snapshot(), location_id)
            slot.checked(principal.expires_at, self._recheck)
            while True:
                await slot.ready.wait()
                principal = await slot.recheck(principal, self._reauthenticate, self._recheck)
                self._still_valid(principal)
                self._check(channel)
                view = slot.take()
                if view is not None:
                    yield view
        finally:
            await self._leave(location_id, slot)

    async def authorise(self, principal: Principal, location_id: int) -> None:
        """Raises the DomainError `watch` would answer when this caller may not watch the
        location. Callers asking at once share one computation of the tree (the answer
        depends only on the tree and the caller): 10,000 dashboards joining at once must
        not queue 10,000 reads for the connection pool."""
        if self._authorising is None or self._authorising.done():
            self._authorising = asyncio.ensure_future(self.occupancy.snapshot())
        self.occupancy.view_in(principal, await asyncio.shield(self._authorising), location_id)

    def _join(self, location_id: int) -> tuple[_Channel, Slot[OccupancyView]]:
        channel = self._channels.get(location_id)
        if channel is None:
            channel = self._channels[location_id] = _Channel(self, location_id)
        return channel, channel.slots.add()

    async def stop(self) -> None:
        """End every channel (the app's shutdown); their subscribers end with them."""
        channels, self._channels = list(self._channels.values()), {}
        for channel in channels:
            channel.task.cancel()
        for channel in channels:
            with contextlib.suppress(asyncio.CancelledError):
                await channel.task
            await channel.slots.close()

    async def _leave(self, location_id: int, slot: Slot[OccupancyView]) -> None:
        channel = self._channels.get(location_id)
        if channel is None:
            return
        await channel.slots.discard(slot)
        if not channel.slots:
            del self._channels[location_id]
            channel.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await channel.task

    @staticmethod
    def _check(channel: _Channel) -> None:
        if channel.failed:
            # Masked as an unexpected error; the cause is in the log.
            raise RuntimeError(f"live occupancy of {channel.location_id} is unavailable")

    def _still_valid(self, principal: Principal) -> None:
        still_valid(principal, self.clock.now())
