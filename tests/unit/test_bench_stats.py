"""bench.stats: the percentiles and ratios the suite's table is made of."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bench.stats import median, percentile, ratio

values = st.lists(st.floats(min_value=0, max_value=1e6, allow_nan=False), min_size=1, max_size=50)


def test_percentiles_interpolate_between_ranks() -> None:
    data = [4.0, 1.0, 3.0, 2.0]
    assert percentile(data, 0) == 1.0
    assert percentile(data, 100) == 4.0
    assert median(data) == 2.5
    assert percentile(data, 99) == pytest.approx(3.97)
    assert median([7.0]) == 7.0


def test_no_values_or_a_percentile_outside_0_100_is_refused() -> None:
    with pytest.raises(ValueError, match="no values"):
        percentile([], 50)
    with pytest.raises(ValueError, match="within 0-100"):
        percentile([1.0], 101)


@given(values, st.floats(min_value=0, max_value=100), st.floats(min_value=0, max_value=100))
def test_a_percentile_lies_within_the_values_and_grows_with_q(
    data: list[float], q: float, r: float
) -> None:
    low, high = sorted((q, r))
    assert min(data) <= percentile(data, low) <= percentile(data, high) <= max(data)


def test_a_ratio_to_nothing_is_none() -> None:
    assert ratio(300.0, 100.0) == 3.0
    assert ratio(1.0, 0.0) is None
