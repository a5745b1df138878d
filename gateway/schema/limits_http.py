"""GraphQL over HTTP's `application/graphql-response+json`: a client that accepts it
gets that content type and status codes that say whether the request was understood
(400 for a document that does not parse or validate, or variables that do not coerce;
no `data` entry then). A client asking for `application/json` keeps today's answers:
200 with `data: null`.
"""

from __future__ import annotations

from typing import Any

from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from strawberry.asgi import GraphQL
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.unset import UNSET

from gateway.schema.context import Context

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
TIMED_OUT = 504


class GraphQLOverHTTP(GraphQL[Context, None]):
    """Strawberry's ASGI view, answering as GraphQL over HTTP asks."""

    def should_render_graphql_ide(self, request: Any) -> bool:
        """A GET naming a persisted document by hash has no `query`, yet wants it run."""
        return super().should_render_graphql_ide(request) and (
            "extensions" not in request.query_params
        )

    async def process_result(self, request: Request, result: ExecutionResult) -> Any:
        """Under application/graphql-response+json a request error carries no `data`;
        `run` then sets the status and content type."""
        rendered = await super().process_result(request, result)
        if wants_graphql_response(request.headers.get("accept", "")):
            status = request_error_status(result)
            request.state.graphql_status = status or 200
            if status is not None:
                rendered.pop("data", None)
        return rendered

    async def run(self, request: Any, context: Any = UNSET, root_value: Any = UNSET) -> Any:
        """A mutation over GET is 405 Method Not Allowed; the media type as negotiated."""
        try:
            response = await super().run(request, context, root_value)
        except HTTPException as error:
            cause = error.__cause__
            if isinstance(cause, InvalidOperationTypeError) and request.method == "GET":
                raise HTTPException(405, error.reason) from cause
            raise
        state = request.state if isinstance(request, Request) else None
        status = getattr(state, "graphql_status", None)
        if status is not None and isinstance(response, Response):
            response.status_code = status
            response.headers["content-type"] = f"{GRAPHQL_RESPONSE}; charset=utf-8"
        return response


def wants_graphql_response(accept: str) -> bool:
    """Whether the Accept header prefers (or only names) the GraphQL response type."""
    weights = _weights(accept)
    ours = weights.get(GRAPHQL_RESPONSE, 0.0)
    return ours > 0 and ours >= weights.get(JSON, 0.0)


def request_error_status(result: ExecutionResult) -> int | None:
    """The status of a result that did not execute: no data and no error at a field
    path (parse, validation, coercion, a limit's refusal); None for executed ones."""
    if result.data is not None or not result.errors:
        return None
    if any(error.path for error in result.errors):
        return None
    codes = {(error.extensions or {}).get("code") for error in result.errors}
    return TIMED_OUT if codes == {"TIMEOUT"} else 400


def _weights(accept: str) -> dict[str, float]:
    weights: dict[str, float] = {}
    for part in accept.split(","):
        media, *parameters = (p.strip() for p in part.split(";"))
        weight = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        if media:
            weights[media.lower()] = max(weight, weights.get(media.lower(), 0.0))
    return weights
