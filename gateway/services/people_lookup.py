"""People named by e-mail address, as the Occupi REST API names them.

The original let any signed-in caller name anybody's address and act on it (§2.5 of the
behaviour notes). Here the address is resolved under the same rule as every other use
case: a basic user may name only themselves.
"""

from __future__ import annotations

from collections.abc import Sequence

from domain.errors import DomainError, ErrorCode, invalid
from domain.users import Actor, normalise_email
from gateway.services.authz import Principal
from gateway.services.ports import Database
from gateway.services.views import PersonView

MAX_PEOPLE = 100


def _refused(field: str) -> DomainError:
    return DomainError(
        ErrorCode.FORBIDDEN, "only an admin may name another person's e-mail address", field=field
    )


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
        address = None if email is None or not email.strip() else normalise_email(email, field)
        if address is None or address == actor.email:
            return await self._self(actor)
        if not actor.is_admin:
            raise _refused(field)
        async with self._db.reading() as uow:
            user = await uow.users.by_email(address)
        if user is None:
            raise _unknown(address, field)
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
        address = None if email is None or not email.strip() else normalise_email(email, field)
        if address is not None and address != actor.email:
            raise DomainError(
                ErrorCode.FORBIDDEN,
                "only the person themselves may change these settings, admins included",
                field=field,
            )
        return await self._self(actor)

    async def _self(self, actor: Actor) -> PersonView:
        async with self._db.reading() as uow:
            user = await uow.users.get(actor.user_id)
        if user is None:
            raise DomainError(ErrorCode.UNAUTHENTICATED, "the account no longer exists")
        return PersonView.of(user, actor)
