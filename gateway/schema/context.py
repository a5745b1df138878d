"""Per-request context: the caller, the use cases, and fresh DataLoaders."""

from __future__ import annotations

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


@dataclass
class Context:
    request: Request | WebSocket
    response: Response | None
    principal: Principal
    services: Services
    cookies: CookiePolicy
    connection_params: dict[str, object] | None = None
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        self.loaders = Loaders(self.services.reader)

    @property
    def actor(self) -> Actor:
        return self.principal.require()


Info = StrawberryInfo[Context, None]
