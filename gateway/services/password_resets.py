"""A forgotten password, reset with a mailed code (Occupi's /auth/forgot-password and
/auth/reset-password-*). Codes have the purpose RESET, so no other code resets a password
and a reset code signs nobody in by itself."""

from __future__ import annotations

import asyncio

from domain.audit import ANONYMOUS_ACTOR, AuditEntity
from domain.errors import invalid
from domain.logins import CodePurpose
from domain.users import Role, check_password_strength, normalise_email
from gateway.services import audit, codes
from gateway.services.accounts import Accounts
from gateway.services.authz import Principal
from gateway.services.codes import CodePolicy
from gateway.services.events import MailQueued
from gateway.services.ports import Clock, Database, EventPublisher, PasswordHasher
from gateway.services.records import MailKind, OutgoingMail
from gateway.services.sign_ins import NotAnAdmin


def reset_code_mail(email: str, code: str, minutes: int) -> OutgoingMail:
    return OutgoingMail(
        to=(email,),
        subject="Your Occupi password reset code",
        body=f"Your password reset code is {code}. It expires in {minutes} minutes.\n"
        "If you did not ask to reset your password, ignore this mail: it stays as it is.\n",
        kind=MailKind.RESET_CODE,
    )


class PasswordResets:
    """Anybody may ask for a reset code; the answer is the same whether or not the address
    has an account. Codes are rationed per address (a cooldown, then a daily ration) and
    each one allows the policy's tries."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        hasher: PasswordHasher,
        publisher: EventPublisher,
        accounts: Accounts,
        policy: CodePolicy,
    ) -> None:
        self._db = db
        self._clock = clock
        self._hasher = hasher
        self._publisher = publisher
        self._accounts = accounts
        self._policy = policy

    async def request(self, email: str) -> None:
        """Mail a reset code to the account's address. Within the cooldown after the last
        one nothing is sent (that code still works); RATE_LIMITED once the address's
        daily ration is spent."""
        address = normalise_email(email)
        async with self._db.writing() as uow:
            now = self._clock.now()
            if await codes.in_cooldown(uow, address, MailKind.RESET_CODE, now, self._policy):
                return
            user = await uow.users.by_email(address)
            if user is None:
                return
            code = codes.new_code()
            await uow.codes.add(
                email=address,
                code_hash=codes.code_hash(address, code),
                created_at=now,
                expires_at=now + self._policy.ttl,
                purpose=CodePurpose.RESET,
                user_id=user.id,
            )
            await codes.send(
                uow, reset_code_mail(address, code, self._policy.minutes), now, self._policy
            )
            await uow.commit()
        await self._publisher.publish(MailQueued(self._clock.now()))

    async def reset(
        self, email: str, code: str, new_password: str, confirm: str, *, admin_only: bool = False
    ) -> None:
        """Set a new password (checked against the policy, and confirmed) with the latest
        reset code of the account; the code works once, and every token issued before is
        revoked. Signing in afterwards is an ordinary sign-in with the new password.
        `admin_only` (the admin routes): an account whose stored role is not admin gets
        NotAnAdmin, with the right code only, and nothing changes."""
        address = normalise_email(email)
        check_password_strength(new_password, "newPassword")
        if confirm != new_password:
            raise invalid("the confirmation does not match the new password", "newPasswordConfirm")
        new_hash = await asyncio.to_thread(self._hasher.hash, new_password)
        async with self._db.writing() as uow:
            await uow.lock(f"codes:{address}")
            user = await uow.users.by_email(address)
            stored = await uow.codes.latest(address, CodePurpose.RESET)
            if user is None or stored is None or stored.user_id != user.id:
                raise codes.invalid_code()
            if not await codes.redeem(uow, stored, code, self._clock.now(), self._policy):
                await uow.commit()
                raise codes.invalid_code()
            if admin_only and user.role is not Role.ADMIN:
                raise NotAnAdmin()  # leaving without a commit: the code still works
            await uow.users.set_password_hash(user.id, new_hash)
            await audit.record(
                uow,
                ANONYMOUS_ACTOR,
                AuditEntity.USER,
                user.id,
                "password_reset",
                at=self._clock.now(),
            )
            await uow.commit()
        await self._accounts.logout_everywhere(Principal(actor=user.as_actor()))
