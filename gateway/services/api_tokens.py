"""API tokens: issued by admins (GraphQL) or the operator (CLI), shown once, revocable."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from domain.api_tokens import (
    TOKEN_PREFIX,
    ApiToken,
    TokenScope,
    check_token_name,
    hash_token,
    looks_like_api_token,
)
from domain.audit import SYSTEM_ACTOR, AuditActor, AuditEntity
from domain.errors import DomainError, ErrorCode
from domain.users import Actor
from gateway.services import audit
from gateway.services.audit_snapshots import token_fields
from gateway.services.authz import Principal, not_found
from gateway.services.ports import Clock, Database

_UNKNOWN = "the API token is unknown"
_REVOKED = "the API token was revoked"


@dataclass(frozen=True)
class IssuedApiToken:
    """A new token and its secret, which is never available again."""

    token: ApiToken
    secret: str


class ApiTokens:
    """Admins issue, list and revoke tokens; `issue_as_operator` and friends serve the CLI
    (whoever runs it holds the database already). `authenticate` turns a presented token
    into a principal without an actor, so it opens no user operation."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def create(
        self,
        principal: Principal,
        *,
        name: str,
        location_id: int | None,
        scopes: frozenset[TokenScope],
    ) -> IssuedApiToken:
        actor = principal.require_admin()
        return await self._issue(name, location_id, scopes, actor)

    async def tokens(self, principal: Principal) -> list[ApiToken]:
        principal.require_admin()
        return await self.list_as_operator()

    async def revoke(self, principal: Principal, token_id: int) -> ApiToken:
        actor = principal.require_admin()
        return await self._revoke(token_id, actor)

    async def issue_as_operator(
        self, *, name: str, location_id: int | None, scopes: frozenset[TokenScope]
    ) -> IssuedApiToken:
        return await self._issue(name, location_id, scopes, SYSTEM_ACTOR)

    async def list_as_operator(self) -> list[ApiToken]:
        async with self._db.reading() as uow:
            return await uow.api_tokens.list()

    async def revoke_as_operator(self, token_id: int) -> ApiToken:
        return await self._revoke(token_id, SYSTEM_ACTOR)

    async def _revoke(self, token_id: int, by: Actor | AuditActor) -> ApiToken:
        async with self._db.writing() as uow:
            now = self._clock.now()
            token = await uow.api_tokens.revoke(token_id, now)
            if token is None:
                raise not_found("API token", str(token_id), "id")
            if token.revoked_at == now:  # revoked now, not already before
                await audit.record(
                    uow,
                    by,
                    AuditEntity.API_TOKEN,
                    token.id,
                    "revoked",
                    at=now,
                    before={**token_fields(token), "revoked_at": None},
                    after=token_fields(token),
                )
            await uow.commit()
        return token

    async def authenticate(self, secret: str) -> Principal:
        """The principal of a presented API token; a rejection for unknown or revoked ones
        (their reasons differ, as for user tokens: a revoked token is not a typo)."""
        if not looks_like_api_token(secret):
            return Principal(rejection=DomainError(ErrorCode.UNAUTHENTICATED, _UNKNOWN))
        async with self._db.reading() as uow:
            token = await uow.api_tokens.by_hash(hash_token(secret))
        if token is None:
            return Principal(rejection=DomainError(ErrorCode.UNAUTHENTICATED, _UNKNOWN))
        if token.is_revoked:
            return Principal(rejection=DomainError(ErrorCode.UNAUTHENTICATED, _REVOKED))
        return Principal(api_token=token, credential=secret)

    async def _issue(
        self,
        name: str,
        location_id: int | None,
        scopes: frozenset[TokenScope],
        by: Actor | AuditActor,
    ) -> IssuedApiToken:
        label = check_token_name(name)
        if not scopes:
            raise DomainError(ErrorCode.INVALID_INPUT, "a token needs a scope", field="scopes")
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        async with self._db.writing() as uow:
            if location_id is not None and await uow.locations.get(location_id) is None:
                raise not_found("location", str(location_id), "location")
            token = await uow.api_tokens.add(
                name=label,
                token_hash=hash_token(secret),
                location_id=location_id,
                scopes=scopes,
                created_at=self._clock.now(),
                created_by=by.user_id if isinstance(by, Actor) else None,
            )
            await audit.record(
                uow,
                by,
                AuditEntity.API_TOKEN,
                token.id,
                "created",
                at=token.created_at,
                after=token_fields(token),
            )
            await uow.commit()
        return IssuedApiToken(token, secret)
