"""Write rate limits: how many changes one account, one client address or one API token
may make a minute, so a script (or a stolen token) cannot starve everybody else of the
database's write lock. Refusals are RATE_LIMITED with the seconds to wait (`RetryLater`).

Sign-ins and one-time codes keep their own, stricter throttles (gateway.services.throttle,
gateway.services.codes); these buckets come on top, for every mutation and REST write.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime

from domain.errors import ErrorCode
from domain.rate import BucketState, TokenRate, take
from domain.retry import RetryLater, whole_seconds
from gateway.services.authz import Principal
from gateway.services.ports import Clock, RateBuckets


@dataclass(frozen=True)
class WritePolicy:
    """Sustained writes a minute (and the burst) per account, per client address and per
    ingest API token; 0 turns that limit off."""

    per_account: TokenRate = field(default_factory=lambda: TokenRate(60))
    per_address: TokenRate = field(default_factory=lambda: TokenRate(300))
    per_ingest_token: TokenRate = field(default_factory=lambda: TokenRate(600))


class WriteLimits:
    """Called by the GraphQL layer before a mutation runs and by the REST shim and the
    ingest route before a write: `admit_write` / `admit_ingest` return, or raise
    RATE_LIMITED with `retry_after`. They decide nothing else."""

    def __init__(self, buckets: RateBuckets, clock: Clock, policy: WritePolicy) -> None:
        self._buckets = buckets
        self._clock = clock
        self._policy = policy

    async def admit_write(self, principal: Principal, client: str | None) -> None:
        """One write by `principal` from `client` (None: unknown address, not limited by
        it). The account's bucket is asked first, so one busy account behind a shared
        address does not spend the address's allowance for its neighbours. A sensor's
        API token (GraphQL `ingestReadings`) spends its ingest bucket instead."""
        if principal.actor is None and principal.api_token is not None:
            await self.admit_ingest(principal)
        now = self._clock.now()
        actor = principal.actor
        if actor is not None:
            await self._take(
                f"write:user:{actor.user_id}", self._policy.per_account, now, "account"
            )
        if client is not None:
            await self._take(f"write:addr:{client}", self._policy.per_address, now, "address")

    async def admit_ingest(self, principal: Principal) -> None:
        """One ingest request with an API token (people signed in as admins are not
        limited here: they are limited as writers)."""
        token = principal.api_token
        if token is not None:
            now = self._clock.now()
            key = f"ingest:token:{token.id}"
            await self._take(key, self._policy.per_ingest_token, now, "API token")

    async def close(self) -> None:
        await self._buckets.close()

    async def _take(self, key: str, rate: TokenRate, now: datetime, whose: str) -> None:
        if not rate.enabled:
            return
        wait = await self._buckets.take(key, rate, now)
        if wait > 0:
            seconds = whole_seconds(wait)
            raise RetryLater(
                ErrorCode.RATE_LIMITED,
                f"too many changes from this {whose} (at most {rate.per_minute} a minute); "
                f"try again in {seconds} seconds",
                retry_after=seconds,
            )


class InMemoryBuckets:
    """Buckets of this process only: the default without Redis. Keys of full buckets are
    dropped, so memory stays bounded by the callers active within a minute or so."""

    def __init__(self) -> None:
        self._states: dict[str, BucketState] = {}
        self._lock = asyncio.Lock()

    async def take(self, key: str, rate: TokenRate, now: datetime) -> float:
        async with self._lock:
            self._forget_full(rate, now)
            state, wait = take(rate, self._states.get(key), now)
            self._states[key] = state
            return wait

    async def close(self) -> None:
        return None

    def _forget_full(self, rate: TokenRate, now: datetime) -> None:
        if len(self._states) < 10_000:
            return
        refill = rate.capacity / max(rate.per_second, 1e-9)
        self._states = {
            k: s for k, s in self._states.items() if (now - s.at).total_seconds() < refill
        }
