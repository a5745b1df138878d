"""GraphQL over HTTP's `application/graphql-response+json`: a client that accepts it
gets that content type and status codes that say whether the request was understood
(400 for a document that does not parse or validate, or variables that do not coerce;
no `data` entry then). A client asking for `application/json` keeps today's answers:
200 with `data: null`.
"""

from __future__ import annotations

from strawberry.types import ExecutionResult

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
TIMED_OUT = 504


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
