"""Baseline (a): plain Strawberry with its default configuration, serving the gateway's own
Query and Mutation resolvers over the same services and database.

Defaults everywhere: `strawberry.Schema` with no parser or validation cache and stdlib
json, Strawberry's ASGI app, and `uvicorn.run` with its defaults (bench.bench_server).
It keeps only what the resolvers cannot run without: the authentication middleware that
puts the caller on the request, and PerOperation, which gives each operation its caller
and DataLoaders (the resolvers read both from the context).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import strawberry
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from gateway.app import Gateway, build_gateway
from gateway.auth.middleware import PrincipalMiddleware
from gateway.auth.proxies import ClientAddressMiddleware
from gateway.schema.context import Context, CookiePolicy, PerOperation, principal_of
from gateway.schema.mutations import Mutation
from gateway.schema.queries import Query
from gateway.settings import Settings


class PlainGraphQL(GraphQL[Context, None]):
    """Strawberry's ASGI app; only the context is ours (the resolvers need it)."""

    def __init__(self, gateway: Gateway) -> None:
        super().__init__(
            strawberry.Schema(query=Query, mutation=Mutation, extensions=[PerOperation])
        )
        self._gateway = gateway

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket | None
    ) -> Context:
        return Context(
            request=request,
            response=response if isinstance(response, Response) else None,
            connection_principal=principal_of(request),
            app=self._gateway.app,
            cookies=CookiePolicy(),
        )


def create_plain_app(settings: Settings) -> tuple[Starlette, Gateway]:
    """The plain app and the gateway whose services it serves (for its engine)."""
    gateway = build_gateway(settings)

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        await gateway.broker.start()
        gateway.relay.start()  # bookRoom queues a confirmation mail; the relay sends it
        try:
            yield
        finally:
            await gateway.relay.stop()
            await gateway.broker.stop()
            await gateway.db.dispose()

    async def health(_request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    app = Starlette(
        routes=[
            Route("/healthz", health),
            Route("/graphql", PlainGraphQL(gateway), methods=["POST"]),
        ],
        middleware=[
            Middleware(ClientAddressMiddleware, trusted=settings.trusted_proxies),
            Middleware(PrincipalMiddleware, authenticate=gateway.app.authenticate),
        ],
        lifespan=lifespan,
    )
    return app, gateway
