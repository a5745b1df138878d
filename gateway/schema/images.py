"""Image mutations. Uploads are HTTP (multipart, see gateway.images.http); GraphQL
deletes, and shows URLs through User.image and Room.image."""

from __future__ import annotations

from functools import partial

import strawberry

from gateway.schema.context import FreshLoaders, Info
from gateway.schema.errors import UserError, attempt
from gateway.schema.ids import ROOM, USER, code_ref, number_ref
from gateway.schema.types import RoomNode, UserNode

# As in gateway.schema.mutations, which imports this module (so it cannot import it).
mutation = partial(strawberry.mutation, extensions=[FreshLoaders()])


@strawberry.input
class DeleteProfileImageInput:
    user: strawberry.ID | None = strawberry.field(
        default=None, description="Admins only: another user (global id or number)."
    )


@strawberry.input
class DeleteRoomImageInput:
    room: strawberry.ID = strawberry.field(description="Global id or RM… code.")


@strawberry.type
class DeleteProfileImagePayload:
    user: UserNode | None
    errors: list[UserError]


@strawberry.type
class DeleteRoomImagePayload:
    room: RoomNode | None
    errors: list[UserError]


@strawberry.type
class ImagesMutation:
    @mutation(description="Remove your profile image; admins may name another user.")
    async def delete_profile_image(
        self, info: Info, input: DeleteProfileImageInput
    ) -> DeleteProfileImagePayload:
        app, principal = info.context.app, info.context.principal

        async def delete() -> UserNode | None:
            user = number_ref(input.user, USER, "user") if input.user is not None else None
            owner = await app.images.delete_profile(principal, user)
            person = await info.context.loaders.people.load(owner)
            return UserNode(user=person) if person else None

        user, errors = await attempt(delete)
        return DeleteProfileImagePayload(user=user, errors=errors)

    @mutation(description="Admins only: remove a room's image.")
    async def delete_room_image(
        self, info: Info, input: DeleteRoomImageInput
    ) -> DeleteRoomImagePayload:
        app, principal = info.context.app, info.context.principal

        async def delete() -> RoomNode:
            code = await app.images.delete_room(principal, code_ref(input.room, ROOM, "room"))
            return RoomNode(room=await app.directory.room(principal, code))

        room, errors = await attempt(delete)
        return DeleteRoomImagePayload(room=room, errors=errors)
