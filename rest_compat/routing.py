"""Declared legacy endpoints, and the Starlette routes that serve them.

An endpoint is declared once (method, path, guard, request and response models) and that
declaration both serves it and documents it (`rest_compat.openapi`). Serving a request:
check the guard, parse the body, call the handler (which calls a use case and renders
the API's envelope); a DomainError is rendered by the API's error table.
"""

from __future__ import annotations

import contextlib
import inspect
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match, Route
from starlette.types import Scope

from domain.errors import DomainError, invalid
from domain.input_scan import InputLimits, scan
from gateway.services.application import Application
from gateway.services.authz import ANONYMOUS, Principal
from rest_compat import json_input
from rest_compat.retry import with_retry_after

log = logging.getLogger(__name__)
# Methods that change nothing; every other one spends a token of the write limits.
_READS = frozenset({"GET", "HEAD", "OPTIONS"})

BodyT = TypeVar("BodyT")


@dataclass(frozen=True)
class Guard:
    """Who may call an endpoint. Checked before the body is parsed, as the legacy
    middlewares did, so an anonymous caller with a malformed body still gets the 401.
    `check` raises the DomainError the API's error table renders; `signed_in` says
    whether the OpenAPI operation requires the API's security schemes."""

    name: str
    check: Callable[[Principal], object]
    signed_in: bool
    description: str


def _anyone(_principal: Principal) -> None:
    return None


OPEN = Guard("open", _anyone, signed_in=False, description="Anyone may call this.")
SIGNED_OUT = Guard(
    "signed-out",
    Principal.require_anonymous,
    signed_in=False,
    description="Only callers without a valid token; a rejected token counts as none.",
)
SIGNED_IN = Guard("signed-in", Principal.require, signed_in=True, description="A valid token.")
ADMIN = Guard("admin", Principal.require_admin, signed_in=True, description="An admin's token.")


@dataclass(frozen=True)
class Reply:
    """One documented response: its body's model (anything pydantic's TypeAdapter takes)
    and named examples."""

    model: Any
    description: str
    examples: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Call(Generic[BodyT]):
    """What a handler gets: the application bundle, the caller and the parsed body."""

    app: Application
    request: Request
    principal: Principal
    body: BodyT


Handler = Callable[[Call[Any]], Awaitable[Response]]


@dataclass(frozen=True)
class Endpoint:
    """A legacy endpoint. `path` is relative to its API's prefix, in Starlette syntax;
    the handler's docstring becomes the operation's description."""

    method: str
    path: str
    handler: Handler
    summary: str
    responses: Mapping[int, Reply]
    guard: Guard = OPEN
    tags: tuple[str, ...] = ()
    request: type[BaseModel] | None = None
    # The original's "JSON-else-query" handlers: without a JSON body (none, or not JSON)
    # the handler gets None and reads the query string; a JSON body is still checked.
    body_optional: bool = False

    def __post_init__(self) -> None:
        # OpenAPI requires a documented response; an undocumented endpoint is a slip.
        if not self.responses:
            raise ValueError(f"{self.method} {self.path} documents no response")
        if self.method != self.method.upper() or not self.path.startswith("/"):
            raise ValueError(f"{self.method} {self.path}: an upper-case method and a /path")

    @property
    def operation_id(self) -> str:
        return self.handler.__name__

    @property
    def description(self) -> str:
        return inspect.getdoc(self.handler) or ""


@dataclass(frozen=True)
class Api:
    """One legacy API: where it is mounted, its endpoints, and how it renders failures."""

    name: str
    description: str
    prefix: str
    endpoints: Sequence[Endpoint]
    failure: Callable[[DomainError], Response]
    internal_error: Callable[[], Response]
    security_schemes: Mapping[str, Mapping[str, object]] = field(default_factory=dict)
    # The 400 that the edge check of every input (`_check_input`) may answer: documented
    # on each operation that takes a path parameter or a body and does not list its own.
    bad_input: Reply | None = None


def principal_of(request: Request) -> Principal:
    """The caller that gateway.auth put on the scope; nobody if it is missing."""
    found = request.scope.get("auth")
    return found if isinstance(found, Principal) else ANONYMOUS


