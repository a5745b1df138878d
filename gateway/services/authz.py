"""Who is asking: the principal every use case receives, and the checks on it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from domain.api_tokens import ApiToken, TokenScope
from domain.errors import DomainError, ErrorCode
from domain.users import Actor, User


@dataclass(frozen=True)
class Principal:
    """The caller: an actor, nobody, or somebody whose credentials were rejected.

    A rejected token does not make the caller anonymous for protected operations: they
    get the precise reason (expired, forged) instead of a generic "sign in".
    `credential` and `expires_at` let a long-lived connection re-check the caller.
    """

    actor: Actor | None = None
    rejection: DomainError | None = None
    credential: str | None = field(default=None, repr=False)
    expires_at: datetime | None = None
    # A sensor's or dashboard's API token: never an actor, so no user operation accepts it.
    api_token: ApiToken | None = None
    # The account as authentication read it for this request or operation (its role and
    # revocation are what was checked), so that `me` need not read it a second time.
    account: User | None = field(default=None, repr=False, compare=False)

    @property
    def is_authenticated(self) -> bool:
        return self.actor is not None

    def require(self) -> Actor:
        if self.actor is not None:
            return self.actor
        if self.rejection is not None:
            raise self.rejection
        raise DomainError(ErrorCode.UNAUTHENTICATED, "sign in first: this needs a valid token")

    def require_admin(self) -> Actor:
        actor = self.require()
        if not actor.is_admin:
            raise DomainError(ErrorCode.FORBIDDEN, "only an admin may do this")
        return actor

    def require_api(self, scope: TokenScope) -> ApiToken:
        """The caller's API token, if it grants `scope`; UNAUTHENTICATED otherwise (the
        Occuspace API answers 401 for both a bad token and a missing scope)."""
        token = self.api_token
        if token is not None and token.allows(scope):
            return token
        if self.rejection is not None:
            raise self.rejection
        raise DomainError(ErrorCode.UNAUTHENTICATED, f"this needs an API token with {scope.value}")

    def require_anonymous(self) -> None:
        if self.actor is not None:
            raise DomainError(
                ErrorCode.ALREADY_AUTHENTICATED, "only signed-out callers may do this"
            )


ANONYMOUS = Principal()
EXPIRED_MESSAGE = "the token has expired; sign in again"  # one wording for every path


def not_found(what: str, key: str, field: str | None = None) -> DomainError:
    return DomainError(ErrorCode.NOT_FOUND, f"no {what} with id {key!r}", field=field)
