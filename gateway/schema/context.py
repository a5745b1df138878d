"""Per-request context: the caller, the use cases, and fresh DataLoaders."""

from __future__ import annotations

import contextlib
from contextvars import ContextVar, Token
from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.types import Info as StrawberryInfo

from domain.users import Actor
from gateway.schema.loaders import Loaders
from gateway.services.accounts import Accounts
from gateway.services.authz import Principal
from gateway.services.bookings import Bookings
from gateway.services.directory import Directory
from gateway.services.ports import BatchReader, Clock, EventStream


@dataclass(frozen=True)
class Services:
    """Everything resolvers may call; built once by gateway.app."""

    accounts: Accounts
    bookings: Bookings
    directory: Directory
    reader: BatchReader
    clock: Clock
    live: EventStream


@dataclass(frozen=True)
class CookiePolicy:
    secure: bool = False
    name: str = "token"


@dataclass(frozen=True)
class OperationScope:
    """What belongs to one operation: its caller and its DataLoaders."""

    principal: Principal
    loaders: Loaders


_operation: ContextVar[OperationScope | None] = ContextVar("occupi_operation", default=None)


@dataclass
class Context:
    """One per HTTP request, and one per WebSocket connection (Strawberry's choice).

    `principal` and `loaders` belong to the operation being run, so the operations of a
    long-lived socket never share a cache or keep a role the database has since changed.
    """

    request: Request | WebSocket
    response: Response | None
    connection_principal: Principal
    services: Services
    cookies: CookiePolicy
    credential: str | None = None
    connection_params: dict[str, object] | None = None
    _fallback: OperationScope | None = field(default=None, init=False, repr=False)

    @property
    def principal(self) -> Principal:
        return self._scope().principal

    @property
    def loaders(self) -> Loaders:
        return self._scope().loaders

    @property
    def actor(self) -> Actor:
        return self.principal.require()

    async def begin_operation(self) -> Token[OperationScope | None]:
        """Called by the PerOperation extension before each operation runs."""
        principal = self.connection_principal
        if isinstance(self.request, WebSocket) and self.credential is not None:
            principal = await self.services.accounts.authenticate(self.credential)
        return _operation.set(OperationScope(principal, Loaders(self.services.reader)))

    def _scope(self) -> OperationScope:
        scope = _operation.get()
        if scope is None:  # only outside an operation, e.g. while a socket connects
            if self._fallback is None:
                self._fallback = OperationScope(
                    self.connection_principal, Loaders(self.services.reader)
                )
            scope = self._fallback
        return scope


def end_operation(token: Token[OperationScope | None]) -> None:
    # A subscription may be closed from another context; the task ends with it anyway.
    with contextlib.suppress(ValueError):
        _operation.reset(token)


Info = StrawberryInfo[Context, None]
