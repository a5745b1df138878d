"""Occupi's sign-in routes over the accounts' sign-in: the same rules (throttling, IP
rules, mailed codes), plus the admin routes' check of the stored role."""

from __future__ import annotations

from domain.errors import DomainError, ErrorCode
from domain.users import Role
from gateway.services.accounts import Accounts, Session


class NotAnAdmin(DomainError):
    """An admin route was used by an account whose stored role is not admin. Raised only
    after the password or code was found right, so it tells nothing to a guesser."""

    def __init__(self) -> None:
        super().__init__(ErrorCode.FORBIDDEN, "Only admins can access this route")


class SignIns:
    """Anybody may sign in; `admin=True` (the admin routes) refuses a session for anybody
    whose stored role is not admin, whichever step would issue it. The token is the same
    either way: every request reads the role afresh."""

    def __init__(self, accounts: Accounts) -> None:
        self._accounts = accounts

    async def login(self, email: str, password: str, *, client: str | None, admin: bool) -> Session:
        """`Accounts.login`; may raise LoginChallenged (a code was mailed)."""
        session = await self._accounts.login(email, password, client=client)
        return _for_route(session, admin=admin)

    async def complete(self, email: str, code: str, *, client: str | None, admin: bool) -> Session:
        """`Accounts.complete_login`: a challenged sign-in finished with its code."""
        session = await self._accounts.complete_login(email, code, client=client)
        return _for_route(session, admin=admin)


def _for_route(session: Session, *, admin: bool) -> Session:
    if admin and session.user.role is not Role.ADMIN:
        raise NotAnAdmin()
    return session
