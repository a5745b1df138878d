"""Values the image use cases and their ports exchange."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from domain.images import ImageFormat, OwnerKind, Quality


@dataclass(frozen=True)
class EncodedVariant:
    """One variant as the processor made it: its size and its encoded bytes."""

    width: int
    height: int
    data: bytes


@dataclass(frozen=True)
class ProcessedImage:
    """An upload turned into all four variants, oriented and stripped of metadata."""

    format: ImageFormat
    variants: Mapping[Quality, EncodedVariant]


@dataclass(frozen=True)
class ImageRecord:
    """A stored image: whose it is, its format and the size of each variant."""

    id: str
    owner_kind: OwnerKind
    owner_id: int
    format: ImageFormat
    sizes: Mapping[Quality, tuple[int, int]]
    created_at: datetime


@dataclass(frozen=True)
class StoredVariant:
    """A variant's bytes as stored, with their sha256 (hex) for ETags."""

    data: bytes
    sha256: str


@dataclass(frozen=True)
class ServedVariant:
    """What an HTTP response needs to send one variant."""

    data: bytes
    etag: str
    media_type: str
