"""The Images use cases on fakes: who may change what, and what a failure leaves behind."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

import pytest

from domain.errors import DomainError, ErrorCode
from domain.images import ImageFormat, OwnerKind, Quality
from domain.users import Role, User
from gateway.services.authz import Principal
from gateway.services.image_records import EncodedVariant, ProcessedImage, StoredVariant
from gateway.services.images import Images
from tests.support.clock import MutableClock
from tests.support.fakes import FakeBatchReader, FakeDatabase, FakeImages


class DictStore:
    """An ImageStore in a dict."""

    def __init__(self) -> None:
        self.variants: dict[tuple[str, Quality], bytes] = {}

    async def put(self, image_id: str, variants: Mapping[Quality, bytes]) -> None:
        for quality, data in variants.items():
            self.variants[(image_id, quality)] = data

    async def get(self, image_id: str, quality: Quality) -> StoredVariant | None:
        data = self.variants.get((image_id, quality))
        return StoredVariant(data, "0" * 64) if data is not None else None

    async def delete(self, image_id: str) -> None:
        for key in [k for k in self.variants if k[0] == image_id]:
            del self.variants[key]


class TinyProcessor:
    """Four one-pixel variants carrying the uploaded bytes."""

    def __call__(self, data: bytes) -> ProcessedImage:
        variant = EncodedVariant(1, 1, data)
        return ProcessedImage(ImageFormat.PNG, dict.fromkeys(Quality, variant))


class Setup:
    def __init__(self) -> None:
        self.db = FakeDatabase()
        self.store = DictStore()
        self.processor = TinyProcessor()
        self.images = Images(
            self.db, self.store, self.processor, FakeBatchReader(self.db), MutableClock()
        )
        self.admin = self._user(1, Role.ADMIN)
        self.alice = self._user(2, Role.BASIC)
        self.bob = self._user(3, Role.BASIC)

    def _user(self, user_id: int, role: Role) -> User:
        user = User(id=user_id, email=f"u{user_id}@example.com", name=f"U{user_id}", role=role)
        self.db.state.users[user_id] = user
        return user

    @staticmethod
    def as_(user: User) -> Principal:
        return Principal(actor=user.as_actor())


@pytest.fixture
def setup() -> Setup:
    return Setup()


async def test_a_basic_user_changes_only_their_own_profile_image(setup: Setup) -> None:
    alice = setup.as_(setup.alice)
    with pytest.raises(DomainError) as caught:
        await setup.images.upload_profile(alice, b"x", setup.bob.id)
    assert (caught.value.code, caught.value.field) == (ErrorCode.FORBIDDEN, "user")
    with pytest.raises(DomainError):
        await setup.images.delete_profile(alice, setup.bob.id)
    assert setup.store.variants == {}
    mine = await setup.images.upload_profile(alice, b"mine", setup.alice.id)
    assert mine.owner_id == setup.alice.id


async def test_an_admin_changes_anybodys_but_not_a_missing_users(setup: Setup) -> None:
    admin = setup.as_(setup.admin)
    record = await setup.images.upload_profile(admin, b"bob", setup.bob.id)
    assert (record.owner_kind, record.owner_id) == (OwnerKind.PROFILE, setup.bob.id)
    with pytest.raises(DomainError) as caught:
        await setup.images.upload_profile(admin, b"x", 99)
    assert caught.value.code is ErrorCode.NOT_FOUND
    assert await setup.images.delete_profile(admin, setup.bob.id) == setup.bob.id
    assert setup.store.variants == {}


async def test_when_the_record_cannot_be_committed_the_new_variants_go(
    setup: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    alice = setup.as_(setup.alice)
    old = await setup.images.upload_profile(alice, b"old")

    async def broken(_self: FakeImages, _record: object) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(FakeImages, "add", broken)
    with pytest.raises(RuntimeError):
        await setup.images.upload_profile(alice, b"new")
    assert {image_id for image_id, _ in setup.store.variants} == {old.id}
    assert list(setup.db.state.images) == [old.id]


async def test_processing_runs_off_the_event_loop(setup: Setup) -> None:
    on_loop: list[bool] = []

    def watched(data: bytes) -> ProcessedImage:
        try:
            asyncio.get_running_loop()
            on_loop.append(True)
        except RuntimeError:  # no loop in this thread: a worker thread
            on_loop.append(False)
        return setup.processor(data)

    images = Images(setup.db, setup.store, watched, FakeBatchReader(setup.db), MutableClock())
    await images.upload_profile(setup.as_(setup.alice), b"x")
    assert on_loop == [False]
