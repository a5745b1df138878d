"""GraphQL types of notifications: the notification, its counts and settings, and the
inputs and payloads of the notification mutations."""

from __future__ import annotations

from datetime import datetime

import strawberry

from domain.notifications import Notification, NotificationKind, NotificationSettings
from gateway.schema.errors import UserError
from gateway.schema.ids import BOOKING, global_id
from gateway.services.notification_records import NotificationCounts

USER_HELP = "Whose (admins only; yourself when left out)."

strawberry.enum(NotificationKind, name="NotificationKind")


@strawberry.type(name="Notification")
class NotificationItem:
    id: strawberry.ID = strawberry.field(description="The legacy API's notiId (a UUID).")
    title: str
    message: str
    kind: NotificationKind
    created_at: datetime
    read_at: datetime | None
    booking_id: strawberry.ID | None

    @strawberry.field
    def read(self) -> bool:
        return self.read_at is not None

    @classmethod
    def of(cls, notification: Notification) -> NotificationItem:
        booking = notification.booking_code
        return cls(
            id=strawberry.ID(notification.id),
            title=notification.title,
            message=notification.message,
            kind=notification.kind,
            created_at=notification.created_at,
            read_at=notification.read_at,
            booking_id=None if booking is None else global_id(BOOKING, booking),
        )


@strawberry.type(name="NotificationCounts")
class NotificationCountsType:
    unread: int
    total: int = strawberry.field(description="All the person's notifications not deleted.")

    @classmethod
    def of(cls, counts: NotificationCounts) -> NotificationCountsType:
        return cls(unread=counts.unread, total=counts.total)


@strawberry.type(name="NotificationSettings")
class NotificationSettingsType:
    invites: bool
    booking_reminders: bool

    @classmethod
    def of(cls, settings: NotificationSettings) -> NotificationSettingsType:
        return cls(invites=settings.invites, booking_reminders=settings.booking_reminders)


@strawberry.input
class MarkNotificationsReadInput:
    ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Which notifications; all of them when left out."
    )
    user: strawberry.ID | None = strawberry.field(default=None, description=USER_HELP)


@strawberry.input
class DeleteNotificationInput:
    id: strawberry.ID
    user: strawberry.ID | None = strawberry.field(default=None, description=USER_HELP)


@strawberry.input
class UpdateNotificationSettingsInput:
    invites: bool | None = None
    booking_reminders: bool | None = None
    user: strawberry.ID | None = strawberry.field(default=None, description=USER_HELP)


@strawberry.input
class PushTokenInput:
    token: str = strawberry.field(description="An Expo push token: ExponentPushToken[…].")


@strawberry.type
class MarkNotificationsReadPayload:
    marked: int
    errors: list[UserError]


@strawberry.type
class DeleteNotificationPayload:
    deleted: bool
    errors: list[UserError]


@strawberry.type
class NotificationSettingsPayload:
    settings: NotificationSettingsType | None
    errors: list[UserError]


@strawberry.type
class PushTokenPayload:
    ok: bool
    errors: list[UserError]
