"""The request context, and the per-operation scope: the caller and fresh DataLoaders."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.extensions import FieldExtension, SchemaExtension
from strawberry.extensions.field_extension import AsyncExtensionResolver, SyncExtensionResolver
from strawberry.types import Info as StrawberryInfo

from domain.users import Actor
from gateway.schema.loaders import Loaders
from gateway.services.application import Application
from gateway.services.authz import ANONYMOUS, Principal


def principal_of(connection: Request | WebSocket) -> Principal:
    """The principal the authentication middleware put on the connection."""
    found = connection.scope.get("auth")
    return found if isinstance(found, Principal) else ANONYMOUS


def client_address(connection: Request | WebSocket) -> str | None:
    """The client's address, which sign-in throttling and the IP rules see: the peer,
    or the client a trusted proxy forwarded for (gateway.auth.proxies resolved it)."""
    client = connection.scope.get("client")
    return str(client[0]) if client else None


@dataclass(frozen=True)
class CookiePolicy:
    secure: bool = False
    name: str = "token"


class OperationScope:
    """What belongs to one operation: its caller and its DataLoaders.

    The loaders are built when a resolver first asks for them (`{ __typename }` or `me`
    never does), and dropped before each mutation field (see FreshLoaders): the fields of
    a mutation run one after another, and each must read what the earlier ones wrote.
    """

    __slots__ = ("_app", "_loaders", "principal")

    def __init__(self, principal: Principal, app: Application) -> None:
        self.principal = principal
        self._app = app
        self._loaders: Loaders | None = None

    @property
    def loaders(self) -> Loaders:
        if self._loaders is None:
            self._loaders = Loaders(self._app.reads, self.principal, self._app.presence)
        return self._loaders

    def renew(self) -> None:
        self._loaders = None


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
    app: Application
    cookies: CookiePolicy
    connection_params: dict[str, object] | None = None

    @property
    def principal(self) -> Principal:
        return self._scope().principal

    @property
    def loaders(self) -> Loaders:
        return self._scope().loaders

    @property
    def client(self) -> str | None:
        return client_address(self.request)

    @property
    def actor(self) -> Actor:
        return self.principal.require()

    def renew_loaders(self) -> None:
        """Drop every cached read of this operation; later loads go to the database."""
        self._scope().renew()

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
        credential = principal.credential
        if isinstance(context.request, WebSocket) and credential is not None:
            principal = await context.app.authenticate(credential)
        token = _operation.set(OperationScope(principal, context.app))
        try:
            yield
        finally:
            # A subscription may be closed from another context; its task ends with it.
            with contextlib.suppress(ValueError):
                _operation.reset(token)


Info = StrawberryInfo[Context, None]


class FreshLoaders(FieldExtension):
    """On a mutation field: fresh DataLoaders before it runs. Only mutation fields carry
    it; the fields of a query never change data, so they keep sharing one cache."""

    def resolve(self, next_: SyncExtensionResolver, source: Any, info: Info, **kwargs: Any) -> Any:
        info.context.renew_loaders()
        return next_(source, info, **kwargs)

    async def resolve_async(
        self, next_: AsyncExtensionResolver, source: Any, info: Info, **kwargs: Any
    ) -> Any:
        info.context.renew_loaders()
        return await next_(source, info, **kwargs)
