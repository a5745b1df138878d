"""Simulated sensor counts for the demo: a working day's curve with noise, lunch peaks in
the places people eat, and quiet weekends. Pure: the random source is a parameter."""

from __future__ import annotations

import math
import random
from datetime import datetime, time

WEEKEND_SHARE = 0.05  # a few people on Saturdays and Sundays


def working_day_share(local: time, *, lunch_spot: bool) -> float:
    """How full a place is at `local` on a working day, 0 … 1: arrivals from 08:00, a
    dip over lunch in offices (a peak in lunch spots), departures until 18:30."""
    hour = local.hour + local.minute / 60
    if hour < 7.5 or hour > 19:
        return 0.0
    arrive = 1 / (1 + math.exp(-(hour - 9.0) * 2.5))
    leave = 1 / (1 + math.exp((hour - 17.5) * 2.0))
    lunch = math.exp(-((hour - 12.5) ** 2) / 0.3)
    if lunch_spot:
        return min(1.0, 0.15 * arrive * leave + 0.85 * lunch)
    return max(0.0, arrive * leave * (1 - 0.45 * lunch))


def simulated_count(
    local: datetime, capacity: int, rng: random.Random, *, lunch_spot: bool = False
) -> int:
    """A count for a place of `capacity` at local time `local`, never negative nor above
    the capacity: the curve's expectation with about 10% noise."""
    share = working_day_share(local.time(), lunch_spot=lunch_spot)
    if local.isoweekday() >= 6:
        share *= WEEKEND_SHARE
    expected = share * capacity
    noisy = rng.gauss(expected, max(0.5, expected * 0.1)) if expected > 0 else 0.0
    return max(0, min(capacity, round(noisy)))
