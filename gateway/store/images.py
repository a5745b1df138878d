"""Image records (the images table) and the database's ImageStore (image_variants)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.images import ImageFormat, OwnerKind, Quality
from gateway.services.image_records import ImageRecord, StoredVariant
from gateway.store.tables import image_variants, images


def _record(row: Row[Any]) -> ImageRecord:
    return ImageRecord(
        id=row.id,
        owner_kind=OwnerKind(row.owner_kind),
        owner_id=row.owner_id,
        format=ImageFormat(row.format),
        sizes={q: (row._mapping[f"{q}_width"], row._mapping[f"{q}_height"]) for q in Quality},
        created_at=row.created_at,
    )


class SqlImages:
    """Satisfies gateway.services.ports.ImageRepository within one unit of work."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, image_id: str) -> ImageRecord | None:
        row = (await self._session.execute(select(images).where(images.c.id == image_id))).first()
        return _record(row) if row else None

    async def for_owners(
        self, kind: OwnerKind, owner_ids: Sequence[int]
    ) -> Mapping[int, ImageRecord]:
        if not owner_ids:
            return {}
        stmt = select(images).where(
            images.c.owner_kind == kind.value, images.c.owner_id.in_(sorted(set(owner_ids)))
        )
        rows = (await self._session.execute(stmt)).all()
        return {row.owner_id: _record(row) for row in rows}

    async def add(self, record: ImageRecord) -> None:
        sizes = {
            f"{quality}_{side}": size[index]
            for quality, size in record.sizes.items()
            for index, side in enumerate(("width", "height"))
        }
        await self._session.execute(
            insert(images).values(
                id=record.id,
                owner_kind=record.owner_kind.value,
                owner_id=record.owner_id,
                format=record.format.value,
                created_at=record.created_at,
                **sizes,
            )
        )

    async def remove(self, image_id: str) -> None:
        await self._session.execute(delete(images).where(images.c.id == image_id))


class DatabaseImageStore:
    """Satisfies gateway.services.ports.ImageStore: variants as rows, each call its own
    short transaction (`writers` begin with the write lock on SQLite)."""

    def __init__(
        self,
        readers: async_sessionmaker[AsyncSession],
        writers: async_sessionmaker[AsyncSession],
    ) -> None:
        self._readers = readers
        self._writers = writers

    async def put(self, image_id: str, variants: Mapping[Quality, bytes]) -> None:
        async with self._writers() as session:
            await session.execute(
                delete(image_variants).where(image_variants.c.image_id == image_id)
            )
            await session.execute(
                insert(image_variants),
                [
                    {
                        "image_id": image_id,
                        "quality": quality.value,
                        "data": data,
                        "etag": hashlib.sha256(data).hexdigest(),
                    }
                    for quality, data in variants.items()
                ],
            )
            await session.commit()

    async def get(self, image_id: str, quality: Quality) -> StoredVariant | None:
        stmt = select(image_variants.c.data, image_variants.c.etag).where(
            image_variants.c.image_id == image_id, image_variants.c.quality == quality.value
        )
        async with self._readers() as session:
            row = (await session.execute(stmt)).first()
        return StoredVariant(data=bytes(row.data), sha256=row.etag) if row else None

    async def delete(self, image_id: str) -> None:
        async with self._writers() as session:
            await session.execute(
                delete(image_variants).where(image_variants.c.image_id == image_id)
            )
            await session.commit()
