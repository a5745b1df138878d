"""Checks around the measurement: the answers are right, the pinning is real, no errors."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

from sqlalchemy.engine import make_url

from bench.config import BenchConfig
from bench.dataset import ATTENDEES, READ_ROOMS, READ_SLOTS, Dataset
from bench.plans import read_body
from bench.procstat import PROC, command_line
from bench.servers import Server, post_graphql

COUNT_BOOKINGS = {"query": "{ bookings(first: 1) { totalCount } }"}


def read_answer(server: Server, dataset: Dataset) -> None:
    """The nested read returns every room, booking, attendee and account it should."""
    answer = post_graphql(server.url, dataset.admin_token, read_body(dataset))
    if "errors" in answer:
        raise SystemExit(f"bench: the read query failed: {answer['errors']}")
    rooms = [edge["node"] for edge in answer["data"]["rooms"]["edges"]]
    bookings = [booking for room in rooms for booking in room["bookings"]]
    named = [
        attendee
        for booking in bookings
        for attendee in booking["attendees"] or []
        if attendee["user"] and attendee["user"]["name"]
    ]
    expected = (READ_ROOMS, READ_ROOMS * len(READ_SLOTS), READ_ROOMS * len(READ_SLOTS) * ATTENDEES)
    if (len(rooms), len(bookings), len(named)) != expected:
        raise SystemExit(
            f"bench: the read query returned {len(rooms)} rooms, {len(bookings)} bookings and "
            f"{len(named)} named attendees; expected {expected}"
        )


def bookings_in_database(server: Server, dataset: Dataset) -> int:
    answer = post_graphql(server.url, dataset.admin_token, COUNT_BOOKINGS)
    return int(answer["data"]["bookings"]["totalCount"])


def log_problems(log: Path) -> Counter[str]:
    """Error records of a server log (it logs warnings and up), by what was raised."""
    problems: Counter[str] = Counter()
    in_traceback = False
    for line in log.read_text(errors="replace").splitlines():
        if line.startswith("Traceback"):
            in_traceback = True
        elif in_traceback and line and not line.startswith((" ", "During handling")):
            problems[line.strip()[:200]] += 1  # a traceback's last line names the exception
            in_traceback = False
        elif line.startswith(("ERROR", "CRITICAL")) and "Exception in ASGI" not in line:
            problems[line.strip()[:200]] += 1
    return problems


def _pids_with(needle: str) -> list[int]:
    return [
        int(entry.name)
        for entry in PROC.iterdir()
        if entry.name.isdigit() and needle in command_line(int(entry.name))
    ]


def service_pids(config: BenchConfig) -> dict[str, list[int]]:
    """The PostgreSQL postmaster and the Redis server that `make bench` started."""
    pg_port = make_url(config.database_url).port
    redis_port = make_url(config.broker_url).port
    postgres = [pid for pid in _pids_with(f"-p {pg_port} ") if "postgres" in command_line(pid)]
    return {"PostgreSQL": postgres, "Redis": _pids_with(f"redis-server 127.0.0.1:{redis_port}")}


def _affinity(pids: list[int]) -> str:
    found = set()
    for pid in pids:
        try:
            found.add(",".join(str(cpu) for cpu in sorted(os.sched_getaffinity(pid))))
        except OSError:  # exited meanwhile
            continue
    return " / ".join(sorted(found)) or "not found"


def pinning(config: BenchConfig) -> list[str]:
    """The pinning as set, and the affinity each service really has."""
    lines = [
        "## Pinning",
        "",
        f"- gateway processes: `taskset --cpu-list {config.server_cpus} python -m gateway.cli "
        "serve [--workers 2]`",
        f"- load generator: `taskset --cpu-list {config.loadgen_cpus} wrk --threads=1 "
        "--connections=N`",
    ]
    services = service_pids(config)
    lines += [f"- {name}, measured affinity: {_affinity(pids)}" for name, pids in services.items()]
    return [*lines, f"- this driver, measured affinity: {_affinity([os.getpid()])}"]
