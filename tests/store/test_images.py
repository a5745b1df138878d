"""Image records and both ImageStores on real migrated databases (and a real directory)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sqlalchemy.exc import IntegrityError

from domain.images import ImageFormat, OwnerKind, Quality
from gateway.images.files import FileImageStore
from gateway.services.image_records import ImageRecord
from gateway.services.ports import ImageStore
from gateway.store.images import DatabaseImageStore
from gateway.store.uow import SqlDatabase
from tests.support.clock import START

SIZES = {Quality.THUMBNAIL: (200, 100), Quality.LOW: (600, 300), Quality.MID: (900, 450)}
SIZES[Quality.HIGH] = (900, 450)
ID_A = "6f1c1d52-2a0c-4f59-9a66-1c3c1e3f0a01"
ID_B = "6f1c1d52-2a0c-4f59-9a66-1c3c1e3f0a02"


def record(image_id: str, owner: int, kind: OwnerKind = OwnerKind.PROFILE) -> ImageRecord:
    return ImageRecord(image_id, kind, owner, ImageFormat.PNG, dict(SIZES), START)


async def test_records_round_trip_by_id_and_owner(db: SqlDatabase) -> None:
    async with db.writing() as uow:
        await uow.images.add(record(ID_A, 7))
        await uow.images.add(record(ID_B, 7, OwnerKind.ROOM))
        await uow.commit()
    async with db.reading() as uow:
        assert await uow.images.get(ID_A) == record(ID_A, 7)
        assert await uow.images.get("no-such-image") is None
        assert await uow.images.for_owners(OwnerKind.PROFILE, [7, 8]) == {7: record(ID_A, 7)}
        rooms = await uow.images.for_owners(OwnerKind.ROOM, [7])
        assert rooms == {7: record(ID_B, 7, OwnerKind.ROOM)}
        assert await uow.images.for_owners(OwnerKind.ROOM, []) == {}


async def test_one_image_per_owner(db: SqlDatabase) -> None:
    async with db.writing() as uow:
        await uow.images.add(record(ID_A, 7))
        await uow.commit()
    async with db.writing() as uow:
        with pytest.raises(IntegrityError):
            await uow.images.add(record(ID_B, 7))
    async with db.writing() as uow:
        await uow.images.remove(ID_A)
        await uow.images.remove(ID_A)  # a missing one is fine
        await uow.images.add(record(ID_B, 7))
        await uow.commit()
    async with db.reading() as uow:
        assert await uow.images.for_owners(OwnerKind.PROFILE, [7]) == {7: record(ID_B, 7)}


@pytest.fixture(params=["database", "file"])
def store(request: pytest.FixtureRequest, db: SqlDatabase, tmp_path: Path) -> ImageStore:
    if request.param == "database":
        return DatabaseImageStore(db.read_sessions(), db.write_sessions())
    return FileImageStore(tmp_path / "images")


async def test_a_store_keeps_variants_by_id_and_quality(store: ImageStore) -> None:
    variants = {q: f"{q.value}-bytes".encode() for q in Quality}
    await store.put(ID_A, variants)
    await store.put(ID_B, {Quality.MID: b"other"})
    found = await store.get(ID_A, Quality.LOW)
    assert found is not None
    assert found.data == b"low-bytes"
    assert found.sha256 == hashlib.sha256(b"low-bytes").hexdigest()
    await store.put(ID_A, dict.fromkeys(Quality, b"again"))  # replaces
    replaced = await store.get(ID_A, Quality.HIGH)
    assert replaced is not None
    assert replaced.data == b"again"
    await store.delete(ID_A)
    await store.delete(ID_A)  # a missing one is fine
    assert await store.get(ID_A, Quality.LOW) is None
    assert await store.get("not-a-uuid/../../etc", Quality.LOW) is None
    other = await store.get(ID_B, Quality.MID)
    assert other is not None
    assert other.data == b"other"


async def test_a_file_store_keeps_nothing_outside_its_directory(tmp_path: Path) -> None:
    store = FileImageStore(tmp_path / "images")
    with pytest.raises(ValueError, match="badly formed"):
        await store.put("../escape", {Quality.MID: b"x"})
    await store.put(ID_A, {Quality.MID: b"x"})
    assert sorted(p.name for p in (tmp_path / "images" / ID_A).iterdir()) == ["mid"]
