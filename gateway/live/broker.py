"""In-memory pub/sub: one process, many subscribers, bounded queues."""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Protocol

from gateway.services.events import Event

log = logging.getLogger(__name__)
QUEUE_SIZE = 256


class Broker(Protocol):
    """Pub/sub for live events: the EventPublisher and EventStream ports, plus a lifecycle
    the app's lifespan drives. In-memory for one process, Redis for several."""

    async def publish(self, event: Event) -> None: ...

    def subscribe(self, topic: str) -> AbstractAsyncContextManager[asyncio.Queue[Event]]: ...

    def subscriber_count(self, topic: str) -> int: ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


class InMemoryBroker:
    """Delivers each published event to every current subscriber of its topic.

    A subscriber that falls QUEUE_SIZE events behind loses the oldest ones rather than
    slowing the publisher down.
    """

    def __init__(self) -> None:
        self._queues: dict[str, set[asyncio.Queue[Event]]] = defaultdict(set)

    async def publish(self, event: Event) -> None:
        for queue in tuple(self._queues.get(event.topic, ())):
            if queue.full():
                queue.get_nowait()
                log.warning("subscriber on %s is slow; dropped an event", event.topic)
            queue.put_nowait(event)

    @asynccontextmanager
    async def subscribe(self, topic: str) -> AsyncIterator[asyncio.Queue[Event]]:
        queue: asyncio.Queue[Event] = asyncio.Queue(QUEUE_SIZE)
        self._queues[topic].add(queue)
        try:
            yield queue
        finally:
            self._queues[topic].discard(queue)
            if not self._queues[topic]:
                del self._queues[topic]

    def subscriber_count(self, topic: str) -> int:
        return len(self._queues.get(topic, ()))

    async def start(self) -> None:
        """Nothing to connect to."""

    async def stop(self) -> None:
        """Nothing to close."""
