"""The schema object and the ASGI GraphQL app that serves it over HTTP and WebSocket."""

from __future__ import annotations

import json
from collections.abc import Callable, Collection
from datetime import timedelta
from functools import partial
from typing import Any

import strawberry
from cross_web import HTTPException
from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.extensions import AddValidationRules, DisableIntrospection, SchemaExtension
from strawberry.http import GraphQLHTTPResponse
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL
from strawberry.types import ExecutionContext
from strawberry.types.unset import UnsetType

from gateway.schema.context import Context, CookiePolicy, PerOperation, principal_of
from gateway.schema.errors import ErrorPolicy
from gateway.schema.extension_runner import LeanExtensionsRunner
from gateway.schema.input_rules import InputRules
from gateway.schema.lean_fields import lean_resolvers
from gateway.schema.limits import GraphQLLimits
from gateway.schema.limits_gate import (
    LimitsGate,
    TimedSchema,
    directive_limit,
)
from gateway.schema.limits_http import GraphQLOverHTTP
from gateway.schema.limits_persisted import PersistedDocuments
from gateway.schema.limits_subscriptions import SubscriptionCaps
from gateway.schema.mutations import Mutation
from gateway.schema.perf_core import (
    DEFAULT_DOCUMENT_CACHE,
    MAX_ALIASES,
    MAX_DEPTH,
    MAX_TOKENS,
    document_extensions,
    dumps,
    loads,
)
from gateway.schema.queries import Query
from gateway.schema.shared_live import SharedLive, live_plan
from gateway.schema.subscriptions import Subscription
from gateway.schema.time_scalars import BOUNDED_SCALARS
from gateway.schema.write_limits import WriteLimiter
from gateway.schema.ws import LegacyWSHandler, TransportWSHandler
from gateway.services.application import Application

__all__ = ["MAX_ALIASES", "MAX_DEPTH", "MAX_TOKENS", "GatewayGraphQL", "build_schema"]


class GatewaySchema(TimedSchema):
    shared_live: SharedLive | None = None  # set by GatewayGraphQL, which knows the app
    subscription_caps: SubscriptionCaps | None = None

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """ErrorPolicy logs the unexpected errors; expected ones are not worth a log line."""

    def create_extensions_runner(
        self, execution_context: ExecutionContext, extensions: list[SchemaExtension]
    ) -> LeanExtensionsRunner:
        return LeanExtensionsRunner(execution_context, extensions)

    async def stream(
        self,
        query: str | None,
        variable_values: dict[str, Any] | None = None,
        context_value: Any | None = None,
        root_value: Any | None = None,
        operation_name: str | None = None,
        operation_extensions: dict[str, Any] | None = None,
        allowed_operation_types: Any = None,
    ) -> Any:
        """A plain liveOccupancy subscription joins the shared execution of its
        selection (gateway.schema.shared_live); everything else runs as usual. Each
        counts towards its user's cap on operations open at once."""
        start = partial(
            self._stream_shared,
            query,
            variable_values,
            context_value,
            root_value,
            operation_name,
            operation_extensions,
            allowed_operation_types,
        )
        if self.subscription_caps is not None and isinstance(context_value, Context):
            return await self.subscription_caps.guard(context_value, start)
        return await start()

    async def _stream_shared(
        self,
        query: str | None,
        variable_values: dict[str, Any] | None = None,
        context_value: Any | None = None,
        root_value: Any | None = None,
        operation_name: str | None = None,
        operation_extensions: dict[str, Any] | None = None,
        allowed_operation_types: Any = None,
    ) -> Any:
        plan = live_plan(query, variable_values, operation_name) if self.shared_live else None
        if plan is not None and self.shared_live is not None and isinstance(context_value, Context):
            principal = context_value.connection_principal
            if isinstance(context_value.request, WebSocket) and principal.credential:
                principal = await context_value.app.authenticate(principal.credential)
            shared = await self.shared_live.join(plan, context_value, principal)
            if shared is not None:
                return shared
        return await super().stream(
            query,
            variable_values,
            context_value,
            root_value,
            operation_name,
            operation_extensions,
            allowed_operation_types,
        )


def build_schema(
    limits: GraphQLLimits | None = None, document_cache: int = DEFAULT_DOCUMENT_CACHE
) -> GatewaySchema:
    """Bounds on one document's work (deep nesting, many aliased copies of a costly field
    such as login, a huge query, its cost) are checked before execution; parsing and
    validation are cached per distinct document (gateway.schema.perf_core)."""
    limits = limits or GraphQLLimits()
    documents = PersistedDocuments(limits.trusted_documents, limits.persisted_queries)
    # Made once: the validation cache is keyed by the rule classes.
    directives = directive_limit(limits.max_directives)
    switches: list[Callable[[], SchemaExtension]] = []
    if not limits.introspection:
        switches.append(DisableIntrospection)
    schema = GatewaySchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        scalar_overrides=BOUNDED_SCALARS,
        extensions=[
            *document_extensions(document_cache),
            lambda: AddValidationRules([directives]),
            *switches,
            PerOperation,
            WriteLimiter,
            ErrorPolicy,
            InputRules,
            # After the ValidationCache: it prices the validated document (limits_gate).
            partial(LimitsGate, limits=limits, documents=documents),
        ],
    )
    schema.limits = limits
    schema.subscription_caps = SubscriptionCaps(limits.subscriptions_per_user)
    lean_resolvers(schema)  # trivial fields skip Strawberry's per-field chain
    return schema


