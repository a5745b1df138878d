"""Notification rules: settings, kinds, push tokens and when a booking reminder is due."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from domain import text
from domain.errors import invalid
from domain.intervals import require_aware

DEFAULT_REMINDER_LEAD = timedelta(minutes=15)
MAX_PUSH_TOKENS = 10
MAX_PUSH_TOKEN_LENGTH = 200
MAX_TITLE_LENGTH = 200
MAX_MESSAGE_LENGTH = 2000
# Expo's own format: ExponentPushToken[...] (or ExpoPushToken[...]) around printable text.
_EXPO_TOKEN = re.compile(r"Expo(?:nent)?PushToken\[[!-~]{1,180}\]")


class NotificationKind(StrEnum):
    """Why a notification was made."""

    INVITATION = "invitation"
    CANCELLATION = "cancellation"
    REMINDER = "reminder"
    ROLE_CHANGED = "role_changed"
    IP_RULE_CHANGED = "ip_rule_changed"


@dataclass(frozen=True)
class NotificationSettings:
    """What a person wants to be told about; both on for a new account, as in Occupi."""

    invites: bool = True
    booking_reminders: bool = True

    def wants(self, kind: NotificationKind) -> bool:
        """Invitations and reminders can be turned off; everything else always arrives."""
        if kind is NotificationKind.INVITATION:
            return self.invites
        if kind is NotificationKind.REMINDER:
            return self.booking_reminders
        return True


@dataclass(frozen=True)
class Notification:
    """One notification as one recipient sees it. `id` is the legacy `notiId` (a UUID)."""

    id: str
    title: str
    message: str
    kind: NotificationKind
    created_at: datetime
    recipient_id: int
    booking_code: str | None = None
    read_at: datetime | None = None

    @property
    def unread(self) -> bool:
        return self.read_at is None


def check_text(title: str, message: str) -> tuple[str, str]:
    """A notification's title and message, trimmed; neither may be empty or overlong."""
    title = text.check_text(title, "title").strip()
    message = text.check_text(message, "message", multiline=True).strip()
    if not title or len(title) > MAX_TITLE_LENGTH:
        raise invalid(f"title must have 1 to {MAX_TITLE_LENGTH} characters", "title")
    if not message or len(message) > MAX_MESSAGE_LENGTH:
        raise invalid(f"message must have 1 to {MAX_MESSAGE_LENGTH} characters", "message")
    return title, message


def check_push_token(token: str, field: str = "token") -> str:
    """An Expo push token as the apps register it, e.g. ExponentPushToken[xxxxxxxx]."""
    token = token.strip()
    if len(token) > MAX_PUSH_TOKEN_LENGTH or not _EXPO_TOKEN.fullmatch(token):
        raise invalid("token must be an Expo push token like ExponentPushToken[…]", field)
    return token


def reminder_due(start: datetime, now: datetime, lead: timedelta) -> datetime:
    """When the "starting soon" reminder of a booking starting at `start` is due: `lead`
    before the start, but never before `now` (a booking made at short notice is reminded
    of at once)."""
    require_aware(start, "start")
    require_aware(now, "now")
    if lead < timedelta(0):
        raise invalid("the reminder lead cannot be negative", "lead")
    return max(start - lead, now)
