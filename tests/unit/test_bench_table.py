"""bench.table: rounds combined, the Markdown table with its ratios, the targets."""

from __future__ import annotations

from bench.scenarios import FLOOR, GATEWAY, PLAIN, SCENARIOS, Scenario
from bench.table import Measured, combine, render, targets

TRIVIAL_16 = next(s for s in SCENARIOS if s.key == "trivial@16")
NESTED_1 = next(s for s in SCENARIOS if s.key == "nested@1")


def run(
    scenario: Scenario,
    server: str,
    *,
    rate: float,
    p50: float,
    round_number: int = 1,
    statements: int | None = 0,
    errors: int = 0,
) -> Measured:
    seconds = 10.0
    return Measured(
        scenario=scenario,
        server=server,
        round=round_number,
        requests=int(rate * seconds),
        seconds=seconds,
        p50_ms=p50,
        p99_ms=p50 * 3,
        errors=errors,
        slot_taken=0,
        statements=statements,
    )


def test_rounds_combine_into_medians_with_errors_summed_and_statements_per_request() -> None:
    runs = [
        run(NESTED_1, GATEWAY, rate=100, p50=8.0, round_number=1, statements=3000, errors=1),
        run(NESTED_1, GATEWAY, rate=300, p50=2.0, round_number=2, statements=3000),
        run(NESTED_1, GATEWAY, rate=200, p50=4.0, round_number=3, statements=0, errors=2),
    ]
    (figures,) = combine(runs)
    assert (figures.per_second, figures.p50_ms, figures.p99_ms) == (200, 4.0, 12.0)
    assert figures.errors == 3
    assert figures.rounds == 3
    assert figures.statements_per_request == 6000 / 6000


def test_uncounted_statements_show_as_a_dash() -> None:
    (figures,) = combine([run(NESTED_1, FLOOR, rate=10, p50=1.0, statements=None)])
    assert figures.statements_per_request is None
    assert "| — |" in render([figures])[2]


def test_the_table_has_a_row_per_server_with_ratios_to_each_baseline() -> None:
    figures = combine(
        [
            run(TRIVIAL_16, FLOOR, rate=4000, p50=1.0),
            run(TRIVIAL_16, GATEWAY, rate=2000, p50=2.0),
            run(TRIVIAL_16, PLAIN, rate=500, p50=8.0),
        ]
    )
    header, rule, gateway, plain, floor = render(figures)
    assert header.count("|") == rule.count("|") == 13
    assert "| gateway | 16 | 2.00 |" in gateway
    assert gateway.endswith("| 4.00x req/s, 0.25x p50 | 0.50x req/s, 2.00x p50 | 0 |")
    assert plain.endswith("| — | 0.12x req/s, 8.00x p50 | 0 |")
    assert floor.endswith("| 8.00x req/s, 0.12x p50 | — | 0 |")


def test_targets_are_judged_on_the_gateways_figures() -> None:
    nested_16 = next(s for s in SCENARIOS if s.key == "nested@16")
    me_1 = next(s for s in SCENARIOS if s.key == "me@1")
    figures = combine(
        [
            run(TRIVIAL_16, GATEWAY, rate=1500, p50=5.0),
            run(TRIVIAL_16, PLAIN, rate=500, p50=9.0),
            run(NESTED_1, GATEWAY, rate=100, p50=10.0),
            run(NESTED_1, FLOOR, rate=400, p50=2.5),
            run(nested_16, GATEWAY, rate=149, p50=100.0),
            run(me_1, GATEWAY, rate=700, p50=1.5),
        ]
    )
    lines = targets(figures)
    assert lines == [
        "- trivial query, ≥ 3x plain's throughput (16 connections): 3.00x — **met**",
        "- nested query, p50 within 2x of the floor's (1 connection): 4.00x — **not met**",
        "- nested query, ≥ 150 requests/s at 16 connections: 149 — **not met**",
        "- PK lookup `me`, p50 ≤ 1.5 ms (1 connection): 1.50 ms — **met**",
    ]


def test_a_server_that_answered_nothing_in_time_shows_no_latency_and_no_ratio() -> None:
    figures = combine(
        [run(NESTED_1, GATEWAY, rate=0, p50=0.0), run(NESTED_1, PLAIN, rate=10, p50=90.0)]
    )
    gateway = render(figures)[2]
    assert "| gateway | 1 | — | — | 0 |" in gateway
    assert "n/a (no answer in time)" in gateway
