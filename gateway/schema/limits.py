"""How much one GraphQL operation may ask for, and what a deployment exposes.

`GraphQLLimits` is built from the settings by gateway.app; the schema (gateway.schema.build)
and the HTTP/WebSocket view read it. Every refusal is a GraphQL error with a stable
`extensions.code`, given before any resolver (and so any SQL statement) runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from graphql import GraphQLError

DEFAULT_MAX_COST = 50_000
DEFAULT_MAX_DOCUMENT_CHARS = 20_000
DEFAULT_MAX_DIRECTIVES = 20
DEFAULT_TIMEOUT_MS = 10_000
DEFAULT_SUBSCRIPTIONS_PER_CONNECTION = 20
DEFAULT_SUBSCRIPTIONS_PER_USER = 50
DEFAULT_PERSISTED_QUERIES = 1_000


@dataclass(frozen=True)
class GraphQLLimits:
    """The bounds on one operation and the switches of what the schema reveals.

    `trusted_documents` (hash -> document) non-empty means allow-list mode: only those
    documents run, by hash or by text. `persisted_queries` is how many documents Apollo's
    automatic persisted queries may register per process (0: off).
    """

    max_cost: int = DEFAULT_MAX_COST
    max_document_chars: int = DEFAULT_MAX_DOCUMENT_CHARS
    max_directives: int = DEFAULT_MAX_DIRECTIVES
    timeout_ms: int = DEFAULT_TIMEOUT_MS
    subscriptions_per_connection: int = DEFAULT_SUBSCRIPTIONS_PER_CONNECTION
    subscriptions_per_user: int = DEFAULT_SUBSCRIPTIONS_PER_USER
    introspection: bool = True
    suggestions: bool = True
    persisted_queries: int = DEFAULT_PERSISTED_QUERIES
    trusted_documents: Mapping[str, str] = field(default_factory=dict)


def refusal(message: str, code: str, **details: object) -> GraphQLError:
    """A limit's answer: the message says which limit, the extensions carry the numbers."""
    return GraphQLError(message, extensions={"code": code, **details})
