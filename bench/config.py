"""What one benchmark run does: durations, load, pinning, and where the services are."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

# The machine has two cores: the gateway, PostgreSQL and Redis share the first,
# the load generator has the second to itself.
SERVER_CPUS = "0"
LOADGEN_CPUS = "1"
# Both configurations run in every round; the order alternates so that neither always
# meets the larger bookings table or the warmer caches.
FULL_ORDERS = ((1, 2), (2, 1), (1, 2))
QUICK_ORDERS = ((1, 2),)
WARMUP_CONNECTIONS = 16


@dataclass(frozen=True)
class Scenario:
    """One measured load: bookRoom writes or the nested read, at a number of connections."""

    name: str
    label: str
    writes: bool
    connections: int


# The nested read twice: at 16 connections, more than one process's pool keeps open
# (10), and at 4, which fits in it, so the pool's part in the ratio shows on its own.
SCENARIOS = (
    Scenario("write", "bookRoom, distinct free slots", writes=True, connections=16),
    Scenario("read", "rooms → bookings → attendees → user", writes=False, connections=16),
    Scenario("read-4", "the same read, 4 connections", writes=False, connections=4),
)


@dataclass(frozen=True)
class BenchConfig:
    database_url: str
    broker_url: str
    quick: bool
    warmup_seconds: int
    measure_seconds: int
    orders: tuple[tuple[int, ...], ...]
    scenarios: tuple[Scenario, ...] = SCENARIOS
    server_cpus: str = SERVER_CPUS
    loadgen_cpus: str = LOADGEN_CPUS
    # Most requests one write plan holds, per second of its duration: far above what one
    # core serves, so a plan only runs out if the gateway became much faster (then the
    # run says so instead of reporting a truncated figure).
    max_writes_per_second: int = 1500
    timeout_seconds: int = 10

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, *, quick: bool = False) -> BenchConfig:
        env = os.environ if env is None else env
        database_url = env.get("OCCUPI_TEST_DATABASE_URL", "")
        broker_url = env.get("OCCUPI_TEST_BROKER_URL", "")
        if not database_url.startswith("postgresql+asyncpg://") or not broker_url:
            raise SystemExit(
                "bench: needs OCCUPI_TEST_DATABASE_URL (PostgreSQL) and OCCUPI_TEST_BROKER_URL "
                "(Redis); run it with `make bench`, which starts both"
            )
        quick = quick or env.get("BENCH_QUICK", "").strip().lower() not in ("", "0", "false", "no")
        return cls(
            database_url=database_url,
            broker_url=broker_url,
            quick=quick,
            warmup_seconds=2 if quick else 4,
            measure_seconds=5 if quick else 20,
            orders=QUICK_ORDERS if quick else FULL_ORDERS,
        )
