"""What keeps a request's fixed costs low: each distinct document is parsed and validated
once (bounded LRU caches keyed by the query text and the document), the document limits
are validation rules made once so that the cache can recognise them, and JSON goes
through orjson with json's semantics kept where orjson would differ."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import orjson
from strawberry.extensions import (
    AddValidationRules,
    MaxTokensLimiter,
    ParserCache,
    SchemaExtension,
    ValidationCache,
)
from strawberry.extensions.max_aliases import create_validator as aliases_rule
from strawberry.extensions.query_depth_limiter import create_validator as depth_rule

from domain import json_text

MAX_DEPTH = 12
MAX_ALIASES = 15
MAX_TOKENS = 2000
DEFAULT_DOCUMENT_CACHE = 256

# Made once: Strawberry's QueryDepthLimiter and MaxAliasesLimiter make a new rule class
# per instance, that is per request, and the validation cache is keyed by the rules.
_LIMIT_RULES = (depth_rule(MAX_DEPTH, None), aliases_rule(MAX_ALIASES))


class DocumentLimits(AddValidationRules):
    """Deep nesting and many aliased copies of a costly field (such as login) are refused
    at validation; a huge query (MaxTokensLimiter) already at parsing."""

    def __init__(self) -> None:
        super().__init__(list(_LIMIT_RULES))


def document_extensions(cache_size: int) -> list[Callable[[], SchemaExtension]]:
    """The schema extensions that bound a document's work and cache its preparation. A
    cached parse or validation is of the query text alone: variables, the caller and the
    loaders are the operation's, so nothing of one request's results is kept."""
    return [
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        DocumentLimits,
        lambda: ParserCache(maxsize=cache_size),
        lambda: ValidationCache(maxsize=cache_size),
    ]


def dumps(data: object) -> bytes:
    """JSON bytes, as `json.dumps(data, separators=(",", ":"))` would write them (up to
    the escaping of non-ASCII text, which JSON reads back the same); what orjson refuses
    (integers beyond 64 bits, say) takes the standard library's path."""
    try:
        return orjson.dumps(data)
    except TypeError:  # orjson.JSONEncodeError
        return json.dumps(data, separators=(",", ":")).encode()


def loads(data: str | bytes) -> Any:
    """orjson where it agrees with json.loads; the gateway's one reader of untrusted JSON
    (`domain.json_text`) answers, or raises, for the rest: lone surrogates, NaN and
    Infinity literals, nesting deeper than orjson's limit, bytes that are not UTF-8."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        return json_text.loads(data)
