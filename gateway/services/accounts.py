"""Accounts: login, token authentication, registration by e-mail code, user administration."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from domain.addresses import Outcome
from domain.audit import ANONYMOUS_ACTOR, SYSTEM_ACTOR, AuditEntity
from domain.errors import DomainError, ErrorCode, invalid
from domain.logins import CodePurpose, challenge_reason
from domain.notifications import MAX_PUSH_TOKENS, NotificationSettings, check_push_token
from domain.profiles import Profile, edited
from domain.retry import RetryLater
from domain.users import (
    Actor,
    Role,
    User,
    check_password_strength,
    clean_name,
    normalise_email,
)
from gateway.services import audit, codes, mails
from gateway.services.address_gate import login_gate, refusal, remember_confirmed
from gateway.services.audit_snapshots import user_fields
from gateway.services.authz import Principal
from gateway.services.challenges import LoginChallenged, client_binding, mail_login_code
from gateway.services.codes import CodePolicy
from gateway.services.events import MailQueued
from gateway.services.people import store_new_profile
from gateway.services.ports import (
    Clock,
    Database,
    EventPublisher,
    PasswordHasher,
    TokenCodec,
    UnitOfWork,
)
from gateway.services.ration import MailRation, mail_key, queue_mail, recently_mailed
from gateway.services.records import (
    IssuedToken,
    MailKind,
    Page,
    PageRequest,
    ThrottleKey,
    ThrottleScope,
    UserQuery,
)
from gateway.services.throttle import LoginPolicy, refuse_until
from gateway.services.views import PersonView, SecuritySettings

_BAD_LOGIN = "the e-mail address or the password is incorrect"
_REVOKED = "the token was revoked; sign in again"


@dataclass(frozen=True)
class AccountPolicy:
    code_ttl: timedelta = timedelta(minutes=10)
    max_code_attempts: int = 5
    # A new code brings fresh attempts, so codes for one address are rationed; so is the
    # "already registered" mail, which anybody can trigger for any address.
    code_cooldown: timedelta = timedelta(minutes=1)
    mail: MailRation = field(default_factory=MailRation)
    login: LoginPolicy = field(default_factory=LoginPolicy)

    def codes(self) -> CodePolicy:
        return CodePolicy(
            ttl=self.code_ttl,
            max_attempts=self.max_code_attempts,
            cooldown=self.code_cooldown,
            mail=self.mail,
        )


@dataclass(frozen=True)
class AccountSetup:
    """What an admin may give a new account besides its credentials and role: profile
    details, notification settings, a first push device, and whether it may only sign
    in from allowed and confirmed addresses."""

    profile: Profile = field(default_factory=Profile)
    notifications: NotificationSettings = field(default_factory=NotificationSettings)
    push_token: str | None = None
    block_anonymous: bool = False


@dataclass(frozen=True)
class Session:
    token: IssuedToken
    user: PersonView

    @classmethod
    def of(cls, token: IssuedToken, user: User) -> Session:
        return cls(token, PersonView.of(user, user.as_actor()))


async def _set_up(uow: UnitOfWork, user_id: int, setup: AccountSetup, now: datetime) -> None:
    """A new account's profile and settings, in the unit of work that creates it."""
    await store_new_profile(uow, user_id, setup.profile, now)
    if setup.notifications != NotificationSettings():
        await uow.notifications.save_settings(user_id, setup.notifications)
    if setup.push_token is not None:
        await uow.notifications.add_push_token(user_id, setup.push_token, now, MAX_PUSH_TOKENS)
    if setup.block_anonymous:
        await uow.addresses.set_block_anonymous([user_id], True)


def _throttle_keys(address: str | None, client: str | None) -> list[ThrottleKey]:
    keys = [ThrottleKey(ThrottleScope.ACCOUNT, address)] if address is not None else []
    if client is not None:
        keys.append(ThrottleKey(ThrottleScope.CLIENT, client))
    return keys


def _login_locks(keys: list[ThrottleKey]) -> list[str]:
    """The locks under which a key's failed sign-ins are counted and forgotten."""
    return [f"login:{k.scope}:{k.key}" for k in keys]


