"""CPU accounting from /proc: how busy each core was, and which processes used it."""

from __future__ import annotations

import os
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")
TICKS = os.sysconf("SC_CLK_TCK")
KERNEL_THREADS = 2  # kthreadd: the parent of every kernel thread


def _stat_fields(pid: int) -> list[str] | None:
    try:
        raw = (PROC / str(pid) / "stat").read_text()
    except OSError:  # the process has exited
        return None
    # The command name is in parentheses and may hold spaces: split after it.
    return raw[raw.rindex(")") + 2 :].split()


def processes() -> dict[int, tuple[int, float]]:
    """Every living process: pid -> (parent pid, CPU seconds used so far)."""
    found = {}
    for entry in PROC.iterdir():
        if entry.name.isdigit() and (fields := _stat_fields(int(entry.name))) is not None:
            found[int(entry.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / TICKS)
    return found


def descendants(root: int, table: Mapping[int, tuple[int, float]] | None = None) -> list[int]:
    """Every living process below `root`, children before grandchildren."""
    children: dict[int, list[int]] = {}
    for pid, (parent, _) in (processes() if table is None else table).items():
        children.setdefault(parent, []).append(pid)
    found: list[int] = []
    frontier = [root]
    while frontier:
        frontier = [child for pid in frontier for child in children.get(pid, [])]
        found.extend(frontier)
    return found


def command_line(pid: int) -> str:
    try:
        return (PROC / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def core_ticks() -> dict[str, tuple[int, int]]:
    """(busy, total) ticks per core since boot, from /proc/stat."""
    ticks: dict[str, tuple[int, int]] = {}
    for line in (PROC / "stat").read_text().splitlines():
        name, *values = line.split()
        if name.startswith("cpu") and name != "cpu":
            numbers = [int(v) for v in values[:8]]
            idle = numbers[3] + numbers[4]  # idle and iowait
            ticks[name.removeprefix("cpu")] = (sum(numbers) - idle, sum(numbers))
    return ticks


@dataclass(frozen=True)
class CpuSnapshot:
    cores: Mapping[str, tuple[int, int]]
    processes: Mapping[int, tuple[int, float]]

    @classmethod
    def take(cls) -> CpuSnapshot:
        return cls(core_ticks(), processes())


@dataclass(frozen=True)
class CpuUse:
    """Shares of one core (100 = a whole core) between two snapshots.

    `others` is what processes outside `ours` (and outside the kernel's own threads)
    used: another workload on the machine, which would skew the figures. Processes that
    came and went between the snapshots are not seen, so it is a lower bound.
    """

    cores: Mapping[str, float]
    processes: Mapping[int, float]
    others: float

    @classmethod
    def between(
        cls, before: CpuSnapshot, after: CpuSnapshot, seconds: float, ours: Collection[int]
    ) -> CpuUse:
        cores = {}
        for core, (busy, total) in after.cores.items():
            busy_before, total_before = before.cores.get(core, (busy, total))
            cores[core] = 100 * (busy - busy_before) / max(1, total - total_before)
        used = {
            pid: 100 * (cpu - before.processes.get(pid, (0, 0.0))[1]) / seconds
            for pid, (_, cpu) in after.processes.items()
        }
        mine = set(ours)
        for root in ours:
            mine.update(descendants(root, after.processes))
        mine.add(KERNEL_THREADS)
        mine.update(descendants(KERNEL_THREADS, after.processes))
        others = sum(share for pid, share in used.items() if pid not in mine)
        return cls(cores, used, others)
