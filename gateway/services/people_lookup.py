"""People named by e-mail address, as the Occupi REST API names them.

The original let any signed-in caller name anybody's address and act on it (§2.5 of the
behaviour notes). Here the address is resolved under the same rule as every other use
case: a basic user may name only themselves.
"""

from __future__ import annotations

from collections.abc import Sequence

from domain.errors import DomainError, ErrorCode, invalid
from domain.users import Actor, User, normalise_email
from gateway.services.authz import Principal
from gateway.services.ports import Database, UnitOfWork
from gateway.services.views import PersonView

MAX_PEOPLE = 100
NOT_YOURS = "only an admin may name another person's e-mail address"
ONLY_YOURS = "only the person themselves may do this, admins included"


def _refused(field: str) -> DomainError:
    return DomainError(ErrorCode.FORBIDDEN, NOT_YOURS, field=field)


def _address(email: str | None, field: str) -> str | None:
    """The address a request names, normalised; None when it names none."""
    return None if email is None or not email.strip() else normalise_email(email, field)


async def named_user(uow: UnitOfWork, actor: Actor, email: str | None, field: str) -> User:
    """The one rule for a person named by address: no address, or the caller's own, is
    the caller; another is FORBIDDEN for a basic user before anything is looked up (so a
    refusal tells nothing about the address); an admin gets the person, or NOT_FOUND."""
    address = _address(email, field)
    if address is None or address == actor.email:
        user = await uow.users.get(actor.user_id)
        if user is None:
            raise DomainError(ErrorCode.UNAUTHENTICATED, "the account no longer exists")
        return user
    if not actor.is_admin:
        raise _refused(field)
    found = await uow.users.by_email(address)
    if found is None:
        raise _unknown(address, field)
    return found


def require_own(actor: Actor, email: str | None, field: str) -> None:
    """For what one only ever does as oneself (one's password, MFA, booking, checking
    in): an address a request gives must be the caller's own, admins included."""
    address = _address(email, field)
    if address is not None and address != actor.email:
        raise DomainError(ErrorCode.FORBIDDEN, ONLY_YOURS, field=field)


def _unknown(address: str, field: str) -> DomainError:
    return DomainError(ErrorCode.NOT_FOUND, f"no user has the address {address}", field=field)


class PeopleLookup:
    """Turns the e-mail addresses a client names into people the caller may act on.

    - `person`: no address, or the caller's own, is the caller; another address is
      FORBIDDEN for a basic user, before anything is looked up, so a refusal tells
      nothing about whether the address has an account; an admin gets the person, or
      NOT_FOUND when nobody has the address.
    - `people`: admins only; every address must have an account (NOT_FOUND names the
      first that has none), duplicates are dropped, the order is kept.
    - `own`: operations that only ever act on the caller (their password, their MFA):
      any other address is FORBIDDEN, for admins too.
    Every answer is a PersonView with the address and role visible (the caller's own, or
    an admin's view).
    """

    def __init__(self, db: Database) -> None:
        self._db = db

    async def person(
        self, principal: Principal, email: str | None, field: str = "email"
    ) -> PersonView:
        actor = principal.require()
        _address(email, field)  # a malformed address is INVALID_INPUT before any read
        async with self._db.reading() as uow:
            user = await named_user(uow, actor, email, field)
        return PersonView.of(user, actor)

    async def people(
        self, principal: Principal, emails: Sequence[str], field: str = "emails"
    ) -> list[PersonView]:
        admin = principal.require_admin()
        if not emails:
            raise invalid("list at least one e-mail address", field)
        if len(emails) > MAX_PEOPLE:
            raise invalid(f"list at most {MAX_PEOPLE} e-mail addresses", field)
        addresses = list(
            dict.fromkeys(normalise_email(e, f"{field}[{i}]") for i, e in enumerate(emails))
        )
        async with self._db.reading() as uow:
            found = await uow.users.by_emails(addresses)
        missing = [a for a in addresses if a not in found]
        if missing:
            raise _unknown(missing[0], field)
        return [PersonView.of(found[a], admin) for a in addresses]

    async def own(
        self, principal: Principal, email: str | None, field: str = "email"
    ) -> PersonView:
        actor = principal.require()
        require_own(actor, email, field)
        return await self.person(principal, None, field)
