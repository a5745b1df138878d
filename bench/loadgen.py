"""The load generator: wrk, pinned to its own cores, driven by bench/suite.lua."""

from __future__ import annotations

import json
import resource
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from bench.config import BenchConfig

SCRIPT = Path(__file__).with_name("suite.lua")
MARKER = "BENCH_RESULT "
THREADS = 1  # one core for the load generator; one event loop keeps it busy enough


@dataclass(frozen=True)
class LoadResult:
    """What one wrk run measured; latencies in milliseconds."""

    seconds: float
    requests: int
    ok: int
    slot_taken: int
    graphql_errors: int
    http_errors: int
    socket_errors: int
    timeouts: int
    exhausted: bool
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    samples: str
    cpu_seconds: float  # what wrk itself used

    @property
    def cpu_share(self) -> float:
        """wrk's use of its core, in % of one core."""
        return 100 * self.cpu_seconds / self.seconds

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds

    @property
    def errors(self) -> int:
        """Everything but a success or a SLOT_TAKEN, which is counted on its own."""
        return self.graphql_errors + self.http_errors + self.socket_errors + self.timeouts


def wrk_path() -> str:
    found = shutil.which("wrk")
    if found is None:
        raise SystemExit("bench: wrk is missing (apt-get install wrk; `make bench` does it)")
    return found


def _children_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def run_wrk(
    config: BenchConfig,
    url: str,
    plan: Path,
    seconds: int,
    *,
    connections: int,
    cycle: bool,
) -> LoadResult:
    """Load `url` for `seconds` with the plan's requests; bounded by both."""
    command = [
        "taskset",
        "--cpu-list",
        config.loadgen_cpus,
        wrk_path(),
        f"--threads={THREADS}",
        f"--connections={connections}",
        f"--duration={seconds}s",
        f"--timeout={config.timeout_seconds}s",
        f"--script={SCRIPT}",
        url,
        "--",
        str(plan),
        str(THREADS),
        "cycle" if cycle else "once",
    ]
    # taskset execs wrk in its own process, so wrk's CPU time is this child's.
    cpu_before = _children_cpu()
    done = subprocess.run(  # noqa: S603 - fixed arguments, our own files
        command, capture_output=True, text=True, timeout=seconds + 60, check=False
    )
    cpu_seconds = _children_cpu() - cpu_before
    lines = [line for line in done.stdout.splitlines() if line.startswith(MARKER)]
    if done.returncode != 0 or not lines:
        raise SystemExit(f"bench: wrk failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    raw = json.loads(lines[-1].removeprefix(MARKER))
    return LoadResult(
        seconds=raw["duration_us"] / 1e6,
        requests=raw["requests"],
        ok=raw["ok"],
        slot_taken=raw["slot_taken"],
        graphql_errors=raw["graphql_errors"],
        http_errors=raw["http_errors"],
        socket_errors=raw["socket_errors"],
        timeouts=raw["timeouts"],
        exhausted=bool(raw["exhausted"]),
        p50_ms=raw["p50_us"] / 1000,
        p90_ms=raw["p90_us"] / 1000,
        p99_ms=raw["p99_us"] / 1000,
        max_ms=raw["max_us"] / 1000,
        samples=raw["samples"],
        cpu_seconds=cpu_seconds,
    )
