"""The suite's Markdown: rounds combined into figures, the table with ratios to each
baseline, and issue 12's targets, met or not."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bench.scenarios import FLOOR, PLAIN, SERVERS, Scenario
from bench.stats import median, ratio


@dataclass(frozen=True)
class Measured:
    """One wrk run of one scenario on one server, with the statements it caused."""

    scenario: Scenario
    server: str
    round: int
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int
    slot_taken: int
    statements: int | None  # counted server-side over the run; None: not counted
    others_cpu: float = 0.0  # other processes on the machine meanwhile, % of one core

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


@dataclass(frozen=True)
class Figures:
    """Rounds combined: medians of the latencies and rates, errors summed."""

    scenario: Scenario
    server: str
    p50_ms: float
    p99_ms: float
    per_second: float
    statements_per_request: float | None
    errors: int
    slot_taken: int
    rounds: int
    others_cpu: float = 0.0


def combine(runs: Sequence[Measured]) -> list[Figures]:
    """One Figures per (scenario, server) measured, in the order first measured."""
    keys: list[tuple[Scenario, str]] = []
    for run in runs:
        if (run.scenario, run.server) not in keys:
            keys.append((run.scenario, run.server))
    combined = []
    for scenario, server in keys:
        mine = [r for r in runs if r.scenario == scenario and r.server == server]
        counted = [r for r in mine if r.statements is not None]
        requests = sum(r.requests for r in counted)
        combined.append(
            Figures(
                scenario=scenario,
                server=server,
                p50_ms=median([r.p50_ms for r in mine]),
                p99_ms=median([r.p99_ms for r in mine]),
                per_second=median([r.per_second for r in mine]),
                statements_per_request=(
                    sum(r.statements or 0 for r in counted) / requests if requests else None
                ),
                errors=sum(r.errors for r in mine),
                slot_taken=sum(r.slot_taken for r in mine),
                rounds=len(mine),
                others_cpu=median([r.others_cpu for r in mine]),
            )
        )
    return combined


def _find(figures: Sequence[Figures], scenario: Scenario, server: str) -> Figures | None:
    return next((f for f in figures if f.scenario == scenario and f.server == server), None)


def versus(subject: Figures, baseline: Figures | None) -> str:
    """`xthroughput / xp50` of subject against baseline: above 1 is more requests per
    second, below 1 a shorter median."""
    if baseline is None or baseline is subject:
        return "—"
    if not (subject.per_second and baseline.per_second):
        return "n/a (no answer in time)"
    rate, p50 = (
        ratio(subject.per_second, baseline.per_second),
        ratio(subject.p50_ms, baseline.p50_ms),
    )
    return f"{_times(rate)} req/s, {_times(p50)} p50"


def _times(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}x"


def render(figures: Sequence[Figures]) -> list[str]:
    """The table: a row per scenario and server, the gateway's first."""
    lines = [
        "| scenario | server | connections | p50 ms | p99 ms | requests/s | SQL statements "
        "per request | errors | SLOT_TAKEN | vs plain | vs floor | others' CPU % |",
        "|---" * 12 + "|",
    ]
    order = {server: n for n, server in enumerate(SERVERS)}
    scenarios: list[Scenario] = []
    for f in figures:
        if f.scenario not in scenarios:
            scenarios.append(f.scenario)
    for scenario in scenarios:
        rows = sorted((f for f in figures if f.scenario == scenario), key=lambda f: order[f.server])
        plain, floor = _find(figures, scenario, PLAIN), _find(figures, scenario, FLOOR)
        for f in rows:
            statements = (
                "—" if f.statements_per_request is None else f"{f.statements_per_request:.2f}"
            )
            latency = f"{f.p50_ms:.2f} | {f.p99_ms:.2f}" if f.per_second else "— | —"
            lines.append(
                f"| {scenario.label} | {f.server} | {scenario.connections} | {latency} "
                f"| {f.per_second:.0f} | {statements} | {f.errors} "
                f"| {f.slot_taken} | {versus(f, plain)} | {versus(f, floor)} "
                f"| {f.others_cpu:.0f} |"
            )
    return lines


def _of(figures: Sequence[Figures], name: str, connections: int, server: str) -> Figures | None:
    return next(
        (
            f
            for f in figures
            if f.scenario.name == name
            and f.scenario.connections == connections
            and f.server == server
        ),
        None,
    )


def _verdict(met: bool | None) -> str:
    return "not measured" if met is None else ("**met**" if met else "**not met**")


def targets(figures: Sequence[Figures]) -> list[str]:
    """Issue 12's four targets against this run's figures."""
    trivial = _of(figures, "trivial", 16, "gateway")
    trivial_plain = _of(figures, "trivial", 16, PLAIN)
    nested = _of(figures, "nested", 1, "gateway")
    nested_floor = _of(figures, "nested", 1, FLOOR)
    nested_16 = _of(figures, "nested", 16, "gateway")
    lines = []
    if trivial and trivial_plain:
        times = ratio(trivial.per_second, trivial_plain.per_second)
        met = None if times is None else times >= 3
        lines.append(
            "- trivial query, ≥ 3x plain's throughput (16 connections): "
            f"{_times(times)} — {_verdict(met)}"
        )
    if nested and nested_floor:
        times = ratio(nested.p50_ms, nested_floor.p50_ms)
        met = None if times is None else times <= 2
        lines.append(
            "- nested query, p50 within 2x of the floor's (1 connection): "
            f"{_times(times)} — {_verdict(met)}"
        )
    if nested_16:
        lines.append(
            f"- nested query, ≥ 150 requests/s at 16 connections: {nested_16.per_second:.0f} — "
            f"{_verdict(nested_16.per_second >= 150)}"
        )
    for name in ("me", "room"):
        pk = _of(figures, name, 1, "gateway")
        if pk:
            lines.append(
                f"- PK lookup `{name}`, p50 ≤ 1.5 ms (1 connection): {pk.p50_ms:.2f} ms — "
                f"{_verdict(pk.p50_ms <= 1.5)}"
            )
    return lines
