"""The embedded file ImageStore: one directory per image, one file per quality."""

from __future__ import annotations

import asyncio
import hashlib
import os
import shutil
import uuid
from collections.abc import Mapping
from pathlib import Path

from domain.images import Quality
from gateway.services.image_records import StoredVariant


class FileImageStore:
    """Satisfies gateway.services.ports.ImageStore. Files are written to a temporary name
    and renamed, so a reader never sees half a variant. Disk work runs in a thread."""

    def __init__(self, root: Path) -> None:
        self._root = root

    def _folder(self, image_id: str) -> Path:
        # Ids are UUIDs made by the use case; anything else is refused before it can name
        # a path outside the store.
        return self._root / str(uuid.UUID(image_id))

    async def put(self, image_id: str, variants: Mapping[Quality, bytes]) -> None:
        await asyncio.to_thread(self._put, image_id, variants)

    async def get(self, image_id: str, quality: Quality) -> StoredVariant | None:
        return await asyncio.to_thread(self._get, image_id, quality)

    async def delete(self, image_id: str) -> None:
        await asyncio.to_thread(shutil.rmtree, self._folder(image_id), True)

    def _put(self, image_id: str, variants: Mapping[Quality, bytes]) -> None:
        folder = self._folder(image_id)
        folder.mkdir(parents=True, exist_ok=True)
        for quality, data in variants.items():
            partial = folder / f".{quality.value}.partial"
            partial.write_bytes(data)
            os.replace(partial, folder / quality.value)

    def _get(self, image_id: str, quality: Quality) -> StoredVariant | None:
        try:
            data = (self._folder(image_id) / quality.value).read_bytes()
        except (FileNotFoundError, NotADirectoryError, ValueError):
            return None
        return StoredVariant(data=data, sha256=hashlib.sha256(data).hexdigest())
