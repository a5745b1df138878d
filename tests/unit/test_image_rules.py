"""Variant sizes and quality names (domain.images)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.images import ImageFormat, Quality, quality_of, variant_size

sides = st.integers(min_value=1, max_value=20_000)


@pytest.mark.parametrize(
    ("quality", "source", "expected"),
    [
        (Quality.THUMBNAIL, (4000, 3000), (200, 150)),
        (Quality.THUMBNAIL, (3000, 4000), (150, 200)),
        (Quality.LOW, (4000, 3000), (600, 450)),
        (Quality.MID, (4000, 3000), (1200, 900)),
        (Quality.HIGH, (4000, 3000), (2000, 1500)),
        (Quality.HIGH, (1000, 800), (1000, 800)),  # never upscaled
        (Quality.THUMBNAIL, (120, 80), (120, 80)),
        (Quality.LOW, (10_000, 1), (600, 1)),  # no side drops to 0
    ],
)
def test_variant_sizes(
    quality: Quality, source: tuple[int, int], expected: tuple[int, int]
) -> None:
    assert variant_size(quality, *source) == expected


@given(sides, sides, st.sampled_from(list(Quality)))
def test_a_variant_is_never_larger_than_its_source_and_keeps_its_shape(
    width: int, height: int, quality: Quality
) -> None:
    w, h = variant_size(quality, width, height)
    assert 1 <= w <= width
    assert 1 <= h <= height
    if quality is Quality.THUMBNAIL:
        assert w <= 200
        assert h <= 200
        assert w == 200 or h == 200 or (w, h) == (width, height)
    else:
        assert w == min(width, {"low": 600, "mid": 1200, "high": 2000}[quality.value])
    if (w, h) != (width, height) and min(w, h) > 1:
        # Proportional, within the rounding of one pixel on either side.
        assert abs(w / h - width / height) <= width / height * (1 / min(w, h) + 1 / max(w, h))


def test_a_size_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive size"):
        variant_size(Quality.MID, 0, 10)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("thumbnail", Quality.THUMBNAIL),
        ("low", Quality.LOW),
        (" HIGH ", Quality.HIGH),
        ("mid", Quality.MID),
        ("medium", Quality.MID),  # the docs' word, which the original also read as mid
        ("", Quality.MID),
        (None, Quality.MID),
        ("x" * 500, Quality.MID),
    ],
)
def test_an_unknown_quality_means_mid(raw: str | None, expected: Quality) -> None:
    assert quality_of(raw) is expected


def test_media_types() -> None:
    assert ImageFormat.JPEG.media_type == "image/jpeg"
    assert ImageFormat.PNG.media_type == "image/png"
