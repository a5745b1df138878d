"""The benchmark: 1 gateway process against 2 (`occupi serve --workers 2`) in one run.

    taskset --cpu-list 0 python scripts/test_services.py -- python -m bench.workers [--quick]

(`make bench` runs exactly that.) Builds the dataset, then for every round starts each
configuration in turn on the server core, checks it answers the read query correctly,
warms it up, and measures every scenario with wrk on the load generator's core. Prints
the machine, the pinning, the tables and the consistency checks, as Markdown.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import tempfile
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path

from bench import checks, machine, report
from bench.config import WARMUP_CONNECTIONS, BenchConfig, Scenario
from bench.dataset import Dataset, build
from bench.loadgen import LoadResult, run_wrk
from bench.pgstat import sessions_between, sessions_started
from bench.plans import SlotCursor, write_read_plan
from bench.procstat import CpuSnapshot, CpuUse
from bench.servers import Server, serving

WARMUP = (
    Scenario("warm-read", "warm-up", writes=False, connections=WARMUP_CONNECTIONS),
    Scenario("warm-write", "warm-up", writes=True, connections=WARMUP_CONNECTIONS),
)


class Run:
    """One benchmark run's state: the dataset, the slot cursor, and what was measured."""

    def __init__(self, config: BenchConfig, work: Path, dataset: Dataset, env: Mapping[str, str]):
        self.config = config
        self.work = work
        self.dataset = dataset
        self.env = env
        self.slots = SlotCursor(dataset)
        self.read_plan = write_read_plan(work / "read.plan", dataset)
        self.ours = [os.getpid(), *(p for ps in checks.service_pids(config).values() for p in ps)]
        self.measured: list[report.Measurement] = []
        self.booked = 0  # successes the load generator saw, warm-ups included
        self.in_database = 0
        self.problems: Counter[str] = Counter()

    def session(self, round_number: int, workers: int) -> None:
        """Start `workers` processes, check, warm up, measure every scenario, stop."""
        log = self.work / f"server-{round_number}-{workers}.log"
        with serving(self.env, workers, self.config.server_cpus, log) as server:
            checks.read_answer(server, self.dataset)
            for warm_up in WARMUP:
                self._load(server, warm_up, self.config.warmup_seconds)
            for scenario in self.config.scenarios:
                self.measured.append(self._measure(server, scenario, round_number))
            self.in_database = checks.bookings_in_database(server, self.dataset)
        self.problems += checks.log_problems(log)

    def _load(self, server: Server, scenario: Scenario, seconds: int) -> LoadResult:
        plan = self.read_plan
        if scenario.writes:
            count = self.config.max_writes_per_second * seconds
            plan = self.slots.write_plan(self.work / "write.plan", count)
        result = run_wrk(
            self.config,
            server.url,
            plan,
            seconds,
            connections=scenario.connections,
            cycle=not scenario.writes,
        )
        if scenario.writes:
            self.booked += result.ok
        return result

    def _measure(self, server: Server, scenario: Scenario, round_number: int) -> report.Measurement:
        pids = server.serving_pids()
        connections = sessions_started(self.config.database_url)
        before = CpuSnapshot.take()
        load = self._load(server, scenario, self.config.measure_seconds)
        cpu = CpuUse.between(before, CpuSnapshot.take(), load.seconds, self.ours)
        opened = sessions_between(self.config.database_url, connections)
        if load.exhausted:
            raise SystemExit(
                f"bench: the {scenario.name} plan ran out; raise max_writes_per_second"
            )
        worker_cpu = tuple(cpu.processes.get(pid, 0.0) for pid in pids)
        return report.Measurement(
            scenario, server.workers, round_number, load, cpu, worker_cpu, opened
        )

    def consistency(self) -> list[str]:
        """Bookings in the database against the successes counted, and the servers' logs."""
        counted = self.dataset.read_bookings + self.booked
        lines = [
            "## Consistency",
            "",
            f"- active bookings in the database: {self.in_database}; seeded plus successes "
            f"the load generator counted: {counted} (a booking still in flight when a run's "
            "time is up is made but not counted)",
            f"- error records in the servers' logs: {sum(self.problems.values())}",
        ]
        lines += [f"  - {count} times: `{what}`" for what, count in self.problems.most_common(10)]
        lines += [
            f"- an unexpected answer in round {m.round}, {m.scenario.name}, {m.workers} "
            f"process(es): `{m.load.samples[:300]}`"
            for m in self.measured
            if m.load.samples
        ]
        suspects = report.suspects(self.measured, self.config.loadgen_cpus)
        if suspects:
            lines += ["- other work on the machine during these measurements:", *suspects]
        else:
            lines.append("- no other work on the machine was seen during the measurements")
        return lines


def _server_env(config: BenchConfig, secret: str, work: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OCCUPI_")}
    env.update(
        OCCUPI_DATA_DIR=str(work / "var"),
        OCCUPI_DATABASE_URL=config.database_url,
        OCCUPI_BROKER_URL=config.broker_url,
        OCCUPI_JWT_SECRET=secret,
        # Access logs and the console mail sender's lines would be measured too.
        OCCUPI_LOG_LEVEL="warning",
        # One load generator from one address is no abuse to refuse: the write limits
        # (OCCUPI_RATE_*) would measure their 429s, not the gateway.
        OCCUPI_RATE_WRITES_PER_MINUTE="0",
        OCCUPI_RATE_ADDRESS_WRITES_PER_MINUTE="0",
        OCCUPI_RATE_INGEST_PER_MINUTE="0",
    )
    return env


def _print(lines: Sequence[str]) -> None:
    print("\n".join(lines), flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.workers", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="short runs, one round")
    config = BenchConfig.from_env(quick=parser.parse_args(argv).quick)
    work = Path(tempfile.mkdtemp(prefix="occupi-bench-"))
    try:
        _print(["## Machine", "", *(f"- {line}" for line in machine.describe(config.database_url))])
        _print(["", *checks.pinning(config), ""])
        secret = secrets.token_urlsafe(48)
        dataset = build(config.database_url, secret, work / "var")
        run = Run(config, work, dataset, _server_env(config, secret, work))
        for round_number, order in enumerate(config.orders, start=1):
            for workers in order:
                print(f"round {round_number}: {workers} process(es)", flush=True)
                run.session(round_number, workers)
        mode = "quick" if config.quick else "full"
        scenarios = config.scenarios
        _print(["", f"## Results ({mode} run)", "", *report.summary(run.measured, scenarios)])
        _print(["", "## Every measurement", "", *report.runs_table(run.measured, scenarios)])
        _print(["", *run.consistency()])
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)