class LegacyRoute(Route):
    """A legacy path. A method it does not serve is an unknown route (404), as in Gin
    and Express, instead of Starlette's 405."""

    def __init__(self, path: str, served: Mapping[str, tuple[Api, Endpoint]], app: Application):
        self.served = dict(served)
        super().__init__(path, _dispatcher(app, self.served), methods=list(self.served))

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        match, child_scope = super().matches(scope)
        return (Match.NONE, {}) if match is Match.PARTIAL else (match, child_scope)


def build_routes(apis: Sequence[Api], app: Application) -> list[LegacyRoute]:
    """One route per full path; a method declared twice on a path is a programming error."""
    by_path: dict[str, dict[str, tuple[Api, Endpoint]]] = {}
    for api in apis:
        for endpoint in api.endpoints:
            served = by_path.setdefault(api.prefix + endpoint.path, {})
            if endpoint.method in served:
                raise ValueError(f"{endpoint.method} {api.prefix}{endpoint.path} declared twice")
            served[endpoint.method] = (api, endpoint)
    return [LegacyRoute(path, served, app) for path, served in by_path.items()]


def _dispatcher(
    app: Application, served: Mapping[str, tuple[Api, Endpoint]]
) -> Callable[[Request], Awaitable[Response]]:
    async def dispatch(request: Request) -> Response:
        # Starlette answers HEAD wherever GET is served; so did Express.
        api, endpoint = served["GET" if request.method == "HEAD" else request.method]
        return await _serve(app, api, endpoint, request)

    return dispatch


async def _serve(app: Application, api: Api, endpoint: Endpoint, request: Request) -> Response:
    principal = principal_of(request)
    try:
        endpoint.guard.check(principal)
        if request.method not in _READS:
            client = request.scope.get("client")
            await app.write_limits.admit_write(principal, str(client[0]) if client else None)
        body = await _parse(endpoint.request, request, optional=endpoint.body_optional)
        _check_input(request, body, app.input_limits)
        return await endpoint.handler(Call(app, request, principal, body))
    except DomainError as error:
        return with_retry_after(error, api.failure(error))
    except HTTPException:
        raise
    except Exception:  # masked as the API's 500 envelope; the details go to the log
        log.exception("%s %s failed", request.method, request.url.path)
        return api.internal_error()


async def _parse(
    model: type[BaseModel] | None, request: Request, *, optional: bool = False
) -> BaseModel | None:
    if model is None:
        return None
    raw = await request.body()
    if optional and not _is_json(raw):
        return None
    try:
        return model.model_validate_json(raw)
    except ValidationError as error:
        first = error.errors()[0]
        if first["type"] == "json_invalid":
            # Python's parser reads lone surrogates that pydantic's refuses: if that is
            # why, the refusal naming the field (any other JSON error stays as it was).
            with contextlib.suppress(ValueError):
                json_input.loads(raw)
        where = ".".join(str(part) for part in first["loc"])
        raise invalid(_parse_message(first["type"], where, first["msg"]), where or None) from None


def _check_input(request: Request, body: BaseModel | None, limits: InputLimits) -> None:
    """The edge check of `domain.input_scan` on everything a handler may read: path and
    query parameters and the parsed body (a NUL or an overlong string never reaches a
    use case)."""
    values: dict[str, object] = dict(request.path_params)
    for key in request.query_params:
        given = request.query_params.getlist(key)
        values[key] = given[0] if len(given) == 1 else given
    refusal = scan(values, limits)
    if refusal is None and body is not None:
        refusal = scan(body.model_dump(by_alias=True), limits)
    if refusal is not None:
        raise refusal


def _parse_message(kind: str, where: str, text: str) -> str:
    """The message names the field (the legacy envelopes carry no field of their own),
    in the Occupi docs' words for a missing field and a body that is not JSON."""
    if kind == "json_invalid":
        return "Invalid JSON payload"
    if kind == "missing":
        return f"missing field required: {where}"
    return f"{where}: {text}" if where else text


def _is_json(raw: bytes) -> bool:
    try:
        json_input.loads(raw)
    except ValueError:
        return False
    return True
