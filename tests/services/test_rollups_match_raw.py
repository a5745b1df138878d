"""Through the Ingest use case (on the fakes): whatever the batching and order of the
readings, the history answered from the hourly rollups equals the history computed
straight from the raw readings kept, in the site's zone, across a DST change."""

from __future__ import annotations

import asyncio
import random
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.services.ingest import IngestPolicy
from tests.support.clock import MutableClock
from tests.support.fakes import FakeDatabase
from tests.support.occupancy import build_tree

ZURICH = ZoneInfo("Europe/Zurich")
START = datetime(2026, 10, 24, 12, tzinfo=UTC)  # two days around the autumn change
NOW = START + timedelta(days=2)
FIRST, LAST = date(2026, 10, 24), date(2026, 10, 26)

readings = st.lists(
    st.tuples(
        st.integers(0, 2 * 24 * 60 - 1),  # minute after START
        st.sampled_from(["count", "in", "out"]),
        st.integers(0, 40),
        st.booleans(),  # which leaf
    ),
    min_size=1,
    max_size=60,
)


def expected_daily(raw: list[tuple[datetime, int | None, int]]) -> dict[date, tuple[float, int]]:
    """Per leaf and (date, hour, fold): mean and max of the samples; a parent's hour sums
    its leaves'; a day the mean of its hours and their max."""
    by_hour: dict[tuple[int, date, int, int], list[int]] = defaultdict(list)
    for at, sample, leaf in raw:
        if sample is not None:
            local = at.astimezone(ZURICH)
            by_hour[(leaf, local.date(), local.hour, local.fold)].append(sample)
    summed: dict[tuple[date, int, int], tuple[float, int]] = {}
    for (_, day, hour, fold), samples in by_hour.items():
        avg, peak = summed.get((day, hour, fold), (0.0, 0))
        summed[(day, hour, fold)] = (avg + sum(samples) / len(samples), peak + max(samples))
    days: dict[date, list[tuple[float, int]]] = defaultdict(list)
    for (day, _, _), value in summed.items():
        days[day].append(value)
    return {d: (sum(a for a, _ in v) / len(v), max(p for _, p in v)) for d, v in days.items()}


@settings(max_examples=40, deadline=None)
@given(readings, st.integers(1, 4), st.integers(0, 2**16))
def test_rollups_answer_what_the_raw_readings_answer(
    items: list[tuple[int, str, int, bool]], batches: int, seed: int
) -> None:
    asyncio.run(_check(items, batches, seed))


async def _check(items: list[tuple[int, str, int, bool]], batches: int, seed: int) -> None:
    clock = MutableClock(NOW)
    db = FakeDatabase(clock)
    tree = await build_tree(db, clock, IngestPolicy(retention=timedelta(days=30)))
    leaves = (tree.lobby.id, tree.reading_room.id)
    sent = []
    for minute, kind, count, which in items:
        item: dict[str, object] = {
            "locationId": leaves[which],
            "time": (START + timedelta(minutes=minute)).isoformat(),
        }
        item.update({"count": count} if kind == "count" else {"direction": kind})
        sent.append(item)
    random.Random(seed).shuffle(sent)  # any arrival order
    for batch in range(batches):
        await tree.ingest.submit(tree.admin, sent[batch::batches])
    raw = [(r.at, sample, r.location_id) for r, sample, _ in db.state.readings]
    found = await tree.history.of(tree.basic, tree.floor.id, FIRST, LAST)
    answered = {r.day: (r.avg, r.peak) for r in found.history.daily_occupancy()}
    expected = expected_daily(raw)
    assert answered.keys() == expected.keys()
    for day, (avg, peak) in expected.items():
        assert answered[day][0] == pytest.approx(avg)
        assert answered[day][1] == peak
    for row in found.history.daily_occupancy():
        assert row.peak >= row.avg >= 0
