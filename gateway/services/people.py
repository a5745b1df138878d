"""People's accounts after sign-up: profile details, roles, security settings and
e-mail address changes confirmed by a mailed code."""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from domain.audit import AuditEntity, changed_fields
from domain.errors import DomainError, ErrorCode, invalid
from domain.logins import CodePurpose
from domain.profiles import ADMIN_MANAGED, Profile, edited, generated_employee_id, input_name
from domain.users import Actor, Role, User, clean_name, normalise_email
from gateway.services import audit, codes, mails
from gateway.services.audit_snapshots import profile_fields
from gateway.services.authz import Principal
from gateway.services.codes import CodePolicy
from gateway.services.events import MailQueued
from gateway.services.notify import announce, notify_role_changed
from gateway.services.ports import (
    Clock,
    Database,
    EventPublisher,
    UnitOfWork,
)
from gateway.services.ration import queue_mail
from gateway.services.records import MailKind
from gateway.services.views import PersonView, SecuritySettings, private_to

_EMPLOYEE_ID_TRIES = 20


async def store_new_profile(
    uow: UnitOfWork, user_id: int, profile: Profile, now: datetime
) -> Profile:
    """Save a new account's profile; without an employee id it gets a free one of the
    original's shape, OCCUPI<year><4 digits>."""
    if profile.employee_id is None:
        for _ in range(_EMPLOYEE_ID_TRIES):
            candidate = generated_employee_id(now.year, _serial())
            if not await uow.profiles.employee_id_taken(candidate):
                profile = profile.updated({"employee_id": candidate})
                break
    await uow.profiles.save(user_id, profile)
    return profile


def _serial() -> int:
    # Not `secrets`: tests fix the codes it draws, and a serial needs no secrecy.
    return int.from_bytes(os.urandom(2)) % 10_000


def _not_found(user_id: int) -> DomainError:
    return DomainError(ErrorCode.NOT_FOUND, f"no user with id {user_id}", field="user")


