"""The occupancy benchmark's code runs (tiny sizes, nothing timed is asserted), so that
`make bench` does not find it broken."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from bench.occupancy import Bench
from gateway.app import build_gateway
from gateway.migrate import upgrade
from gateway.settings import Settings


async def test_every_part_of_the_occupancy_bench_runs(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bench.db'}"
    await asyncio.to_thread(upgrade, url)  # alembic runs its own event loop
    settings = Settings(data_dir=tmp_path, database_url=url, jwt_secret="s" * 48)
    gateway = build_gateway(replace(settings, live_coalesce=timedelta(0)))
    bench = Bench(gateway, quick=True, sizes=(3,))
    try:
        await bench.setup()
        await bench.fill(0.05)
        await bench.history()
        await bench.bookings()
        await bench.fanout()
    finally:
        await gateway.app.live_occupancy.stop()
        await gateway.db.dispose()
    text = "\n".join(bench.lines)
    assert "| 1,440 | 2 |" in text  # 72 minutes of 20 locations, 1,000 per request
    for heading in ("### Ingest", "### History", "### Booking latency", "### Subscription fan-out"):
        assert heading in text
    [row] = [line for line in text.splitlines() if line.startswith("| 3 |")]
    cells = [cell.strip() for cell in row.strip("|").split("|")]
    # One computation per update through the gateway and the hub; one per update and
    # subscriber when plain.
    assert (cells[3], cells[6], cells[9]) == ("3", "3", "9")
    assert cells[-1] == "0 / 0 / 0"  # no subscriber failed
