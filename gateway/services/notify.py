"""Creating notifications inside another use case's unit of work, so they commit (or
roll back) with the change that caused them, and the words of every notification."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from domain.notifications import Notification, NotificationKind, check_text
from gateway.services.events import NotificationEvent
from gateway.services.notification_records import NewNotification
from gateway.services.ports import EventPublisher, UnitOfWork


async def notify(
    uow: UnitOfWork,
    recipient_ids: Sequence[int],
    title: str,
    message: str,
    kind: NotificationKind,
    now: datetime,
    *,
    booking_code: str | None = None,
) -> list[Notification]:
    """Store one notification for those of `recipient_ids` whose settings want `kind`.

    Call it inside a writing unit of work, before its commit; after the commit, pass
    the answer to `announce`, which delivers it live and by push.
    """
    title, message = check_text(title, message)
    chosen = list(dict.fromkeys(recipient_ids))
    settings = await uow.notifications.settings(chosen)
    wanted = [r for r in chosen if settings[r].wants(kind)]
    if not wanted:
        return []
    stored = NewNotification(str(uuid.uuid4()), title, message, kind, now, booking_code)
    await uow.notifications.add(stored, wanted)
    return [Notification(stored.id, title, message, kind, now, r, booking_code) for r in wanted]


async def announce(publisher: EventPublisher, delivered: Sequence[Notification]) -> None:
    """After commit: each recipient's notification, to their subscriptions and devices."""
    for notification in delivered:
        await publisher.publish(NotificationEvent(notification))


async def notify_role_changed(
    uow: UnitOfWork, *, admin_id: int, admin_email: str, user_id: int, role: str, now: datetime
) -> list[Notification]:
    """For the accounts area: an admin changed somebody's role (toggle-admin-status)."""
    told = await notify(
        uow,
        [user_id],
        "Role status changed",
        f"{admin_email} has changed your role to {role}.",
        NotificationKind.ROLE_CHANGED,
        now,
    )
    copy = await notify(
        uow,
        [admin_id],
        "Role status changed",
        f"You have successfully changed the role of the user to {role}.",
        NotificationKind.ROLE_CHANGED,
        now,
    )
    return told + copy


async def notify_ip_rule_changed(
    uow: UnitOfWork,
    *,
    admin_id: int,
    admin_email: str,
    user_ids: Sequence[int],
    user_emails: Sequence[str],
    ip: str,
    added: bool,
    now: datetime,
) -> list[Notification]:
    """For the IP area: an admin added (or removed) an address to the users' allowed IP
    addresses; the users and the admin get the two notifications of Occupi's add-ip."""
    verb, title = ("added", "IP address added") if added else ("removed", "IP address removed")
    to_from = "to" if added else "from"
    told = await notify(
        uow,
        user_ids,
        title,
        f"{admin_email} has {verb} {ip} {to_from} the list of allowed IP addresses for you. "
        "Check your email for more details.",
        NotificationKind.IP_RULE_CHANGED,
        now,
    )
    copy = await notify(
        uow,
        [admin_id],
        title,
        f"You have successfully {verb} {ip} {to_from} the list of allowed IP addresses for "
        f"{','.join(user_emails)}.",
        NotificationKind.IP_RULE_CHANGED,
        now,
    )
    return told + copy


async def notify_anonymous_rule_changed(
    uow: UnitOfWork,
    *,
    admin_id: int,
    admin_email: str,
    user_ids: Sequence[int],
    user_emails: Sequence[str],
    blocked: bool,
    now: datetime,
) -> list[Notification]:
    """An admin set whether the users may sign in from new addresses (with a mailed code)
    or only from allowed and confirmed ones (toggle-allow-anonymous-ip). Unlike Occupi's,
    the words say what was done."""
    if blocked:
        title, told_what = "Anonymous IP addresses blocked", "blocked sign-ins from new addresses"
    else:
        title, told_what = "Anonymous IP addresses allowed", "allowed sign-ins from new addresses"
    told = await notify(
        uow,
        user_ids,
        title,
        f"{admin_email} has {told_what} for you. A new address is "
        + ("refused." if blocked else "confirmed with a code mailed to you."),
        NotificationKind.IP_RULE_CHANGED,
        now,
    )
    copy = await notify(
        uow,
        [admin_id],
        title,
        f"You have successfully {told_what} for {','.join(user_emails)}.",
        NotificationKind.IP_RULE_CHANGED,
        now,
    )
    return told + copy
