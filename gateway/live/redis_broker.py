"""Live events shared by several gateway processes through Redis pub/sub."""

from __future__ import annotations

import asyncio
import logging
import random
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from redis.asyncio import Redis
from redis.asyncio.client import PubSub
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError

from gateway.live.broker import InMemoryBroker
from gateway.live.codec import UndecodableMessage, decode, encode
from gateway.services.events import Event

__all__ = ["BrokerUnavailable", "RedisBroker"]

log = logging.getLogger(__name__)
FIRST_BACKOFF = 0.1


class BrokerUnavailable(ConnectionError):
    """Redis did not confirm a published event in time. Most likely no subscriber sees
    it; a server that stalled rather than died may still deliver it late."""


class RedisBroker:
    """EventPublisher and EventStream over Redis pub/sub, for several gateway processes.

    The same interface as InMemoryBroker, plus `start()` (once, in the app's lifespan)
    and `stop()` (on shutdown). Guarantees:

    - One upstream subscription per topic per process, whatever the number of local
      subscribers: the first one SUBSCRIBEs, the last one leaving UNSUBSCRIBEs. Each
      message is decoded once and fanned out to every local subscriber by an
      InMemoryBroker, so a slow subscriber loses its oldest events, never slows others.
    - Entering `subscribe` returns once Redis has confirmed the subscription (or after
      `timeout`), so an event published after that reaches the subscriber.
    - `publish` encodes once and PUBLISHes, nothing more: events from this process reach
      its own subscribers through Redis too, so every process sees the same order.
    - `publish` raises BrokerUnavailable within about 2 x `timeout` when Redis is down,
      never hangs; the app's FanOut logs and swallows it, so the committed change that
      caused the event stands and queries and mutations keep working.
    - A lost connection is logged once (WARNING) and its return once (INFO); meanwhile
      the reader retries with capped exponential backoff, then resubscribes every topic
      that still has local subscribers. Events published during the outage are lost,
      for this process's subscribers too: pub/sub keeps no history to replay.
    - `subscribe` never fails because Redis is down: the subscription is registered
      locally and subscribed upstream when the connection is back.
    """

    def __init__(
        self,
        url: str,
        *,
        channel_prefix: str = "occupi:",
        timeout: float = 1.0,
        ping_interval: float = 5.0,
        max_backoff: float = 5.0,
    ) -> None:
        self._prefix = channel_prefix
        self._timeout = timeout
        self._ping_interval = ping_interval
        self._max_backoff = max_backoff
        self._where = _redacted(url)
        # No socket_timeout: with one, redis-py bounds every send with asyncio.wait_for,
        # which on Python 3.11 can swallow a cancellation that lands as the send completes
        # (CPython gh-86296) and so hang stop(). Each step here runs under an
        # asyncio.timeout of its own instead; connecting keeps redis-py's bound.
        # One immediate retry covers a pooled connection that a Redis restart broke.
        self._publisher = Redis.from_url(
            url,
            socket_timeout=None,
            socket_connect_timeout=timeout,
            retry=Retry(NoBackoff(), 1),
        )
        # No retries at all: the reader owns reconnection, and redis-py must not
        # reconnect and resubscribe behind its back.
        self._subscriber = Redis.from_url(
            url,
            socket_timeout=None,
            socket_connect_timeout=timeout,
            retry=Retry(NoBackoff(), 0, supported_errors=()),
        )
        self._local = InMemoryBroker()
        self._topics: Counter[str] = Counter()  # local subscribers per topic
        self._upstream: set[str] = set()  # channels subscribed on the current connection
        self._unanswered: Counter[str] = Counter()  # SUBSCRIBEs sent, not yet confirmed
        self._confirmed: dict[str, asyncio.Event] = {}
        self._changed = asyncio.Event()  # the set of wanted topics changed
        self._connected = False
        self._first_attempt = asyncio.Event()
        self._reader: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Start the reader and wait (about 3 x `timeout` at most) for its first
        connection. Never raises because Redis is down: the reader keeps trying."""
        if self._reader is not None:
            return
        self._reader = asyncio.create_task(self._read_forever(), name="redis-broker-reader")
        with suppress(TimeoutError):
            async with asyncio.timeout(3 * self._timeout):
                await self._first_attempt.wait()

    async def stop(self) -> None:
        """Cancel the reader and close every connection, in about `timeout` at most.
        Local subscribers stay registered but receive nothing more."""
        reader, self._reader = self._reader, None
        if reader is not None:
            reader.cancel()
            _, running = await asyncio.wait([reader], timeout=self._timeout)
            if running:  # shutting down matters more than a clean reader
                log.warning("the redis broker reader did not stop in time")
        await self._subscriber.aclose()
        await self._publisher.aclose()

    async def publish(self, event: Event) -> None:
        payload = encode(event)
        channel = self._channel(event.topic)
        try:
            async with asyncio.timeout(2 * self._timeout):
                await self._publisher.publish(channel, payload)
        except (RedisError, OSError) as error:  # OSError includes the timeout above
            raise BrokerUnavailable(
                f"could not publish to {channel} on {self._where}: {_describe(error)}"
            ) from error

    @asynccontextmanager
    async def subscribe(self, topic: str) -> AsyncIterator[asyncio.Queue[Event]]:
        # Registered locally first, so nothing delivered after the confirmation is missed.
        async with self._local.subscribe(topic) as queue:
            self._topics[topic] += 1
            if self._topics[topic] == 1:
                self._changed.set()
            try:
                await self._until_subscribed(topic)
                yield queue
            finally:
                # No await here: a cancelled subscriber still leaves, and the reader's
                # follower sends the UNSUBSCRIBE.
                self._topics[topic] -= 1
                if not self._topics[topic]:
                    del self._topics[topic]
                    self._changed.set()

    def subscriber_count(self, topic: str) -> int:
        return self._local.subscriber_count(topic)

    def _channel(self, topic: str) -> str:
        return self._prefix + topic

    async def _until_subscribed(self, topic: str) -> None:
        if not self._connected:
            return  # the reader subscribes every wanted topic once it is back
        channel = self._channel(topic)
        confirmed = self._confirmed.setdefault(channel, asyncio.Event())
        try:
            async with asyncio.timeout(self._timeout):
                await confirmed.wait()
        except TimeoutError:
            log.warning("redis did not confirm the subscription to %s in time", channel)

    async def _read_forever(self) -> None:
        loop = asyncio.get_running_loop()
        delay, down, ever_connected = FIRST_BACKOFF, False, False
        while True:
            pubsub = self._subscriber.pubsub()
            began = loop.time()
            try:
                async with asyncio.timeout(2 * self._timeout):
                    await pubsub.ping()  # connects; the PONG comes back through _listen
                    self._connected = True
                    await self._resubscribe(pubsub)
                if down:
                    log.info(
                        "redis broker at %s is back; topics resubscribed: %d",
                        self._where,
                        len(self._upstream),
                    )
                down, ever_connected = False, True
                self._first_attempt.set()
                await self._serve(pubsub)
            except Exception as error:  # the reader must outlive any failure
                if not isinstance(error, RedisError | OSError):
                    log.exception("redis broker reader failed; reconnecting")
                elif not down:
                    log.warning(
                        "%s the redis broker at %s (%s); live events pause until it is back",
                        "lost" if ever_connected else "cannot reach",
                        self._where,
                        _describe(error),
                    )
                down = True
            finally:
                self._disconnected()
                with suppress(RedisError, OSError):
                    await pubsub.aclose()  # type: ignore[no-untyped-call]  # redis-py leaves it bare
            self._first_attempt.set()
            # Only a connection that lasted resets the backoff: one that Redis drops as
            # soon as it is made (a refused SUBSCRIBE, say) must not become a busy loop.
            if loop.time() - began > self._max_backoff:
                delay = FIRST_BACKOFF
            # Jitter spreads the reconnections of many processes after a Redis restart.
            await asyncio.sleep(delay * random.uniform(0.5, 1.0))  # noqa: S311
            delay = min(2 * delay, self._max_backoff)

    def _disconnected(self) -> None:
        self._connected = False
        self._upstream.clear()
        self._unanswered.clear()
        for waiting in self._confirmed.values():
            waiting.set()  # let waiting subscribers in; they are resubscribed on return
        self._confirmed.clear()

    async def _resubscribe(self, pubsub: PubSub) -> None:
        self._upstream.clear()
        await self._apply(pubsub)

    async def _apply(self, pubsub: PubSub) -> None:
        """Bring the upstream subscriptions in line with the local subscribers."""
        self._changed.clear()
        wanted = {self._channel(topic) for topic in self._topics}
        added, removed = wanted - self._upstream, self._upstream - wanted
        # State before I/O: a subscriber arriving while an UNSUBSCRIBE is in flight must
        # wait for a fresh confirmation, not trust the old one.
        self._upstream = wanted
        for channel in removed:
            self._confirmed.pop(channel, None)
        self._unanswered.update(added)
        async with asyncio.timeout(self._timeout):
            if added:
                await pubsub.subscribe(*sorted(added))
            if removed:
                await pubsub.unsubscribe(*sorted(removed))

    async def _serve(self, pubsub: PubSub) -> None:
        """Read and follow subscription changes until either fails."""
        tasks = [
            asyncio.create_task(self._listen(pubsub)),
            asyncio.create_task(self._follow(pubsub)),
        ]
        try:
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                task.result()
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        raise RedisConnectionError("the redis broker reader stopped")

    async def _follow(self, pubsub: PubSub) -> None:
        while True:
            await self._changed.wait()
            await self._apply(pubsub)

    async def _listen(self, pubsub: PubSub) -> None:
        # A silent connection is probed with PING: a half-open TCP connection would
        # otherwise look like a quiet channel forever.
        pinged = False
        while True:
            message = await pubsub.get_message(timeout=self._ping_interval)
            if message is None:
                if pinged:
                    raise RedisConnectionError(f"no reply to PING in {self._ping_interval} s")
                async with asyncio.timeout(self._timeout):
                    await pubsub.ping()
                pinged = True
                continue
            pinged = False
            await self._handle(message)

    async def _handle(self, message: dict[str, Any]) -> None:
        kind = message["type"]
        if kind == "message":
            await self._deliver(_text(message["channel"]), message["data"])
        elif kind == "subscribe":
            self._acknowledge(_text(message["channel"]))

    def _acknowledge(self, channel: str) -> None:
        self._unanswered[channel] -= 1
        if self._unanswered[channel] > 0:
            return  # a later SUBSCRIBE of the same channel is still unanswered
        del self._unanswered[channel]
        if channel in self._upstream:
            self._confirmed.setdefault(channel, asyncio.Event()).set()

    async def _deliver(self, channel: str, data: bytes) -> None:
        topic = channel.removeprefix(self._prefix)
        try:
            event = decode(data)
        except UndecodableMessage as error:
            log.warning("skipped a message on %s that is not an event: %s", channel, error)
            return
        if event.topic != topic:
            log.warning("skipped a %s event that arrived on %s", event.topic, channel)
            return
        await self._local.publish(event)


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


def _describe(error: BaseException) -> str:
    return str(error) or type(error).__name__


def _redacted(url: str) -> str:
    """The URL without credentials, for log lines."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))
