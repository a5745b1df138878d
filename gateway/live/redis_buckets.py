"""Rate buckets in Redis, so every gateway process counts one caller's writes together.

One Lua script per take keeps the read-refill-take-write of a bucket atomic. The bucket
time is the gateway's clock (passed in), not Redis's, so the rule is the one in
domain.rate. When Redis cannot be reached the take is allowed and a warning logged: the
broker going away must not take writes down with it.
"""

from __future__ import annotations

import asyncio
import logging
import math
from datetime import datetime

from redis.asyncio import Redis
from redis.exceptions import RedisError

from domain.rate import TokenRate

log = logging.getLogger(__name__)

_TAKE = """
local capacity = tonumber(ARGV[1])
local per_second = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = capacity
if state[1] then
  local last = tonumber(state[2])
  if now < last then now = last end
  tokens = math.min(capacity, tonumber(state[1]) + (now - last) * per_second)
end
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
else
  wait = (1 - tokens) / per_second
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[4]))
return tostring(wait)
"""


class RedisBuckets:
    """RateBuckets on a Redis server; keys are `<prefix>rate:<key>` and expire once full."""

    def __init__(self, url: str, *, prefix: str = "occupi:", timeout: float = 1.0) -> None:
        self._prefix = prefix
        self._timeout = timeout
        self._redis = Redis.from_url(url, socket_timeout=None, socket_connect_timeout=timeout)
        self._script = self._redis.register_script(_TAKE)

    async def take(self, key: str, rate: TokenRate, now: datetime) -> float:
        refill_seconds = math.ceil(rate.capacity / rate.per_second) + 1
        try:
            async with asyncio.timeout(self._timeout):
                answer = await self._script(
                    keys=[f"{self._prefix}rate:{key}"],
                    args=[rate.capacity, rate.per_second, now.timestamp(), refill_seconds],
                )
        except (RedisError, OSError, TimeoutError) as error:
            log.warning("rate limits are off while Redis is unreachable: %s", error)
            return 0.0
        return float(answer.decode() if isinstance(answer, bytes) else answer)

    async def close(self) -> None:
        await self._redis.aclose()
