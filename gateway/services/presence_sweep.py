"""The end-of-day sweep: a background job that closes presence sessions left open past
their office day, so occupancy and analytics never count a forgotten toggle."""

from __future__ import annotations

import asyncio
import logging

from gateway.services.presence import Presence

log = logging.getLogger(__name__)
SWEEP_SECONDS = 300.0


class PresenceSweeper:
    """Runs `Presence.sweep` on start and then every `interval_seconds`. A failed sweep
    is logged and tried again next time; sessions are closed at their day's closing time
    whenever the sweep runs, so a late sweep changes no numbers."""

    def __init__(self, presence: Presence, *, interval_seconds: float = SWEEP_SECONDS) -> None:
        self._presence = presence
        self._interval = interval_seconds
        self._task: asyncio.Task[None] | None = None

    async def run_once(self) -> int:
        try:
            return await self._presence.sweep()
        except Exception:  # a database hiccup must not end the job
            log.exception("the presence sweep failed; retrying in %g s", self._interval)
            return 0

    async def _run(self) -> None:
        while True:
            closed = await self.run_once()
            if closed:
                log.info("closed %d forgotten presence sessions", closed)
            await asyncio.sleep(self._interval)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="presence-sweep")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