UNPARSABLE = "Unable to parse request body as JSON"


class Unreadable(json.JSONDecodeError):
    """JSON text the parser cannot read for a reason other than its syntax."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason, "", 0)


class GatewayGraphQL(GraphQLOverHTTP):
    """Strawberry's ASGI app with our context: principal from the auth middleware.

    WebSocket handshakes from a foreign `Origin` are refused (403) unless the origin is
    in `allowed_origins` (OCCUPI_CORS_ORIGINS); sockets must send `connection_init`
    within `ws_init_seconds` and are closed after `ws_idle_seconds` without a message
    while no operation runs (gateway.schema.ws)."""

    graphql_transport_ws_handler_class = TransportWSHandler
    graphql_ws_handler_class = LegacyWSHandler

    def __init__(
        self,
        app: Application,
        cookies: CookiePolicy,
        *,
        graphiql: bool,
        allowed_origins: Collection[str] = (),
        ws_init_seconds: float = 60.0,
        ws_idle_seconds: float = 300.0,
        limits: GraphQLLimits | None = None,
        document_cache: int = DEFAULT_DOCUMENT_CACHE,
    ) -> None:
        schema = build_schema(limits, document_cache)
        super().__init__(
            schema,
            graphql_ide="graphiql" if graphiql else None,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL),
            connection_init_wait_timeout=timedelta(seconds=ws_init_seconds),
            max_subscriptions_per_connection=schema.limits.subscriptions_per_connection,
        )
        self.allowed_origins = frozenset(allowed_origins)
        self.ws_idle_seconds = ws_idle_seconds
        self._app = app
        self._cookies = cookies
        self.shared_live = SharedLive(partial(self._upstream, schema))
        schema.shared_live = self.shared_live
        self.subscription_caps = schema.subscription_caps

    @staticmethod
    async def _upstream(
        schema: strawberry.Schema,
        context: Context,
        query: str,
        variables: dict[str, Any] | None,
        operation_name: str | None,
    ) -> Any:
        """The one execution of a shared liveOccupancy key (Strawberry's own `stream`,
        not GatewaySchema's, which would join it again)."""
        return await strawberry.Schema.stream(
            schema, query, variables, context, None, operation_name
        )

    def encode_json(self, data: object) -> str | bytes:
        """A WebSocket message carrying a shared liveOccupancy result reuses its data's
        JSON, encoded once for all subscribers."""
        payload = data.get("payload") if isinstance(data, dict) else None
        if isinstance(data, dict) and isinstance(payload, dict) and payload.keys() == {"data"}:
            encoded = self.shared_live.encoded(payload["data"])
            if encoded is not None:
                parts = [
                    f"{json.dumps(k)}:"
                    + ('{"data":' + encoded + "}" if k == "payload" else json.dumps(v))
                    for k, v in data.items()
                ]
                return "{" + ",".join(parts) + "}"
        # WebSocket messages must stay text frames (Strawberry sends bytes as binary).
        return dumps(data).decode()

    def create_response(
        self,
        response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
        sub_response: Response,
    ) -> Response:
        """Strawberry's HTTP response, with the body as orjson's bytes."""
        response = Response(dumps(response_data), media_type="application/json")
        response.headers.raw.extend(sub_response.headers.raw)
        if sub_response.background:
            response.background = sub_response.background
        if sub_response.status_code:
            response.status_code = sub_response.status_code
        return response

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket | None
    ) -> Context:
        return Context(
            request=request,
            response=response if isinstance(response, Response) else None,
            connection_principal=principal_of(request),
            app=self._app,
            cookies=self._cookies,
        )

    def decode_json(self, data: str | bytes) -> object:
        """Every unreadable document (not UTF-8, nested too deeply) is a JSONDecodeError,
        which Strawberry answers with 400 over HTTP and 4400 over graphql-transport-ws."""
        try:
            return loads(data)
        except json.JSONDecodeError:
            raise
        except UnicodeDecodeError:
            raise Unreadable("the body is not valid UTF-8") from None
        except ValueError as error:
            raise Unreadable(str(error)) from None

    def parse_json(self, data: str | bytes) -> Any:
        """A body that is not JSON (saying why, when it is not a mere syntax error), or
        valid JSON but not a request object, is a 400, not a crash."""
        try:
            parsed = self.decode_json(data)
        except Unreadable as error:
            raise HTTPException(400, f"{UNPARSABLE}: {error.msg}") from None
        except json.JSONDecodeError:
            raise HTTPException(400, UNPARSABLE) from None
        items = parsed if isinstance(parsed, list) else [parsed]
        if not items or not all(isinstance(item, dict) for item in items):
            raise HTTPException(400, "The request body must be a JSON object")
        return parsed

    async def get_root_value(self, request: Any) -> None:
        return None

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        """Browsers cannot set WebSocket headers, so `connection_init` may carry the token
        as `{"Authorization": "Bearer <jwt>"}` (or `{"token": "<jwt>"}`)."""
        params = context.connection_params or {}
        credential = params.get("Authorization", params.get("authorization", params.get("token")))
        if isinstance(credential, str) and credential.strip():
            context.connection_principal = await self._app.authenticate(credential)
        return UnsetType()