class People:
    """Use cases on existing accounts. Everybody manages their own profile (name, date
    of birth, gender, pronouns, contact number), security settings and address; the
    employee id, position, department and role are admin-managed, and admins may edit
    anybody's profile and role. Others' details are never shown to basic users."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        publisher: EventPublisher,
        policy: CodePolicy | None = None,
    ) -> None:
        self._db = db
        self._clock = clock
        self._publisher = publisher
        self._policy = policy or CodePolicy()

    async def details(self, principal: Principal, user_id: int) -> Profile | None:
        """The person's profile, or None when the caller may not see it (see
        `views.private_to`) or there is no such person."""
        actor = principal.require()
        if not private_to(actor, user_id):
            return None
        async with self._db.reading() as uow:
            return await uow.profiles.get(user_id)

    async def security_settings(
        self, principal: Principal, user_id: int
    ) -> SecuritySettings | None:
        """Like `details`: for the person themselves and admins only."""
        actor = principal.require()
        if not private_to(actor, user_id):
            return None
        async with self._db.reading() as uow:
            if await uow.users.get(user_id) is None:
                return None
            return SecuritySettings(mfa=await uow.profiles.mfa_enabled(user_id))

    async def update_profile(
        self,
        principal: Principal,
        *,
        user_id: int | None,
        name: str | None,
        changes: Mapping[str, Any],
    ) -> PersonView:
        """Change the given profile fields (absent: unchanged; None: cleared) and the
        name (None: unchanged) of the caller, or, for admins, of `user_id`. A basic user
        naming somebody else, or an admin-managed field, is FORBIDDEN."""
        actor = principal.require()
        target = actor.user_id if user_id is None else user_id
        if target != actor.user_id and not actor.is_admin:
            raise DomainError(
                ErrorCode.FORBIDDEN, "only admins may change another person's profile", field="user"
            )
        managed = sorted(ADMIN_MANAGED & set(changes))
        if managed and not actor.is_admin:
            raise DomainError(
                ErrorCode.FORBIDDEN,
                f"only admins may set {input_name(managed[0])}",
                field=input_name(managed[0]),
            )
        display_name = None if name is None else clean_name(name)
        async with self._db.writing() as uow:
            current = await uow.profiles.get(target)
            before = await uow.users.get(target)
            if current is None or before is None:
                raise _not_found(target)
            now = self._clock.now()
            profile = edited(current, dict(changes), now.date())
            await uow.profiles.save(target, profile)
            if display_name is not None:
                await uow.profiles.set_name(target, display_name)
            user = await uow.users.get(target)
            assert user is not None
            old, new = changed_fields(
                {"name": before.name, **profile_fields(current)},
                {"name": user.name, **profile_fields(profile)},
            )
            if new:
                await audit.record(
                    uow,
                    actor,
                    AuditEntity.USER,
                    target,
                    "profile_updated",
                    at=now,
                    before=old,
                    after=new,
                )
            await uow.commit()
        assert user is not None
        return PersonView.of(user, actor)

    async def set_role(self, principal: Principal, user_id: int, role: Role) -> PersonView:
        """Admins only. The last admin cannot be demoted (LAST_ADMIN), so the gateway
        always has somebody who can manage it. Every real change notifies the person
        and the admin (Occupi's "Role status changed")."""
        admin = principal.require_admin()
        async with self._db.writing() as uow:
            await uow.lock("roles")
            user = await uow.users.get(user_id)
            if user is None:
                raise _not_found(user_id)
            if user.role is role:
                return PersonView.of(user, admin)
            if user.role is Role.ADMIN and await uow.profiles.count_admins() <= 1:
                raise DomainError(
                    ErrorCode.LAST_ADMIN,
                    "this is the only admin; make somebody else an admin first",
                    field="role",
                )
            await uow.profiles.set_role(user_id, role)
            await audit.record(
                uow,
                admin,
                AuditEntity.USER,
                user_id,
                "role_changed",
                at=self._clock.now(),
                before={"role": user.role.value},
                after={"role": role.value},
            )
            delivered = await notify_role_changed(
                uow,
                admin_id=admin.user_id,
                admin_email=admin.email,
                user_id=user_id,
                role=role.value,
                now=self._clock.now(),
            )
            await uow.commit()
        await announce(self._publisher, delivered)
        return PersonView.of(User(user.id, user.email, user.name, role), admin)

    async def request_email_change(self, principal: Principal, new_email: str) -> None:
        """Mail a code to the caller's wanted new address (EMAIL_TAKEN if an account has
        it). Codes are rationed like registration codes: a cooldown and a daily ration
        per address."""
        actor = principal.require()
        address = normalise_email(new_email, "newEmail")
        async with self._db.writing() as uow:
            now = self._clock.now()
            holder = await uow.users.by_email(address)
            if holder is not None and holder.id == actor.user_id:
                raise invalid("this is already your address", "newEmail")
            _refuse_taken(address, holder, actor)
            if await codes.in_cooldown(uow, address, MailKind.EMAIL_CHANGE_CODE, now, self._policy):
                raise codes.cooling_down(self._policy, "newEmail")
            code = codes.new_code()
            await uow.codes.add(
                email=address,
                code_hash=codes.code_hash(address, code),
                created_at=now,
                expires_at=now + self._policy.ttl,
                purpose=CodePurpose.EMAIL_CHANGE,
                user_id=actor.user_id,
            )
            mail = mails.email_change_code(address, code, self._policy.minutes)
            await codes.send(uow, mail, now, self._policy)
            await uow.commit()
        await self._publisher.publish(MailQueued(self._clock.now()))

    async def confirm_email_change(self, principal: Principal, code: str) -> PersonView:
        """Move the caller's account to the address of their latest e-mail change code;
        the old address gets a notice. The address must still be free (EMAIL_TAKEN)."""
        actor = principal.require()
        async with self._db.writing() as uow:
            await uow.lock(f"codes:user:{actor.user_id}")
            now = self._clock.now()
            stored = await uow.codes.latest_for_user(actor.user_id, CodePurpose.EMAIL_CHANGE)
            if stored is None or not await codes.redeem(uow, stored, code, now, self._policy):
                await uow.commit()
                raise codes.invalid_code()
            user = await uow.users.get(actor.user_id)
            if user is None:
                raise DomainError(ErrorCode.UNAUTHENTICATED, "the account no longer exists")
            _refuse_taken(stored.email, await uow.users.by_email(stored.email), actor)
            await uow.profiles.set_email(user.id, stored.email)
            await audit.record(
                uow,
                actor,
                AuditEntity.USER,
                user.id,
                "email_changed",
                at=now,
                before={"email": user.email},
                after={"email": stored.email},
            )
            await queue_mail(
                uow, mails.email_changed(user.email, stored.email), now, self._policy.mail
            )
            await uow.commit()
        await self._publisher.publish(MailQueued(self._clock.now()))
        return PersonView.of(User(user.id, stored.email, user.name, user.role), actor)


def _refuse_taken(address: str, holder: User | None, actor: Actor) -> None:
    if holder is not None and holder.id != actor.user_id:
        raise DomainError(
            ErrorCode.EMAIL_TAKEN, f"{address} already has an account", field="newEmail"
        )
