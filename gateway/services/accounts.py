"""Accounts: login, token authentication, registration by e-mail code, user administration."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from domain.errors import DomainError, ErrorCode
from domain.users import Role, User, check_password_strength, clean_name, normalise_email
from gateway.services import mails
from gateway.services.authz import Principal
from gateway.services.events import MailQueued
from gateway.services.ports import (
    Clock,
    Database,
    EventPublisher,
    PasswordHasher,
    TokenCodec,
)
from gateway.services.ration import MailRation, mail_key, queue_mail, recently_mailed
from gateway.services.records import IssuedToken, MailKind, Page, PageRequest, UserQuery
from gateway.services.views import PersonView

_BAD_LOGIN = "the e-mail address or the password is incorrect"
_BAD_CODE = "the code is wrong or has expired; ask for a new one"
_REGISTRATION_MAILS = (MailKind.REGISTRATION_CODE, MailKind.ALREADY_REGISTERED)


@dataclass(frozen=True)
class AccountPolicy:
    code_ttl: timedelta = timedelta(minutes=10)
    max_code_attempts: int = 5
    # A new code brings fresh attempts, so codes for one address are rationed; so is the
    # "already registered" mail, which anybody can trigger for any address.
    code_cooldown: timedelta = timedelta(minutes=1)
    mail: MailRation = field(default_factory=MailRation)


@dataclass(frozen=True)
class Session:
    token: IssuedToken
    user: PersonView

    @classmethod
    def of(cls, token: IssuedToken, user: User) -> Session:
        return cls(token, PersonView.of(user, user.as_actor()))


def _code_hash(email: str, code: str) -> str:
    return hashlib.sha256(f"{email}:{code}".encode()).hexdigest()


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
        self._decoy_hash: str | None = None

    async def login(self, email: str, password: str) -> Session:
        """A token for valid credentials; one error for a wrong address or password alike."""
        try:
            address = normalise_email(email)
        except DomainError:
            raise DomainError(ErrorCode.INVALID_CREDENTIALS, _BAD_LOGIN) from None
        async with self._db.reading() as uow:
            user = await uow.users.by_email(address)
            hashed = await uow.users.password_hash(user.id) if user else await self._decoy()
        # Verify even for unknown addresses so response time does not reveal accounts.
        if not await self._verify(hashed, password) or user is None:
            raise DomainError(ErrorCode.INVALID_CREDENTIALS, _BAD_LOGIN)
        return Session.of(self._tokens.issue(user.as_actor(), self._clock.now()), user)

    async def authenticate(self, token: str) -> Principal:
        """The principal behind a token; the role is read afresh from the database."""
        try:
            claims = self._tokens.decode(token, self._clock.now())
        except DomainError as rejected:
            return Principal(rejection=rejected)
        async with self._db.reading() as uow:
            user = await uow.users.get(claims.user_id)
        if user is None:
            return Principal(
                rejection=DomainError(ErrorCode.UNAUTHENTICATED, "the account no longer exists")
            )
        return Principal(actor=user.as_actor(), credential=token, expires_at=claims.expires_at)

    async def me(self, principal: Principal) -> PersonView:
        """The signed-in caller's own account."""
        actor = principal.require()
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
            if await recently_mailed(uow, address, _REGISTRATION_MAILS, since):
                seconds = int(self._policy.code_cooldown.total_seconds())
                raise DomainError(
                    ErrorCode.RATE_LIMITED,
                    f"a mail went to this address less than {seconds} seconds ago; "
                    "ask again after that",
                    field="email",
                )
            if await uow.users.by_email(address) is not None:
                mail = mails.already_registered(address)
            else:
                code = f"{secrets.randbelow(1_000_000):06d}"
                await uow.codes.add(
                    email=address,
                    code_hash=_code_hash(address, code),
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
            stored = await uow.codes.latest(address)
            usable = (
                stored is not None
                and not stored.consumed
                and stored.expires_at > self._clock.now()
                and stored.attempts < self._policy.max_code_attempts
            )
            if stored is None or not usable:
                raise DomainError(ErrorCode.INVALID_CODE, _BAD_CODE, field="code")
            if not hmac.compare_digest(stored.code_hash, _code_hash(address, code.strip())):
                await uow.codes.record_attempt(stored.id)
                await uow.commit()
                raise DomainError(ErrorCode.INVALID_CODE, _BAD_CODE, field="code")
            await uow.codes.consume(stored.id)
            user = await uow.users.add(
                email=address,
                name=display_name,
                role=Role.BASIC,
                password_hash=password_hash,
            )
            await uow.commit()
        return Session.of(self._tokens.issue(user.as_actor(), self._clock.now()), user)

    async def create_user(
        self, principal: Principal, *, email: str, name: str, password: str, role: Role
    ) -> PersonView:
        """Admins create accounts directly, with any role."""
        admin = principal.require_admin()
        user = await self.provision(email=email, name=name, password=password, role=role)
        return PersonView.of(user, admin)

    async def provision(self, *, email: str, name: str, password: str, role: Role) -> User:
        """Create an account without a caller: for the CLI and the demo seed only."""
        address = normalise_email(email)
        display_name = clean_name(name)
        check_password_strength(password)
        password_hash = await self._hash(password)
        async with self._db.writing() as uow:
            user = await uow.users.add(
                email=address, name=display_name, role=role, password_hash=password_hash
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

    # Argon2 is slow on purpose; run it in a thread so the event loop keeps serving.
    async def _hash(self, password: str) -> str:
        return await asyncio.to_thread(self._hasher.hash, password)

    async def _verify(self, hashed: str, password: str) -> bool:
        return await asyncio.to_thread(self._hasher.verify, hashed, password)

    async def _decoy(self) -> str:
        if self._decoy_hash is None:
            self._decoy_hash = await self._hash(secrets.token_urlsafe(16))
        return self._decoy_hash
