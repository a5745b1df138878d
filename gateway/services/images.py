"""Profile and room images: upload, replace, delete, and who may fetch which.

Who may do what:
- a profile image: its owner uploads and deletes it; an admin may do so for anybody;
- a room image: admins only;
- fetching: any signed-in caller may fetch room images; a profile image may be fetched by
  its owner, by admins, and by the people allowed to see its owner (those sharing a
  booking with them, as in Reads.people). Anybody else is told there is no such image,
  exactly as for an id that was never issued, so images cannot be probed.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Mapping, Sequence

from domain.errors import DomainError, ErrorCode
from domain.images import OwnerKind, Quality
from domain.users import Actor
from gateway.services.authz import Principal, not_found
from gateway.services.image_records import ImageRecord, ProcessedImage, ServedVariant
from gateway.services.ports import BatchReader, Clock, Database, ImageProcessor, ImageStore

MAX_ID_LENGTH = 36


def _new_id() -> str:
    return str(uuid.uuid4())


class Images:
    """The image use cases. One image per owner: an upload replaces the owner's image,
    and the old variants are deleted once the new record is committed. New variants are
    stored before their record is committed and removed again if that fails, so a reader
    never finds a record whose variants are missing."""

    def __init__(
        self,
        db: Database,
        store: ImageStore,
        process: ImageProcessor,
        reader: BatchReader,
        clock: Clock,
        *,
        concurrent_uploads: int = 2,
        new_id: Callable[[], str] = _new_id,
    ) -> None:
        self._db = db
        self._store = store
        self._process = process
        self._reader = reader
        self._clock = clock
        self._new_id = new_id
        # Decoding and resizing is CPU-bound: a few at a time keeps the threads (and the
        # memory big images take) bounded however many uploads arrive at once.
        self._processing = asyncio.Semaphore(concurrent_uploads)

    async def upload_profile(
        self, principal: Principal, data: bytes, user_id: int | None = None
    ) -> ImageRecord:
        """The caller's profile image, or (admins) user `user_id`'s."""
        owner = await self._profile_owner(principal, user_id)
        return await self._replace(OwnerKind.PROFILE, owner, data)

    async def delete_profile(self, principal: Principal, user_id: int | None = None) -> int:
        """Removes the profile image, if any; returns the user's id."""
        owner = await self._profile_owner(principal, user_id)
        await self._remove(OwnerKind.PROFILE, owner)
        return owner

    async def upload_room(self, principal: Principal, room_code: str, data: bytes) -> ImageRecord:
        """Admins only."""
        room_id = await self._room(principal, room_code)
        return await self._replace(OwnerKind.ROOM, room_id, data)

    async def delete_room(self, principal: Principal, room_code: str) -> str:
        """Admins only. Removes the room's image, if any; returns the room's code."""
        room_id = await self._room(principal, room_code)
        await self._remove(OwnerKind.ROOM, room_id)
        return room_code

    async def variant(self, principal: Principal, image_id: str, quality: Quality) -> ServedVariant:
        """One variant for serving, to those who may see it (see the module's docstring)."""
        viewer = principal.require()
        record = None
        if len(image_id) <= MAX_ID_LENGTH:
            async with self._db.reading() as uow:
                record = await uow.images.get(image_id)
        if record is None or not await self._visible(viewer, record):
            raise not_found("image", image_id)
        stored = await self._store.get(record.id, quality)
        if stored is None:
            raise not_found("image", image_id)
        return ServedVariant(
            data=stored.data, etag=f'"{stored.sha256}"', media_type=record.format.media_type
        )

    async def images_of(
        self, principal: Principal, kind: OwnerKind, owner_ids: Sequence[int]
    ) -> Mapping[int, ImageRecord]:
        """The images of these profiles or rooms, by owner, as far as the caller may see
        them. One statement, two for a basic user asking about other people."""
        viewer = principal.require()
        async with self._db.reading() as uow:
            found = await uow.images.for_owners(kind, owner_ids)
        if kind is OwnerKind.ROOM or viewer.is_admin:
            return found
        others = [i for i in found if i != viewer.user_id]
        known = await self._reader.sharing_a_booking(viewer, others) if others else set()
        return {i: r for i, r in found.items() if i == viewer.user_id or i in known}

    async def _visible(self, viewer: Actor, record: ImageRecord) -> bool:
        if record.owner_kind is OwnerKind.ROOM or viewer.is_admin:
            return True
        if record.owner_id == viewer.user_id:
            return True
        return record.owner_id in await self._reader.sharing_a_booking(viewer, [record.owner_id])

    async def _profile_owner(self, principal: Principal, user_id: int | None) -> int:
        actor = principal.require()
        if user_id is None or user_id == actor.user_id:
            return actor.user_id
        if not actor.is_admin:
            raise DomainError(
                ErrorCode.FORBIDDEN, "only an admin may change another user's image", field="user"
            )
        async with self._db.reading() as uow:
            if await uow.users.get(user_id) is None:
                raise not_found("user", str(user_id), field="user")
        return user_id

    async def _room(self, principal: Principal, room_code: str) -> int:
        principal.require_admin()
        async with self._db.reading() as uow:
            room = await uow.rooms.by_code(room_code)
        if room is None:
            raise not_found("room", room_code, field="room")
        return room.id

    async def _processed(self, data: bytes) -> ProcessedImage:
        async with self._processing:
            return await asyncio.to_thread(self._process, data)

    async def _replace(self, kind: OwnerKind, owner_id: int, data: bytes) -> ImageRecord:
        processed = await self._processed(data)
        record = ImageRecord(
            id=self._new_id(),
            owner_kind=kind,
            owner_id=owner_id,
            format=processed.format,
            sizes={q: (v.width, v.height) for q, v in processed.variants.items()},
            created_at=self._clock.now(),
        )
        await self._store.put(record.id, {q: v.data for q, v in processed.variants.items()})
        try:
            old = await self._swap(kind, owner_id, record)
        except BaseException:
            await self._store.delete(record.id)
            raise
        if old is not None:
            await self._store.delete(old.id)
        return record

    async def _swap(
        self, kind: OwnerKind, owner_id: int, record: ImageRecord | None
    ) -> ImageRecord | None:
        """Replace (or, with None, remove) the owner's record; returns the old one."""
        async with self._db.writing() as uow:
            await uow.lock(f"image:{kind.value}:{owner_id}")
            old = (await uow.images.for_owners(kind, [owner_id])).get(owner_id)
            if old is not None:
                await uow.images.remove(old.id)
            if record is not None:
                await uow.images.add(record)
            await uow.commit()
        return old

    async def _remove(self, kind: OwnerKind, owner_id: int) -> None:
        old = await self._swap(kind, owner_id, None)
        if old is not None:
            await self._store.delete(old.id)
