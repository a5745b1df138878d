"""Plain values of the notification use cases that cross the service boundary."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from domain.notifications import NotificationKind


@dataclass(frozen=True)
class NewNotification:
    """A notification to store once for all its recipients; `id` is its UUID (notiId)."""

    id: str
    title: str
    message: str
    kind: NotificationKind
    created_at: datetime
    booking_code: str | None = None


@dataclass(frozen=True)
class NotificationCounts:
    """A person's notifications: unread, and all they have not deleted."""

    unread: int
    total: int


@dataclass(frozen=True)
class DueReminder:
    """A pending "starting soon" reminder whose time has come."""

    id: int
    booking_code: str
    user_id: int
    email: str
    due_at: datetime


@dataclass(frozen=True)
class PushMessage:
    """One push to one device, in Expo's terms: `to` is the device's token."""

    to: str
    title: str
    body: str
    data: Mapping[str, str] = field(default_factory=dict)
