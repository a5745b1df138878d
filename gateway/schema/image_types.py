"""The Image type that User.image and Room.image return, and the per-operation loader
behind them (one batch per owner kind, whatever the number of users or rooms)."""

from __future__ import annotations

from collections.abc import Sequence
from weakref import WeakKeyDictionary

import strawberry
from strawberry.dataloader import DataLoader

from domain.images import ImageFormat, OwnerKind, Quality
from gateway.images.urls import urls
from gateway.schema.context import Info
from gateway.schema.loaders import Loaders
from gateway.services.image_records import ImageRecord

ImageKey = tuple[OwnerKind, int]


@strawberry.type(name="ImageUrls", description="Where each variant is served (paths).")
class ImageUrls:
    thumbnail: str = strawberry.field(description="Fits in 200x200.")
    low: str = strawberry.field(description="600 px wide (or the original, if smaller).")
    mid: str = strawberry.field(description="1200 px wide (or the original, if smaller).")
    high: str = strawberry.field(description="2000 px wide (or the original, if smaller).")


@strawberry.type(
    name="Image",
    description="A profile or room image; without one, the URLs are the default image's.",
)
class Image:
    record: strawberry.Private[ImageRecord | None]
    kind: strawberry.Private[OwnerKind]

    @strawberry.field(description="The image's id; null for the default image.")
    def id(self) -> str | None:
        return self.record.id if self.record else None

    @strawberry.field(description="False when these are the default image's URLs.")
    def has_image(self) -> bool:
        return self.record is not None

    @strawberry.field(description="jpeg or png (the default images are png).")
    def format(self) -> str:
        return self.record.format.value if self.record else ImageFormat.PNG.value

    @strawberry.field
    def urls(self) -> ImageUrls:
        found = urls(self.kind, self.record.id if self.record else None)
        return ImageUrls(**{q.value: found[q] for q in Quality})


class _ImageLoader:
    def __init__(self, info: Info) -> None:
        self._images = info.context.app.images
        self._principal = info.context.principal
        self.loader = DataLoader[ImageKey, ImageRecord | None](load_fn=self._load)

    async def _load(self, keys: Sequence[ImageKey]) -> list[ImageRecord | None]:
        found: dict[ImageKey, ImageRecord] = {}
        for kind in OwnerKind:
            ids = [owner for k, owner in keys if k is kind]
            if ids:
                by_owner = await self._images.images_of(self._principal, kind, ids)
                found.update({(kind, owner): r for owner, r in by_owner.items()})
        return [found.get(key) for key in keys]


# One image loader per set of the operation's Loaders: it lives and is renewed with them
# (before each mutation field too), without the shared Loaders class knowing of it.
_loaders: WeakKeyDictionary[Loaders, _ImageLoader] = WeakKeyDictionary()


async def image_of(info: Info, kind: OwnerKind, owner_id: int) -> Image:
    loaders = info.context.loaders
    batch = _loaders.get(loaders)
    if batch is None:
        batch = _loaders[loaders] = _ImageLoader(info)
    return Image(record=await batch.loader.load((kind, owner_id)), kind=kind)
