"""The demo simulator's curve: working days, lunch, weekends, bounds."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from domain.simulation import simulated_count, working_day_share

ZONE = ZoneInfo("Africa/Johannesburg")
MONDAY = datetime(2026, 11, 23, tzinfo=ZONE)


def test_a_working_day_rises_dips_at_lunch_and_empties() -> None:
    share = [working_day_share(time(h, 0), lunch_spot=False) for h in range(24)]
    assert share[3] == 0.0 and share[22] == 0.0  # noqa: PT018
    assert share[10] > 0.8
    assert share[12] < share[10]  # lunch: people leave their desks
    assert share[15] > share[12]
    cafe = [working_day_share(time(h, 30), lunch_spot=True) for h in range(24)]
    assert max(range(24), key=cafe.__getitem__) == 12


def test_weekends_are_quiet() -> None:
    rng = random.Random(1)
    weekday = sum(simulated_count(MONDAY.replace(hour=11), 100, rng) for _ in range(50))
    saturday = MONDAY.replace(hour=11) + timedelta(days=5)
    weekend = sum(simulated_count(saturday, 100, rng) for _ in range(50))
    assert weekend * 5 < weekday


@given(st.integers(0, 7 * 24 * 60 - 1), st.integers(0, 500), st.integers(0, 2**32))
def test_counts_stay_within_zero_and_the_capacity(minute: int, capacity: int, seed: int) -> None:
    moment = MONDAY + timedelta(minutes=minute)
    count = simulated_count(moment, capacity, random.Random(seed), lunch_spot=seed % 2 == 0)
    assert 0 <= count <= capacity
