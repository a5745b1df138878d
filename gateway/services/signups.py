"""Registration the legacy way (Occupi's /auth/register, then /auth/verify-otp): the
password is chosen first and the mailed code completes the account with it.

Only the password's hash is kept while the code is out (`PendingRegistration`). While one
registration of an address waits for its code, another cannot replace it, so a code only
ever completes the registration it was mailed for, with that registration's password.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.audit import ANONYMOUS_ACTOR, AuditEntity
from domain.errors import DomainError, ErrorCode
from domain.logins import CodePurpose
from domain.notifications import MAX_PUSH_TOKENS, check_push_token
from domain.profiles import Profile
from domain.retry import RetryLater, whole_seconds
from domain.users import MAX_NAME_LENGTH, Role, check_password_strength, clean_name, normalise_email
from gateway.services import audit, codes
from gateway.services.accounts import Accounts
from gateway.services.audit_snapshots import user_fields
from gateway.services.codes import CodePolicy
from gateway.services.people import store_new_profile
from gateway.services.ports import Clock, Database, PasswordHasher
from gateway.services.records import PendingRegistration


@dataclass(frozen=True)
class ResendPolicy:
    """One code resend per client address per `interval` (Occupi's OTP rate limit)."""

    interval: timedelta = timedelta(seconds=60)


class ClientRation:
    """At most one call per client address per interval, in this process (the original
    kept it in memory too). Unknown clients share one allowance."""

    def __init__(self, clock: Clock, interval: timedelta) -> None:
        self._clock = clock
        self._interval = interval
        self._last: dict[str, datetime] = {}

    def take(self, client: str | None) -> None:
        """Use the client's allowance, or RATE_LIMITED when it was used too recently."""
        now = self._clock.now()
        since = now - self._interval
        # Forget old entries so the map holds only the clients of the last interval.
        self._last = {c: at for c, at in self._last.items() if at > since}
        key = client or ""
        if key in self._last:
            wait = whole_seconds((self._last[key] + self._interval - now).total_seconds())
            raise RetryLater(
                ErrorCode.RATE_LIMITED, "too many requests; try again in a minute", retry_after=wait
            )
        self._last[key] = now


def _default_name(address: str) -> str:
    """Legacy registration asks for no name: the address's local part stands in."""
    return clean_name(address.split("@", 1)[0][:MAX_NAME_LENGTH])


class Signups:
    """Anybody may start a registration, resend its code or complete it; the answer to
    starting and resending is the same whether or not the address has an account (one
    with an account is mailed that it has one)."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        hasher: PasswordHasher,
        accounts: Accounts,
        codes_policy: CodePolicy,
        resend: ResendPolicy | None = None,
    ) -> None:
        self._db = db
        self._clock = clock
        self._hasher = hasher
        self._accounts = accounts
        self._codes = codes_policy
        self._resends = ClientRation(clock, (resend or ResendPolicy()).interval)

    async def start(self, email: str, password: str, *, push_token: str | None = None) -> None:
        """Keep the hashed password (and push device) and mail a registration code.
        RATE_LIMITED while an earlier registration of the address waits for its code."""
        address = normalise_email(email)
        check_password_strength(password)
        device = check_push_token(push_token, "expoPushToken") if push_token else None
        password_hash = await asyncio.to_thread(self._hasher.hash, password)
        async with self._db.writing() as uow:
            await uow.lock(f"signup:{address}")
            now = self._clock.now()
            if await uow.users.by_email(address) is None:
                waiting = await uow.pending_registrations.get(address)
                if waiting is not None and waiting.expires_at > now:
                    raise DomainError(
                        ErrorCode.RATE_LIMITED,
                        "a registration of this address is waiting for its code: verify it, "
                        "ask for the code again, or register again once it expires",
                        field="email",
                    )
                expires = now + self._codes.ttl
                await uow.pending_registrations.put(
                    PendingRegistration(address, password_hash, device, now, expires)
                )
                await uow.commit()
        await self._accounts.request_registration_code(address)

    async def resend(self, email: str, *, client: str | None) -> None:
        """A fresh code for a waiting registration, which then waits as long as the code
        lasts; one call per client address a minute (RATE_LIMITED), whatever the address."""
        self._resends.take(client)
        address = normalise_email(email)
        async with self._db.writing() as uow:
            await uow.lock(f"signup:{address}")
            now = self._clock.now()
            waiting = await uow.pending_registrations.get(address)
            if waiting is None or waiting.expires_at <= now:
                return
            await uow.pending_registrations.put(
                PendingRegistration(
                    address,
                    waiting.password_hash,
                    waiting.push_token,
                    waiting.created_at,
                    now + self._codes.ttl,
                )
            )
            await uow.commit()
        await self._accounts.request_registration_code(address)

    async def complete(self, email: str, code: str) -> None:
        """Create the basic account of a waiting registration from its mailed code, with
        the password given when it started; the code works once, within its tries."""
        address = normalise_email(email)
        async with self._db.writing() as uow:
            await uow.lock(f"signup:{address}", f"codes:{address}")
            now = self._clock.now()
            waiting = await uow.pending_registrations.get(address)
            stored = await uow.codes.latest(address, CodePurpose.REGISTRATION)
            if waiting is None or waiting.expires_at <= now:
                raise codes.invalid_code()
            if not await codes.redeem(uow, stored, code, now, self._codes):
                await uow.commit()
                raise codes.invalid_code()
            user = await uow.users.add(
                email=address,
                name=_default_name(address),
                role=Role.BASIC,
                password_hash=waiting.password_hash,
            )
            await store_new_profile(uow, user.id, Profile(), now)
            if waiting.push_token is not None:
                await uow.notifications.add_push_token(
                    user.id, waiting.push_token, now, MAX_PUSH_TOKENS
                )
            await uow.pending_registrations.remove(address)
            await audit.record(
                uow,
                ANONYMOUS_ACTOR,
                AuditEntity.USER,
                user.id,
                "registered",
                at=now,
                after=user_fields(user),
            )
            await uow.commit()

    async def is_registered(self, email: str) -> bool:
        """Whether the address has an account: registering verifies it, so every account
        is a verified one."""
        address = normalise_email(email)
        async with self._db.reading() as uow:
            return await uow.users.by_email(address) is not None
