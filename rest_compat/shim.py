"""The shim as a whole: every legacy API's routes, /openapi.json, and the 404."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route

from gateway.services.application import Application
from rest_compat import flep, occupi, occuspace
from rest_compat.docs_page import render
from rest_compat.openapi import document
from rest_compat.routing import Api, build_routes

APIS: tuple[Api, ...] = (occupi.API, occuspace.API, flep.API)
OPENAPI_PATH = "/openapi.json"
DOCS_PATH = "/docs/rest"
NOT_FOUND_BODY = b"404 page not found"


def routes(app: Application) -> list[BaseRoute]:
    """The legacy endpoints over `app`'s use cases, plus their OpenAPI document and the
    page rendered from it."""
    served: list[BaseRoute] = [*build_routes(APIS, app)]
    spec = document(APIS)
    page = render(spec, openapi_url=OPENAPI_PATH)

    async def openapi(_request: Request) -> Response:
        return JSONResponse(spec)

    async def docs(_request: Request) -> Response:
        return HTMLResponse(page)

    served.append(Route(OPENAPI_PATH, openapi, methods=["GET"]))
    served.append(Route(DOCS_PATH, docs, methods=["GET"]))
    return served


def not_found(_request: Request, _exc: Exception) -> Response:
    """Gin's answer to an unknown path or method, which Occupi clients saw: the original
    had no NoRoute handler. Bare `text/plain`, without the charset Starlette would add."""
    return Response(NOT_FOUND_BODY, status_code=404, headers={"content-type": "text/plain"})
