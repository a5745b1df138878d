"""The request context, and the per-operation scope: the caller and fresh DataLoaders."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from contextvars import ContextVar
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.extensions import SchemaExtension
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

    @property
    def principal(self) -> Principal:
        return self._scope().principal

    @property
    def loaders(self) -> Loaders:
        return self._scope().loaders

    @property
    def actor(self) -> Actor:
        return self.principal.require()

    @staticmethod
    def _scope() -> OperationScope:
        scope = _operation.get()
        assert scope is not None, "resolvers run inside an operation started by PerOperation"
        return scope


class PerOperation(SchemaExtension):
    """Fresh DataLoaders (and, on a WebSocket, a fresh look at the token) per operation."""

    async def on_operation(self) -> AsyncIterator[None]:
        context: Context = self.execution_context.context
        principal = context.connection_principal
        if isinstance(context.request, WebSocket) and context.credential is not None:
            principal = await context.services.accounts.authenticate(context.credential)
        token = _operation.set(OperationScope(principal, Loaders(context.services.reader)))
        try:
            yield
        finally:
            # A subscription may be closed from another context; its task ends with it.
            with contextlib.suppress(ValueError):
                _operation.reset(token)


Info = StrawberryInfo[Context, None]
