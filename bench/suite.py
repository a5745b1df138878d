"""The benchmark suite (issue 12): `python -m bench [--quick]`, run by `make bench`.

Builds the dataset in a SQLite file (bench.bulk), then in every round starts each server
in turn on the server core (bench.bench_server: the real `occupi serve`, plain
Strawberry, the floor), checks every scenario's answer, warms it up, and measures it
with wrk (bench/suite.lua) on the load generator's core, reading the server's SQL
statement count before and after. Prints Markdown: the machine, the pinning, the
dataset, the table with ratios to both baselines, the targets and the consistency checks.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bench import machine, table
from bench.bulk import BenchData, build
from bench.checks import log_problems
from bench.config import BenchConfig
from bench.loadgen import LoadResult, run_wrk
from bench.procstat import CpuSnapshot, CpuUse
from bench.scale import FULL, QUICK, Scale
from bench.scenarios import (
    SCENARIOS,
    SERVERS,
    Scenario,
    SlotCursor,
    Tokens,
    problem,
    read_requests,
    write_plan,
)
from bench.suite_io import (
    LOADGEN_CPUS,
    SERVER_CPUS,
    active_bookings,
    call,
    describe_data,
    pinning,
    server_env,
    serving,
    statements,
)

WRITES_PER_SECOND = 1500  # far above what one core books; a plan that runs out says so


@dataclass(frozen=True)
class SuiteConfig:
    scale: Scale
    rounds: int
    warmup_seconds: int
    measure_seconds: int
    # Warm up before every document (full), or once per server with the nested read
    # (quick: every document has been answered once already, by its check).
    warm_each: bool = True

    @classmethod
    def of(cls, quick: bool) -> SuiteConfig:
        if quick:
            return cls(QUICK, rounds=1, warmup_seconds=1, measure_seconds=2, warm_each=False)
        return cls(FULL, rounds=3, warmup_seconds=2, measure_seconds=6)

    def wrk(self) -> BenchConfig:
        """What bench.loadgen needs: the load generator's core and the timeout."""
        return BenchConfig(
            database_url="",
            broker_url="",
            quick=self.rounds == 1,
            warmup_seconds=self.warmup_seconds,
            measure_seconds=self.measure_seconds,
            orders=(),
            server_cpus=SERVER_CPUS,
            loadgen_cpus=LOADGEN_CPUS,
        )


class Suite:
    """One run's state: the data, the plans, the slot cursor and what was measured."""

    def __init__(self, config: SuiteConfig, work: Path, data: BenchData, secret: str) -> None:
        self.config, self.work, self.data = config, work, data
        self.now = datetime.now(UTC)
        self.tokens = Tokens(secret, self.now, data)
        self.slots = SlotCursor(data)
        self.env = server_env(data, secret, work)
        self.measured: list[table.Measured] = []
        self.booked = 0  # bookRoom successes, checks and warm-ups included
        self.problems: list[str] = []
        self.logged: dict[str, Counter[str]] = defaultdict(Counter)
        self._plans: dict[str, Path] = {}

    def session(self, round_number: int, server: str) -> None:
        log = self.work / f"{server}-{round_number}.log"
        with serving(server, self.env, log) as url:
            mine = [s for s in SCENARIOS if server in s.servers]
            for scenario in mine:
                self._check(url, server, scenario)
            if not self.config.warm_each:  # once, with the nested read at most connections
                self._load(url, max(mine, key=_warms_best), self.config.warmup_seconds)
            warmed: set[str] = set()
            for scenario in mine:
                if self.config.warm_each and scenario.name not in warmed:
                    warmed.add(scenario.name)
                    self._load(url, scenario, self.config.warmup_seconds)
                self.measured.append(self._measure(url, server, scenario, round_number))
        self.logged[server] += log_problems(log)

    def _check(self, url: str, server: str, scenario: Scenario) -> None:
        if scenario.writes:
            request = self.slots.requests(self.tokens.people, 1)[0]
        else:
            request = read_requests(scenario.name, self.data, self.tokens, self.now)[0]
        wrong = problem(scenario.name, call(url, request), self.data)
        if wrong:
            raise SystemExit(f"bench: {scenario.key} on {server} answers wrong: {wrong}")
        self.booked += scenario.writes

    def _plan(self, scenario: Scenario, seconds: int) -> Path:
        if scenario.writes:
            requests = self.slots.requests(self.tokens.people, WRITES_PER_SECOND * seconds)
            return write_plan(self.work / "write.plan", requests)
        if scenario.name not in self._plans:
            requests = read_requests(scenario.name, self.data, self.tokens, self.now)
            self._plans[scenario.name] = write_plan(self.work / f"{scenario.name}.plan", requests)
        return self._plans[scenario.name]

    def _load(self, url: str, scenario: Scenario, seconds: int) -> LoadResult:
        result = run_wrk(
            self.config.wrk(),
            url,
            self._plan(scenario, seconds),
            seconds,
            connections=scenario.connections,
            cycle=not scenario.writes,
        )
        if result.exhausted:
            raise SystemExit(f"bench: the {scenario.key} plan ran out; raise WRITES_PER_SECOND")
        if scenario.writes:
            self.booked += result.ok
        if result.samples:
            self.problems.append(f"{scenario.key}: unexpected answers: `{result.samples[:300]}`")
        return result

    def _measure(
        self, url: str, server: str, scenario: Scenario, round_number: int
    ) -> table.Measured:
        before, cpu_before = statements(url), CpuSnapshot.take()
        load = self._load(url, scenario, self.config.measure_seconds)
        cpu = CpuUse.between(cpu_before, CpuSnapshot.take(), load.seconds, [os.getpid()])
        after = statements(url)
        counted = None if before is None or after is None else after - before
        return table.Measured(
            scenario=scenario,
            server=server,
            round=round_number,
            requests=load.requests,
            seconds=load.seconds,
            p50_ms=load.p50_ms,
            p99_ms=load.p99_ms,
            errors=load.errors,
            slot_taken=load.slot_taken,
            statements=counted,
            others_cpu=cpu.others,
        )

    def consistency(self, seeded: int) -> list[str]:
        now_active = active_bookings(self.data.database_url)
        return [
            "## Consistency",
            "",
            f"- active bookings: {seeded} seeded, {now_active} after the run; bookRoom "
            f"successes counted: {self.booked} (a booking still in flight when a run's time "
            "is up is made but not counted)",
            *(f"- {p}" for p in self.problems),
            *([] if self.problems else ["- no unexpected answers"]),
            "- error records in the servers' logs (a `ClientDisconnect` is a request wrk "
            "abandoned when a run's time was up):",
            *(
                f"  - {server}: {count} times `{what}`"
                for server, found in self.logged.items()
                for what, count in found.most_common(5)
            ),
            *([] if any(self.logged.values()) else ["  - none"]),
        ]


