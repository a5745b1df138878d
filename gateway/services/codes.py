"""Mailed one-time codes for any purpose: how they are made, sent (rationed) and checked.
Only hashes are stored; a code works once, for its purpose, within its lifetime and its
number of tries."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from domain.errors import DomainError, ErrorCode
from domain.retry import RetryLater
from gateway.services.ports import UnitOfWork
from gateway.services.ration import MailRation, mail_key, queue_mail, recently_mailed
from gateway.services.records import MailKind, OneTimeCode, OutgoingMail

BAD_CODE = "the code is wrong or has expired; ask for a new one"


@dataclass(frozen=True)
class CodePolicy:
    ttl: timedelta = timedelta(minutes=10)
    max_attempts: int = 5
    # A new code brings fresh attempts, so codes for one address are rationed.
    cooldown: timedelta = timedelta(minutes=1)
    mail: MailRation = field(default_factory=MailRation)

    @property
    def minutes(self) -> int:
        return int(self.ttl.total_seconds() // 60)


def new_code() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"


def code_hash(email: str, code: str, bound_to: str | None = None) -> str:
    """What is stored of a code. A code `bound_to` a client address (sign-in codes) only
    matches when given from that address."""
    subject = email if bound_to is None else f"{email}@{bound_to}"
    return hashlib.sha256(f"{subject}:{code}".encode()).hexdigest()


async def in_cooldown(
    uow: UnitOfWork, address: str, kind: MailKind, now: datetime, policy: CodePolicy
) -> bool:
    """Whether a mail rationed with `kind` went to `address` within the cooldown. Takes
    the address's mail lock, so the answer holds until the unit of work ends."""
    await uow.lock(mail_key(address))
    return await recently_mailed(uow, address, kind.rationed_with, now - policy.cooldown)


async def send(uow: UnitOfWork, mail: OutgoingMail, now: datetime, policy: CodePolicy) -> None:
    """Queue a code mail; RATE_LIMITED when the address's daily ration is spent."""
    if await queue_mail(uow, mail, now, policy.mail) is None:
        raise DomainError(
            ErrorCode.RATE_LIMITED,
            "this address has had as many codes as it may get in a day; ask again tomorrow",
        )


def cooling_down(policy: CodePolicy, field: str | None) -> DomainError:
    seconds = int(policy.cooldown.total_seconds())
    return RetryLater(
        ErrorCode.RATE_LIMITED,
        f"a code went to this address less than {seconds} seconds ago; ask again after that",
        field=field,
        retry_after=seconds,
    )


def invalid_code() -> DomainError:
    return DomainError(ErrorCode.INVALID_CODE, BAD_CODE, field="code")


async def redeem(
    uow: UnitOfWork,
    stored: OneTimeCode | None,
    code: str,
    now: datetime,
    policy: CodePolicy,
    *,
    bound_to: str | None = None,
) -> bool:
    """Consume the stored code if `code` matches it and it is still usable. On False a
    wrong try has been counted: the caller (holding the code's lock) commits, then
    answers `invalid_code()`, so a burst of guesses gets `max_attempts` at most."""
    if (
        stored is None
        or stored.consumed
        or stored.expires_at <= now
        or stored.attempts >= policy.max_attempts
    ):
        return False
    if not hmac.compare_digest(stored.code_hash, code_hash(stored.email, code.strip(), bound_to)):
        await uow.codes.record_attempt(stored.id)
        return False
    await uow.codes.consume(stored.id)
    return True
