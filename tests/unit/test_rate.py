"""Token buckets (domain.rate) and the retryable refusal (domain.retry)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import DomainError, ErrorCode
from domain.rate import BucketState, TokenRate, take
from domain.retry import RetryLater, retry_after_of, whole_seconds

T0 = datetime(2026, 11, 24, 8, tzinfo=UTC)


def run(rate: TokenRate, offsets: list[float]) -> list[float]:
    """The waits of takes at T0 + each offset (seconds, ascending)."""
    state: BucketState | None = None
    waits = []
    for offset in offsets:
        state, wait = take(rate, state, T0 + timedelta(seconds=offset))
        waits.append(wait)
    return waits


def test_a_full_bucket_allows_a_burst_then_one_per_interval() -> None:
    waits = run(TokenRate(3), [0, 0, 0, 0, 19.5, 20, 20])
    assert waits[:3] == [0.0, 0.0, 0.0]
    assert waits[3] == pytest.approx(20.0)
    assert waits[4] == pytest.approx(0.5)
    assert waits[5:] == [0.0, pytest.approx(20.0)]


def test_a_refused_take_does_not_push_the_wait_further_out() -> None:
    waits = run(TokenRate(60), [0] * 60 + [0.5] * 10)
    assert all(w == pytest.approx(0.5) for w in waits[60:])


def test_a_rate_of_zero_is_off_and_a_negative_one_is_refused() -> None:
    assert run(TokenRate(0), [0] * 1000) == [0.0] * 1000
    with pytest.raises(ValueError, match="never negative"):
        TokenRate(-1)


def test_a_clock_that_went_back_refills_nothing() -> None:
    assert run(TokenRate(1), [10, 0, 5])[1:] == [pytest.approx(60.0), pytest.approx(60.0)]


@given(
    per_minute=st.integers(1, 600),
    gaps=st.lists(st.floats(0, 30, allow_nan=False), min_size=1, max_size=200),
)
def test_never_more_than_the_burst_plus_the_refill(per_minute: int, gaps: list[float]) -> None:
    rate = TokenRate(per_minute)
    offsets = [sum(gaps[: i + 1]) for i in range(len(gaps))]
    waits = run(rate, offsets)
    taken = sum(1 for w in waits if w == 0.0)
    elapsed = offsets[-1] - offsets[0]
    assert taken <= per_minute + elapsed * per_minute / 60 + 1e-6
    assert all(0.0 <= w <= 60 / per_minute + 1e-9 for w in waits)


@given(per_minute=st.integers(1, 600), gap=st.floats(0, 120, allow_nan=False))
def test_a_refused_caller_that_waits_as_told_is_served(per_minute: int, gap: float) -> None:
    rate = TokenRate(per_minute)
    state: BucketState | None = None
    for _ in range(per_minute):
        state, _wait = take(rate, state, T0)
    state, wait = take(rate, state, T0 + timedelta(seconds=gap))
    if wait:
        _state, after = take(rate, state, T0 + timedelta(seconds=gap + wait + 1e-6))
        assert after == 0.0


def test_retry_later_is_a_domain_error_with_a_whole_wait_of_at_least_a_second() -> None:
    refusal = RetryLater(ErrorCode.UNAVAILABLE, "busy", retry_after=0)
    assert isinstance(refusal, DomainError)
    assert retry_after_of(refusal) == 1
    assert retry_after_of(DomainError(ErrorCode.INVALID_INPUT, "no")) is None
    assert [whole_seconds(s) for s in (0, 0.2, 1, 1.01, 59.9)] == [1, 1, 1, 2, 60]
    assert repr(refusal) == "RetryLater(UNAVAILABLE, 'busy', retry_after=1)"