def _warms_best(scenario: Scenario) -> tuple[bool, int]:
    return scenario.name == "nested", scenario.connections


def _quick_from(env: Mapping[str, str]) -> bool:
    """BENCH_QUICK as `make bench` and bench.config read it: set and not 0/false/no."""
    return env.get("BENCH_QUICK", "").strip().lower() not in ("", "0", "false", "no")


def _database_url(work: Path, *, postgres: bool) -> str:
    if not postgres:
        return f"sqlite+aiosqlite:///{work / 'bench.db'}"
    url = os.environ.get("OCCUPI_TEST_DATABASE_URL", "")
    if not url.startswith("postgresql+asyncpg://"):
        raise SystemExit(
            "bench: --postgres needs OCCUPI_TEST_DATABASE_URL; run it under "
            "`taskset --cpu-list 0 python scripts/test_services.py -- python -m bench --postgres`"
        )
    return url


def _print(lines: Sequence[str]) -> None:
    print("\n".join(lines), flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a smaller dataset, one short round")
    parser.add_argument(
        "--postgres",
        action="store_true",
        help="on the empty PostgreSQL of OCCUPI_TEST_DATABASE_URL (scripts/test_services.py) "
        "instead of a new SQLite file",
    )
    args = parser.parse_args(argv)
    quick = args.quick or _quick_from(os.environ)
    config = SuiteConfig.of(quick)
    work = Path(tempfile.mkdtemp(prefix="occupi-suite-"))
    try:
        database_url = _database_url(work, postgres=args.postgres)
        _print(["## Machine", "", *(f"- {line}" for line in machine.describe(database_url))])
        _print(["", *pinning(database_url), ""])
        started = time.monotonic()
        data = build(database_url, config.scale, now=datetime.now(UTC))
        _print([*describe_data(data, time.monotonic() - started), ""])
        seeded = active_bookings(data.database_url)
        suite = Suite(config, work, data, secrets.token_urlsafe(48))
        for round_number in range(1, config.rounds + 1):
            order = SERVERS if round_number % 2 else tuple(reversed(SERVERS))
            for server in order:
                print(f"round {round_number}: {server}", file=sys.stderr, flush=True)
                suite.session(round_number, server)
        figures = table.combine(suite.measured)
        mode = "quick" if quick else "full"
        _print(
            [f"## Results ({mode} run, {config.rounds} round(s) of {config.measure_seconds} s)", ""]
        )
        _print(
            [*table.render(figures), "", "## Targets (issue 12)", "", *table.targets(figures), ""]
        )
        _print(suite.consistency(seeded))
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)
