"""Measurements into tables: medians per configuration and 2-process/1-process ratios."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from statistics import median

from bench.config import Scenario
from bench.loadgen import LoadResult
from bench.procstat import CpuUse

BASELINE, SUBJECT = 1, 2
# Other processes' CPU above this share of a core make a measurement suspect.
OTHERS_LIMIT = 5.0


@dataclass(frozen=True)
class Measurement:
    scenario: Scenario
    workers: int
    round: int
    load: LoadResult
    cpu: CpuUse
    worker_cpu: tuple[float, ...]  # each serving process, % of one core
    new_pg_connections: int

    @property
    def new_connections_per_request(self) -> float:
        return self.new_pg_connections / max(1, self.load.requests)


def _of(runs: Sequence[Measurement], scenario: Scenario, workers: int) -> list[Measurement]:
    return [m for m in runs if m.scenario == scenario and m.workers == workers]


def _ratio(subject: float, baseline: float) -> str:
    return f"{subject / baseline:.2f}" if baseline else "n/a"


def _round_ratios(runs: Sequence[Measurement], scenario: Scenario) -> list[float]:
    """Throughput ratio within each round, where both were measured minutes apart."""
    ratios = []
    for number in sorted({m.round for m in runs}):
        pair = {
            m.workers: m.load.per_second
            for m in runs
            if m.scenario == scenario and m.round == number
        }
        if pair.get(BASELINE) and SUBJECT in pair:
            ratios.append(pair[SUBJECT] / pair[BASELINE])
    return ratios


def summary(runs: Sequence[Measurement], scenarios: Sequence[Scenario]) -> list[str]:
    """The headline table: medians over rounds, errors summed, ratios against 1 process."""
    lines = [
        "| scenario | connections | processes | requests/s | p50 ms | p99 ms | errors "
        "| SLOT_TAKEN | ratio req/s | ratio p50 | ratio p99 | req/s ratio per round |",
        "|---" * 12 + "|",
    ]
    for scenario in scenarios:
        medians = {}
        for workers in (BASELINE, SUBJECT):
            if chosen := _of(runs, scenario, workers):
                medians[workers] = (
                    median(m.load.per_second for m in chosen),
                    median(m.load.p50_ms for m in chosen),
                    median(m.load.p99_ms for m in chosen),
                    sum(m.load.errors for m in chosen),
                    sum(m.load.slot_taken for m in chosen),
                )
        base = medians.get(BASELINE)
        for workers, (rate, p50, p99, errors, taken) in medians.items():
            if workers == BASELINE or base is None:
                ratios = "1.00 (baseline) | 1.00 | 1.00 | —"
            else:
                spread = ", ".join(f"{r:.2f}" for r in _round_ratios(runs, scenario))
                ratios = " | ".join(
                    (_ratio(rate, base[0]), _ratio(p50, base[1]), _ratio(p99, base[2]), spread)
                )
            lines.append(
                f"| {scenario.label} | {scenario.connections} | {workers} | {rate:.1f} "
                f"| {p50:.1f} | {p99:.1f} | {errors} | {taken} | {ratios} |"
            )
    return lines


def runs_table(runs: Sequence[Measurement], scenarios: Sequence[Scenario]) -> list[str]:
    """Every measurement, with where the CPU went while it ran (% of one core)."""
    cores = sorted({core for m in runs for core in m.cpu.cores}, key=int)
    lines = [
        "| round | scenario | processes | seconds | requests | req/s | p50 ms | p90 ms "
        "| p99 ms | max ms | ok | SLOT_TAKEN | errors | "
        + "".join(f"core {core} busy % | " for core in cores)
        + "gateway CPU % (each process) | wrk CPU % | other processes' CPU % "
        "| new PG connections per request |",
        "|---" * (17 + len(cores)) + "|",
    ]
    order = {scenario: index for index, scenario in enumerate(scenarios)}
    for m in sorted(runs, key=lambda m: (m.round, order[m.scenario], m.workers)):
        load = m.load
        busy = "".join(f"{m.cpu.cores.get(core, 0.0):.0f} | " for core in cores)
        each = " + ".join(f"{share:.0f}" for share in m.worker_cpu)
        lines.append(
            f"| {m.round} | {m.scenario.name} | {m.workers} | {load.seconds:.1f} "
            f"| {load.requests} | {load.per_second:.1f} | {load.p50_ms:.1f} "
            f"| {load.p90_ms:.1f} | {load.p99_ms:.1f} | {load.max_ms:.1f} | {load.ok} "
            f"| {load.slot_taken} | {load.errors} | {busy}{sum(m.worker_cpu):.0f} ({each}) "
            f"| {load.cpu_share:.0f} | {m.cpu.others:.0f} "
            f"| {m.new_connections_per_request:.2f} |"
        )
    return lines


def suspects(runs: Sequence[Measurement], loadgen_core: str) -> list[str]:
    """Measurements during which something else on the machine used real CPU: seen in
    other processes' accounts, or as load generator's core busier than wrk kept it."""
    found = []
    for m in runs:
        beside_wrk = m.cpu.cores.get(loadgen_core, 0.0) - m.load.cpu_share
        if m.cpu.others > OTHERS_LIMIT or beside_wrk > 2 * OTHERS_LIMIT:
            found.append(
                f"  - round {m.round}, {m.scenario.name}, {m.workers} process(es): other "
                f"processes used {m.cpu.others:.0f}% of a core; core {loadgen_core} was "
                f"{beside_wrk:.0f}% busier than wrk made it"
            )
    return found
