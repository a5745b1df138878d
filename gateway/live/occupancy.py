"""Changed live counts go to the broker, one event per location (leaves and ancestors), so
every process's live occupancy subscriptions hear of them."""

from __future__ import annotations

import logging

from gateway.live.broker import Broker
from gateway.services.events import OccupancyChanged
from gateway.services.ports import Clock

log = logging.getLogger(__name__)


class BrokerOccupancyEvents:
    """The OccupancyEvents port over the broker; a broker outage is logged, and the
    ingest that caused it stands."""

    def __init__(self, broker: Broker, clock: Clock) -> None:
        self._broker = broker
        self._clock = clock

    async def counts_changed(self, location_ids: frozenset[int]) -> None:
        now = self._clock.now()
        try:
            for location_id in sorted(location_ids):
                await self._broker.publish(OccupancyChanged(location_id, now))
        except Exception:
            log.exception("could not announce new counts of %d locations", len(location_ids))
