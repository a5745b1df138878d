"""Image variants: which qualities exist, how big each one is, and what a request for an
unknown quality means. Pure rules; decoding and encoding pixels is the driver's job."""

from __future__ import annotations

from enum import StrEnum


class Quality(StrEnum):
    """The four stored variants of every image, smallest first."""

    THUMBNAIL = "thumbnail"
    LOW = "low"
    MID = "mid"
    HIGH = "high"


class ImageFormat(StrEnum):
    """The formats accepted on upload; every variant keeps the source's format."""

    JPEG = "jpeg"
    PNG = "png"

    @property
    def media_type(self) -> str:
        return f"image/{self.value}"


class OwnerKind(StrEnum):
    """What an image belongs to: one image per user profile and one per room."""

    PROFILE = "profile"
    ROOM = "room"


THUMBNAIL_BOX = 200
WIDTHS = {Quality.LOW: 600, Quality.MID: 1200, Quality.HIGH: 2000}
DEFAULT_QUALITY = Quality.MID


def quality_of(raw: str | None) -> Quality:
    """The quality a client asked for; anything else (the docs' "medium", a typo, nothing)
    means mid, as the original server had it."""
    try:
        return Quality((raw or "").strip().lower())
    except ValueError:
        return DEFAULT_QUALITY


def variant_size(quality: Quality, width: int, height: int) -> tuple[int, int]:
    """The size of one variant of a `width` x `height` source: the thumbnail fits in
    200x200, the others are 600, 1200 and 2000 pixels wide; proportional, and never
    larger than the source (a small image keeps its size). No side drops below 1."""
    if width < 1 or height < 1:
        raise ValueError(f"an image has a positive size, not {width}x{height}")
    if quality is Quality.THUMBNAIL:
        scale = min(THUMBNAIL_BOX / width, THUMBNAIL_BOX / height, 1.0)
    else:
        scale = min(WIDTHS[quality] / width, 1.0)
    if scale >= 1.0:
        return width, height
    return max(1, round(width * scale)), max(1, round(height * scale))
