"""Notification use cases: a person's notifications, their settings and push tokens."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from domain.errors import DomainError, ErrorCode, invalid
from domain.notifications import (
    MAX_PUSH_TOKENS,
    Notification,
    NotificationSettings,
    check_push_token,
)
from domain.users import Actor, normalise_email
from gateway.services.authz import Principal, not_found
from gateway.services.notification_records import NotificationCounts
from gateway.services.ports import Clock, Database, UnitOfWork
from gateway.services.records import Page, PageRequest

MAX_IDS = 100


class Notifications:
    """Everybody reads and changes their own notifications and settings; an admin may
    name anybody (`user_id`). A basic user naming somebody else is refused. Push tokens
    are only ever the caller's own: a device registers itself."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def list(
        self,
        principal: Principal,
        page: PageRequest,
        *,
        unread_only: bool = False,
        user_id: int | None = None,
    ) -> Page[Notification]:
        """Newest first; deleted ones are gone. Listing does not mark anything read."""
        async with self._db.reading() as uow:
            target = await _target(uow, principal.require(), user_id)
            return await uow.notifications.list_for(target, page, unread_only=unread_only)

    async def counts(
        self, principal: Principal, *, user_id: int | None = None
    ) -> NotificationCounts:
        async with self._db.reading() as uow:
            target = await _target(uow, principal.require(), user_id)
            return await uow.notifications.counts(target)

    async def mark_read(
        self,
        principal: Principal,
        ids: Sequence[str] | None,
        *,
        user_id: int | None = None,
    ) -> int:
        """Mark these notifications (all, for None) read; ids that are not the person's
        are passed over. Returns how many were unread."""
        if ids is not None and len(ids) > MAX_IDS:
            raise invalid(f"at most {MAX_IDS} ids at once", "ids")
        async with self._db.writing() as uow:
            target = await _target(uow, principal.require(), user_id)
            changed = await uow.notifications.mark_read(target, ids, self._clock.now())
            await uow.commit()
        return changed

    async def delete(
        self, principal: Principal, notification_id: str, *, user_id: int | None = None
    ) -> None:
        """Delete a notification for the person only (Occupi's delete-notification)."""
        async with self._db.writing() as uow:
            target = await _target(uow, principal.require(), user_id)
            if not await uow.notifications.delete_for(target, notification_id, self._clock.now()):
                raise not_found("notification", notification_id[:80], "id")
            await uow.commit()

    async def settings(
        self, principal: Principal, *, user_id: int | None = None
    ) -> NotificationSettings:
        async with self._db.reading() as uow:
            target = await _target(uow, principal.require(), user_id)
            return (await uow.notifications.settings([target]))[target]

    async def update_settings(
        self,
        principal: Principal,
        *,
        invites: bool | None = None,
        booking_reminders: bool | None = None,
        user_id: int | None = None,
    ) -> NotificationSettings:
        """Change the settings given; those left out (None) stay as they are."""
        async with self._db.writing() as uow:
            target = await _target(uow, principal.require(), user_id)
            current = (await uow.notifications.settings([target]))[target]
            chosen = replace(
                current,
                invites=current.invites if invites is None else invites,
                booking_reminders=(
                    current.booking_reminders if booking_reminders is None else booking_reminders
                ),
            )
            await uow.notifications.save_settings(target, chosen)
            await uow.commit()
        return chosen

    async def register_push_token(self, principal: Principal, token: str) -> None:
        """This device gets the caller's pushes (and no longer anybody else's); only the
        newest MAX_PUSH_TOKENS devices of a person are kept."""
        actor = principal.require()
        token = check_push_token(token)
        async with self._db.writing() as uow:
            await uow.notifications.add_push_token(
                actor.user_id, token, self._clock.now(), MAX_PUSH_TOKENS
            )
            await uow.commit()

    async def remove_push_token(self, principal: Principal, token: str) -> bool:
        """False when the caller had no such device."""
        actor = principal.require()
        async with self._db.writing() as uow:
            removed = await uow.notifications.remove_push_token(actor.user_id, token.strip())
            await uow.commit()
        return removed

    async def push_tokens_of(self, principal: Principal, emails: Sequence[str]) -> tuple[str, ...]:
        """Admins only: the devices of these people, those with invitations on (Occupi's
        get-push-tokens). The original let anybody signed in ask; a token lets whoever
        holds it push to the device, so here only admins may."""
        principal.require_admin()
        if len(emails) > MAX_IDS:
            raise invalid(f"at most {MAX_IDS} addresses at once", "emails")
        addresses = [normalise_email(e, f"emails[{i}]") for i, e in enumerate(emails)]
        async with self._db.reading() as uow:
            people = [u.id for u in (await uow.users.by_emails(addresses)).values()]
            settings = await uow.notifications.settings(people)
            invited = [p for p in people if settings[p].invites]
            tokens = await uow.notifications.push_tokens(invited)
        return tuple(t for p in invited for t in tokens.get(p, []))


async def _target(uow: UnitOfWork, actor: Actor, user_id: int | None) -> int:
    """Whose notifications: the caller's own, or (for an admin) an existing person's."""
    if user_id is None or user_id == actor.user_id:
        return actor.user_id
    if not actor.is_admin:
        raise DomainError(
            ErrorCode.FORBIDDEN,
            "only an admin may see another person's notifications",
            field="user",
        )
    if await uow.users.get(user_id) is None:
        raise not_found("user", str(user_id), "user")
    return user_id