def _revocation_floor(now: datetime, previous: datetime | None) -> datetime:
    """Where revoked tokens end. A JWT's `iat` has whole seconds, so a token issued in the
    revocation's own second cannot be told from one issued just after it: the floor is the
    next whole second, which refuses both, and tokens issued after it (see
    `Accounts._issue`) carry `iat` = the floor, which it accepts. Tokens issued after an
    earlier revocation in the same second carry that earlier floor, so a new revocation
    goes past it too."""
    floor = now.replace(microsecond=0) + timedelta(seconds=1)
    return max(floor, previous + timedelta(seconds=1)) if previous is not None else floor


class Accounts:
    """Use cases about who people are. Any caller may log in or register; only admins
    create users for others or list them."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        hasher: PasswordHasher,
        tokens: TokenCodec,
        publisher: EventPublisher,
        policy: AccountPolicy | None = None,
    ) -> None:
        self._db = db
        self._clock = clock
        self._hasher = hasher
        self._tokens = tokens
        self._publisher = publisher
        self._policy = policy or AccountPolicy()
        self._code_policy = self._policy.codes()
        self._decoy_hash: str | None = None

    async def login(self, email: str, password: str, *, client: str | None = None) -> Session:
        """A token for valid credentials; one error for a wrong address or password alike.

        `client` is the caller's network address, for throttling (None: not known, e.g.
        the CLI). Too many failures for the typed address or from the client, and the
        answer is RATE_LIMITED with the wait in seconds, before the password is checked;
        the answer is the same whether or not the address has an account.

        The address rules (`address_gate.login_gate`) may refuse the client address
        (FORBIDDEN) or want it confirmed. When the sign-in is challenged
        (`domain.logins.challenge_reason`: a new address, or MFA on), no token: a code is
        mailed and LoginChallenged (CODE_REQUIRED) raised; see `complete_login`. A
        sign-in from an address that needs no confirmation makes it a confirmed one.
        """
        try:
            address: str | None = normalise_email(email)
        except DomainError:
            address = None
        keys = _throttle_keys(address, client)
        attempts = await self._count_attempt(keys)
        user, verified = None, False
        if address is not None:
            async with self._db.reading() as uow:
                user = await uow.users.by_email(address)
                hashed = await uow.users.password_hash(user.id) if user else await self._decoy()
            # Verify even for unknown addresses so response time does not reveal accounts.
            verified = await self._verify(hashed, password)
        if address is None or not verified or user is None:
            raise DomainError(ErrorCode.INVALID_CREDENTIALS, _BAD_LOGIN)
        async with self._db.writing() as uow:
            verdict = await login_gate(uow, user, client)
            if verdict.outcome is Outcome.REFUSE:
                # The password was right: not held against the client; the account's
                # earlier failures stay.
                await uow.lock(*_login_locks(keys))
                await uow.login_failures.forget(attempts)
                await uow.commit()
                raise refusal(verdict)
            reason = challenge_reason(
                mfa_enabled=await uow.profiles.mfa_enabled(user.id),
                new_address=verdict.outcome is Outcome.CONFIRM,
            )
            if reason is None:
                await remember_confirmed(uow, user, client, self._clock.now())
                await self._forget_failures(uow, keys, attempts)
            else:
                # Not signed in yet: the right password is not held against anybody, but
                # the account's earlier failures stay until the code comes back.
                await uow.lock(*_login_locks(keys))
                await uow.login_failures.forget(attempts)
            holder = await uow.users.token_holder(user.id)
            sent = reason is not None and await mail_login_code(
                uow, user, reason, self._clock.now(), self._code_policy, client
            )
            await uow.commit()
        if reason is not None:
            if sent:
                await self._publisher.publish(MailQueued(self._clock.now()))
            raise LoginChallenged(reason, sent=sent)
        valid_from = holder.tokens_valid_from if holder else None
        return Session.of(self._issue(user, valid_from), user)

    async def complete_login(self, email: str, code: str, *, client: str | None = None) -> Session:
        """Finish a challenged sign-in (see `login`) with the code mailed for it: a
        sign-in code only, once, within its lifetime and tries, from the client address
        it was mailed for, which then becomes a confirmed address of the account. Every
        try counts as a failed sign-in until it succeeds, so guessing is throttled like
        passwords."""
        try:
            address: str | None = normalise_email(email)
        except DomainError:
            address = None
        keys = _throttle_keys(address, client)
        attempts = await self._count_attempt(keys)
        if address is None:
            raise codes.invalid_code()
        async with self._db.writing() as uow:
            await uow.lock(f"codes:{address}")
            user = await uow.users.by_email(address)
            stored = await uow.codes.latest(address, CodePurpose.LOGIN)
            if user is None or stored is None or stored.user_id != user.id:
                raise codes.invalid_code()
            now = self._clock.now()
            bound_to = client_binding(client)
            if not await codes.redeem(uow, stored, code, now, self._code_policy, bound_to=bound_to):
                await uow.commit()
                raise codes.invalid_code()
            await remember_confirmed(uow, user, client, now)
            await self._forget_failures(uow, keys, attempts)
            holder = await uow.users.token_holder(user.id)
            await uow.commit()
        valid_from = holder.tokens_valid_from if holder else None
        return Session.of(self._issue(user, valid_from), user)

    async def update_security_settings(
        self, principal: Principal, *, mfa: bool, current_password: str, client: str | None
    ) -> SecuritySettings:
        """The signed-in caller's own settings; needs the current password, and a wrong
        one counts as a failed sign-in. Admins cannot change anybody else's."""
        actor = principal.require()
        keys = _throttle_keys(actor.email, client)
        attempts = await self._count_attempt(keys)
        async with self._db.reading() as uow:
            hashed = await uow.users.password_hash(actor.user_id)
        if not await self._verify(hashed, current_password):
            raise invalid("the current password is incorrect", "currentPassword")
        async with self._db.writing() as uow:
            await self._forget_failures(uow, keys, attempts)
            before = await uow.profiles.mfa_enabled(actor.user_id)
            await uow.profiles.set_mfa(actor.user_id, mfa)
            if before != mfa:
                await audit.record(
                    uow,
                    actor,
                    AuditEntity.USER,
                    actor.user_id,
                    "security_changed",
                    at=self._clock.now(),
                    before={"mfa": before},
                    after={"mfa": mfa},
                )
            await uow.commit()
        return SecuritySettings(mfa=mfa)

    async def authenticate(self, token: str) -> Principal:
        """The principal behind a token; the role is read afresh from the database, and a
        token issued before the account's tokens were revoked is refused."""
        try:
            claims = self._tokens.decode(token, self._clock.now())
        except DomainError as rejected:
            return Principal(rejection=rejected)
        async with self._db.glancing() as uow:  # every signed-in request: one statement
            holder = await uow.users.token_holder(claims.user_id)
        if holder is None:
            return Principal(
                rejection=DomainError(ErrorCode.UNAUTHENTICATED, "the account no longer exists")
            )
        valid_from = holder.tokens_valid_from
        if valid_from is not None and claims.issued_at < valid_from:
            return Principal(rejection=DomainError(ErrorCode.UNAUTHENTICATED, _REVOKED))
        return Principal(
            actor=holder.user.as_actor(),
            credential=token,
            expires_at=claims.expires_at,
            account=holder.user,
        )

    async def logout_everywhere(self, principal: Principal) -> None:
        """Revoke every token of the signed-in caller, this one included."""
        actor = principal.require()
        async with self._db.writing() as uow:
            floor = await self._revoke(uow, actor.user_id)
            await audit.record(
                uow,
                actor,
                AuditEntity.USER,
                actor.user_id,
                "signed_out_everywhere",
                at=self._clock.now(),
                after={"tokens_valid_from": floor},
            )
            await uow.commit()

    async def change_password(
        self,
        principal: Principal,
        *,
        current: str,
        new: str,
        confirm: str,
        client: str | None = None,
    ) -> Session:
        """The signed-in caller's new password, checked against the password policy; every
        token issued before is revoked, and the answer carries a fresh one. A wrong
        current password counts as a failed sign-in, so it is throttled like one."""
        actor = principal.require()
        check_password_strength(new, "newPassword")
        if confirm != new:
            raise invalid("the confirmation does not match the new password", "newPasswordConfirm")
        if new == current:
            raise invalid("the new password must differ from the current one", "newPassword")
        keys = _throttle_keys(actor.email, client)
        attempts = await self._count_attempt(keys)
        async with self._db.reading() as uow:
            hashed = await uow.users.password_hash(actor.user_id)
        if not await self._verify(hashed, current):
            raise invalid("the current password is incorrect", "currentPassword")
        new_hash = await self._hash(new)
        async with self._db.writing() as uow:
            await self._forget_failures(uow, keys, attempts)
            holder = await uow.users.token_holder(actor.user_id)
            if holder is None:
                raise DomainError(ErrorCode.UNAUTHENTICATED, "the account no longer exists")
            await uow.users.set_password_hash(actor.user_id, new_hash)
            valid_from = await self._revoke(uow, actor.user_id)
            await audit.record(
                uow,
                actor,
                AuditEntity.USER,
                actor.user_id,
                "password_changed",
                at=self._clock.now(),
                after={"tokens_valid_from": valid_from},
            )
            await uow.commit()
        return Session.of(self._issue(holder.user, valid_from), holder.user)

    async def me(self, principal: Principal) -> PersonView:
        """The signed-in caller's own account: as authentication read it for this request
        (principal.account), or read now for a principal made without one."""
        actor = principal.require()
        user = principal.account
        if user is None or user.id != actor.user_id:
            async with self._db.reading() as uow:
                user = await uow.users.get(actor.user_id)
        if user is None:
            raise DomainError(ErrorCode.UNAUTHENTICATED, "the account no longer exists")
        return PersonView.of(user, actor)

    async def request_registration_code(self, email: str) -> None:
        """Mail a one-time code; the answer is the same whether or not the address is taken.

        Within the cooldown after a mail was sent to the address, or once its daily ration
        of registration mail is spent, the answer is RATE_LIMITED and nothing is sent.
        """
        address = normalise_email(email)
        minutes = int(self._policy.code_ttl.total_seconds() // 60)
        async with self._db.writing() as uow:
            await uow.lock(mail_key(address))
            now = self._clock.now()
            since = now - self._policy.code_cooldown
            registration = MailKind.REGISTRATION_CODE.rationed_with
            if await recently_mailed(uow, address, registration, since):
                seconds = int(self._policy.code_cooldown.total_seconds())
                raise RetryLater(
                    ErrorCode.RATE_LIMITED,
                    f"a mail went to this address less than {seconds} seconds ago; "
                    "ask again after that",
                    field="email",
                    retry_after=seconds,
                )
            if await uow.users.by_email(address) is not None:
                mail = mails.already_registered(address)
            else:
                code = codes.new_code()
                await uow.codes.add(
                    email=address,
                    code_hash=codes.code_hash(address, code),
                    created_at=now,
                    expires_at=now + self._policy.code_ttl,
                )
                mail = mails.registration_code(address, code, minutes)
            if await queue_mail(uow, mail, now, self._policy.mail) is None:
                raise DomainError(
                    ErrorCode.RATE_LIMITED,
                    "this address has had as much registration mail as it may get in a day; "
                    "ask again tomorrow",
                    field="email",
                )
            await uow.commit()
        await self._publisher.publish(MailQueued(self._clock.now()))

    async def register(self, email: str, code: str, password: str, name: str) -> Session:
        """Create a basic account from a mailed code; the code works once."""
        address = normalise_email(email)
        display_name = clean_name(name)
        check_password_strength(password)
        # Hash before taking the write lock: it is the slow part.
        password_hash = await self._hash(password)
        async with self._db.writing() as uow:
            # Tries are counted under this lock, so a burst of guesses gets five at most.
            await uow.lock(f"codes:{address}")
            stored = await uow.codes.latest(address, CodePurpose.REGISTRATION)
            if not await codes.redeem(uow, stored, code, self._clock.now(), self._code_policy):
                await uow.commit()
                raise codes.invalid_code()
            user = await uow.users.add(
                email=address,
                name=display_name,
                role=Role.BASIC,
                password_hash=password_hash,
            )
            await store_new_profile(uow, user.id, Profile(), self._clock.now())
            await audit.record(
                uow,
                ANONYMOUS_ACTOR,
                AuditEntity.USER,
                user.id,
                "registered",
                at=self._clock.now(),
                after=user_fields(user),
            )
            await uow.commit()
        return Session.of(self._issue(user, None), user)

    async def create_user(
        self,
        principal: Principal,
        *,
        email: str,
        name: str,
        password: str,
        role: Role,
        details: Mapping[str, Any] | None = None,
        notifications: NotificationSettings | None = None,
        push_token: str | None = None,
        block_anonymous: bool = False,
    ) -> PersonView:
        """Admins create accounts directly, with any role and any profile `details`
        (profile field -> value, checked by `domain.profiles.edited`), notification
        settings (both on by default), a push device and the block-anonymous flag;
        without an employee id, one is generated."""
        admin = principal.require_admin()
        setup = AccountSetup(
            profile=edited(Profile(), dict(details or {}), self._clock.now().date()),
            notifications=notifications or NotificationSettings(),
            push_token=check_push_token(push_token, "pushToken") if push_token else None,
            block_anonymous=block_anonymous,
        )
        user = await self.provision(
            email=email, name=name, password=password, role=role, setup=setup, by=admin
        )
        return PersonView.of(user, admin)

    async def provision(
        self,
        *,
        email: str,
        name: str,
        password: str,
        role: Role,
        setup: AccountSetup | None = None,
        by: Actor | None = None,
    ) -> User:
        """Create an account: for `create_user` (`by` the admin) and, without a caller,
        for the CLI and the demo seed (audited as the system)."""
        address = normalise_email(email)
        display_name = clean_name(name)
        check_password_strength(password)
        password_hash = await self._hash(password)
        async with self._db.writing() as uow:
            user = await uow.users.add(
                email=address, name=display_name, role=role, password_hash=password_hash
            )
            setup = setup or AccountSetup()
            await _set_up(uow, user.id, setup, self._clock.now())
            await audit.record(
                uow,
                by or SYSTEM_ACTOR,
                AuditEntity.USER,
                user.id,
                "created",
                at=self._clock.now(),
                after={
                    **user_fields(user),
                    "profile": setup.profile,
                    "block_anonymous": setup.block_anonymous,
                },
            )
            await uow.commit()
        return user

    async def list_users(
        self, principal: Principal, query: UserQuery, page: PageRequest
    ) -> Page[PersonView]:
        """Every account, filtered; admins only."""
        admin = principal.require_admin()
        async with self._db.reading() as uow:
            found = await uow.users.list(query, page)
        return found.map(lambda u: PersonView.of(u, admin))

    async def _revoke(self, uow: UnitOfWork, user_id: int) -> datetime:
        """Revoke every token of the account issued so far; returns the new floor."""
        await uow.lock(f"tokens:{user_id}")
        holder = await uow.users.token_holder(user_id)
        previous = holder.tokens_valid_from if holder else None
        floor = _revocation_floor(self._clock.now(), previous)
        await uow.users.revoke_tokens(user_id, floor)
        return floor

    def _issue(self, user: User, valid_from: datetime | None) -> IssuedToken:
        """A token that `authenticate` accepts, even when issued in the second the
        account's tokens were revoked in (see `_revocation_floor`)."""
        now = self._clock.now()
        return self._tokens.issue(user.as_actor(), max(now, valid_from or now))

    async def _count_attempt(self, keys: list[ThrottleKey]) -> list[int]:
        """Refuse a throttled attempt; otherwise count it as a failure until it succeeds.

        Counting it before the (slow) password check, under the keys' locks, means a
        burst of concurrent guesses cannot all slip in under the limit.
        """
        if not keys:
            return []
        policy = self._policy.login
        async with self._db.writing() as uow:
            await uow.lock(*_login_locks(keys))
            now = self._clock.now()
            since = now - policy.window
            retry_at = policy.retry_at(await uow.login_failures.tally(keys, since))
            if retry_at is not None and retry_at > now:
                raise refuse_until(retry_at, now)
            await uow.login_failures.purge(since)
            attempts = [await uow.login_failures.add(key, now) for key in keys]
            await uow.commit()
        return attempts

    @staticmethod
    async def _forget_failures(
        uow: UnitOfWork, keys: list[ThrottleKey], attempts: list[int]
    ) -> None:
        """A success: the account's failures go, and this attempt no longer counts
        against the client address (many people may share one)."""
        await uow.lock(*_login_locks(keys))
        for key in keys:
            if key.scope is ThrottleScope.ACCOUNT:
                await uow.login_failures.clear(key)
        await uow.login_failures.forget(attempts)

    # Argon2 is slow on purpose; run it in a thread so the event loop keeps serving.
    async def _hash(self, password: str) -> str:
        return await asyncio.to_thread(self._hasher.hash, password)

    async def _verify(self, hashed: str, password: str) -> bool:
        return await asyncio.to_thread(self._hasher.verify, hashed, password)

    async def _decoy(self) -> str:
        if self._decoy_hash is None:
            self._decoy_hash = await self._hash(secrets.token_urlsafe(16))
        return self._decoy_hash
