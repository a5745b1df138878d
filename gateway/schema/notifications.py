"""Notifications in GraphQL: a person's notifications, settings and push tokens, and the
`notificationReceived` subscription. Admins name anybody with `user:`."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from functools import partial

import strawberry

from gateway.schema.context import FreshLoaders, Info
from gateway.schema.errors import attempt
from gateway.schema.ids import USER, number_ref
from gateway.schema.notification_types import (
    DeleteNotificationInput,
    DeleteNotificationPayload,
    MarkNotificationsReadInput,
    MarkNotificationsReadPayload,
    NotificationCountsType,
    NotificationItem,
    NotificationSettingsPayload,
    NotificationSettingsType,
    PushTokenInput,
    PushTokenPayload,
    UpdateNotificationSettingsInput,
)
from gateway.schema.pagination import Connection, page_request

mutation = partial(strawberry.mutation, extensions=[FreshLoaders()])
DEFAULT_PAGE = 20


def _user(raw: strawberry.ID | None) -> int | None:
    return None if raw is None else number_ref(raw, USER, "user")


@strawberry.type
class NotificationQuery:
    @strawberry.field(description="Newest first. Reading them does not mark them read.")
    async def notifications(
        self,
        info: Info,
        user: strawberry.ID | None = None,
        unread_only: bool = False,
        first: int = DEFAULT_PAGE,
        after: str | None = None,
    ) -> Connection[NotificationItem]:
        page = await info.context.app.notifications.list(
            info.context.principal,
            page_request(info, first, after),
            unread_only=unread_only,
            user_id=_user(user),
        )
        return Connection.of(page, NotificationItem.of)

    @strawberry.field
    async def notification_counts(
        self, info: Info, user: strawberry.ID | None = None
    ) -> NotificationCountsType:
        counts = await info.context.app.notifications.counts(
            info.context.principal, user_id=_user(user)
        )
        return NotificationCountsType.of(counts)

    @strawberry.field
    async def notification_settings(
        self, info: Info, user: strawberry.ID | None = None
    ) -> NotificationSettingsType:
        settings = await info.context.app.notifications.settings(
            info.context.principal, user_id=_user(user)
        )
        return NotificationSettingsType.of(settings)


@strawberry.type
class NotificationMutation:
    @mutation
    async def mark_notifications_read(
        self, info: Info, input: MarkNotificationsReadInput
    ) -> MarkNotificationsReadPayload:
        notifications = info.context.app.notifications
        ids = None if input.ids is None else [str(i) for i in input.ids]
        marked, errors = await attempt(
            lambda: notifications.mark_read(info.context.principal, ids, user_id=_user(input.user))
        )
        return MarkNotificationsReadPayload(marked=marked or 0, errors=errors)

    @mutation(description="Deletes the notification for that person only.")
    async def delete_notification(
        self, info: Info, input: DeleteNotificationInput
    ) -> DeleteNotificationPayload:
        notifications = info.context.app.notifications

        async def delete() -> bool:
            await notifications.delete(
                info.context.principal, str(input.id), user_id=_user(input.user)
            )
            return True

        deleted, errors = await attempt(delete)
        return DeleteNotificationPayload(deleted=bool(deleted), errors=errors)

    @mutation(description="Settings left out stay as they are.")
    async def update_notification_settings(
        self, info: Info, input: UpdateNotificationSettingsInput
    ) -> NotificationSettingsPayload:
        notifications = info.context.app.notifications
        settings, errors = await attempt(
            lambda: notifications.update_settings(
                info.context.principal,
                invites=input.invites,
                booking_reminders=input.booking_reminders,
                user_id=_user(input.user),
            )
        )
        shown = None if settings is None else NotificationSettingsType.of(settings)
        return NotificationSettingsPayload(settings=shown, errors=errors)

    @mutation(description="This device receives your notifications as pushes.")
    async def register_push_token(self, info: Info, input: PushTokenInput) -> PushTokenPayload:
        notifications = info.context.app.notifications
        _, errors = await attempt(
            lambda: notifications.register_push_token(info.context.principal, input.token)
        )
        return PushTokenPayload(ok=not errors, errors=errors)

    @mutation(description="`ok` is false when the device was not registered to you.")
    async def remove_push_token(self, info: Info, input: PushTokenInput) -> PushTokenPayload:
        notifications = info.context.app.notifications
        removed, errors = await attempt(
            lambda: notifications.remove_push_token(info.context.principal, input.token)
        )
        return PushTokenPayload(ok=bool(removed), errors=errors)


@strawberry.type
class NotificationSubscription:
    @strawberry.subscription(
        description="Your own new notifications (admins too see only their own). Ends with "
        "UNAUTHENTICATED when your token expires."
    )
    async def notification_received(self, info: Info) -> AsyncGenerator[NotificationItem, None]:
        async for event in info.context.app.live.notifications(info.context.principal):
            yield NotificationItem.of(event.notification)
