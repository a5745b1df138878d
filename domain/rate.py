"""Token buckets: at most `per_minute` actions a minute, in bursts of up to that many.

A bucket holds up to `capacity` tokens and gains `per_minute / 60` a second; an action
takes one token, or waits until there is one. The state is two numbers, so it fits in a
dict, a database row or a Redis hash alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class TokenRate:
    """`per_minute` actions a minute, sustained; 0 turns the limit off."""

    per_minute: int

    def __post_init__(self) -> None:
        if self.per_minute < 0:
            raise ValueError("a rate is never negative")

    @property
    def enabled(self) -> bool:
        return self.per_minute > 0

    @property
    def capacity(self) -> float:
        return float(self.per_minute)

    @property
    def per_second(self) -> float:
        return self.per_minute / 60


@dataclass(frozen=True)
class BucketState:
    tokens: float
    at: datetime


def take(rate: TokenRate, state: BucketState | None, now: datetime) -> tuple[BucketState, float]:
    """Try to take one token at `now`: the bucket's new state and the seconds to wait
    before a token is there (0.0: taken). A refused take leaves the tokens as they are,
    so hammering a full bucket does not push the wait further out."""
    if not rate.enabled:
        return BucketState(0.0, now), 0.0
    if state is None:
        tokens, at = rate.capacity, now
    else:
        # A clock that went back (another process's, a corrected one) refills nothing,
        # and the bucket keeps its latest instant.
        at = max(state.at, now)
        elapsed = (at - state.at).total_seconds()
        tokens = min(rate.capacity, state.tokens + elapsed * rate.per_second)
    if tokens >= 1.0:
        return BucketState(tokens - 1.0, at), 0.0
    return BucketState(tokens, at), (1.0 - tokens) / rate.per_second
