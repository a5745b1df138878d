"""Where images are served: the paths gateway.images.http answers and GraphQL shows."""

from __future__ import annotations

from domain.images import OwnerKind, Quality


def image_url(image_id: str, quality: Quality) -> str:
    return f"/images/{image_id}/{quality.value}"


def default_url(kind: OwnerKind, quality: Quality) -> str:
    return f"/images/defaults/{kind.value}/{quality.value}"


def urls(kind: OwnerKind, image_id: str | None) -> dict[Quality, str]:
    """The four URLs of an image, or of the owner kind's default image when it has none."""
    if image_id is None:
        return {q: default_url(kind, q) for q in Quality}
    return {q: image_url(image_id, q) for q in Quality}
