"""Who is asking: the principal every use case receives, and the checks on it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from domain.errors import DomainError, ErrorCode
from domain.users import Actor


@dataclass(frozen=True)
class Principal:
    """The caller: an actor, nobody, or somebody whose credentials were rejected.

    A rejected token does not make the caller anonymous for protected operations: they
    get the precise reason (expired, forged) instead of a generic "sign in".
    """

    actor: Actor | None = None
    rejection: DomainError | None = None

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

    def require_anonymous(self) -> None:
        if self.actor is not None:
            raise DomainError(
                ErrorCode.ALREADY_AUTHENTICATED, "only signed-out callers may do this"
            )


ANONYMOUS = Principal()
PRINCIPAL_SCOPE_KEY = "occupi.principal"
CREDENTIAL_SCOPE_KEY = "occupi.credential"


def strip_bearer(credential: str) -> str:
    """`Bearer <jwt>` or a raw `<jwt>`: the legacy clients send both."""
    scheme, _, rest = credential.strip().partition(" ")
    return rest.strip() if scheme.lower() == "bearer" and rest.strip() else credential.strip()


def credential_in(scope: Mapping[str, Any]) -> str | None:
    """The token the request presented, for re-checking it on a long-lived WebSocket."""
    credential = scope.get(CREDENTIAL_SCOPE_KEY)
    return credential if isinstance(credential, str) else None


def principal_in(scope: Mapping[str, Any]) -> Principal:
    """The principal the authentication middleware put on an ASGI scope."""
    principal = scope.get(PRINCIPAL_SCOPE_KEY, ANONYMOUS)
    return principal if isinstance(principal, Principal) else ANONYMOUS


def not_found(what: str, key: str, field: str | None = None) -> DomainError:
    return DomainError(ErrorCode.NOT_FOUND, f"no {what} with id {key!r}", field=field)
