"""What sign-in asks of the address rules: `login_gate` before a session is issued and,
once sign-in succeeds, `remember_confirmed`. Accounts.login (and the completion of a
mailed-code sign-in) call them inside their own unit of work."""

from __future__ import annotations

from datetime import datetime

from domain.addresses import Verdict, login_verdict, normalise_address
from domain.errors import DomainError, ErrorCode
from domain.users import User
from gateway.services.ports import UnitOfWork


def address_key(user_id: int) -> str:
    """The lock that serialises changes to one user's remembered addresses."""
    return f"addresses:{user_id}"


def canonical_client(client: str | None) -> str | None:
    """The client address in canonical form; None when unknown or unreadable (a test
    client's `testclient`, a Unix socket)."""
    if client is None:
        return None
    try:
        return normalise_address(client)
    except DomainError:
        return None


async def login_gate(uow: UnitOfWork, user: User, client: str | None) -> Verdict:
    """What the address rules say of `user` signing in from `client` (the resolved
    client address, None: unknown); see domain.addresses.login_verdict. For
    Accounts.login, inside its unit of work, after the password has been checked."""
    rules = await uow.addresses.rules(user.id)
    return login_verdict(rules, canonical_client(client))


async def remember_confirmed(
    uow: UnitOfWork, user: User, client: str | None, now: datetime
) -> None:
    """After a successful sign-in (allowed, or confirmed with the mailed code): `client`
    becomes, or stays, a confirmed address of the user. Nothing for an unknown client.
    Inside a writing unit of work, which the caller commits."""
    address = canonical_client(client)
    if address is None:
        return
    await uow.lock(address_key(user.id))
    await uow.addresses.remember(user.id, address, now)


def refusal(verdict: Verdict) -> DomainError:
    """The error a refused sign-in answers with."""
    return DomainError(ErrorCode.FORBIDDEN, verdict.reason)
