"""Sign-in throttling: how long a key must wait after too many failed sign-ins.

Failures are counted per typed address (`ThrottleScope.ACCOUNT`, whether or not it has an
account, so the answer never tells) and per client address (`ThrottleScope.CLIENT`). They
live in the database, so every gateway process sees the same counts.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.errors import DomainError, ErrorCode
from domain.retry import RetryLater
from gateway.services.records import FailureTally, ThrottleKey, ThrottleScope


@dataclass(frozen=True)
class LoginPolicy:
    """After `account_limit` failures for one typed address (or `client_limit` from one
    client address) within `window`, sign-ins for it wait `first_wait` after the latest
    failure; each further failure doubles the wait, up to `max_wait`, so the real owner is
    never locked out for long. A successful sign-in clears the address's failures."""

    account_limit: int = 5
    client_limit: int = 20
    window: timedelta = timedelta(minutes=15)
    first_wait: timedelta = timedelta(minutes=1)
    max_wait: timedelta = timedelta(minutes=15)

    def limit(self, scope: ThrottleScope) -> int:
        return self.account_limit if scope is ThrottleScope.ACCOUNT else self.client_limit

    def wait(self, scope: ThrottleScope, failures: int) -> timedelta:
        """How long after its latest failure a key with `failures` must wait (0: none)."""
        over = failures - self.limit(scope)
        if over < 0:
            return timedelta(0)
        # Past the cap the exponent only grows the number; stop before it overflows.
        doublings = min(over, 32)
        return min(self.first_wait * (1 << doublings), self.max_wait)

    def retry_at(self, tallies: Mapping[ThrottleKey, FailureTally]) -> datetime | None:
        """When the most throttled of these keys may try again; None when none is."""
        waits = [
            tally.last_at + wait
            for key, tally in tallies.items()
            if (wait := self.wait(key.scope, tally.count))
        ]
        return max(waits, default=None)


def refuse_until(retry_at: datetime, now: datetime) -> DomainError:
    """The one answer for every throttled key: it does not say which key, nor whether an
    account exists."""
    seconds = max(1, math.ceil((retry_at - now).total_seconds()))
    return RetryLater(
        ErrorCode.RATE_LIMITED,
        f"too many failed sign-ins; try again in {seconds} seconds",
        retry_after=seconds,
    )
