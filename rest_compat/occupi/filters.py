"""Occupi's query object (§5.6) and its paging meta (§5.7), for every collection endpoint.

`{"operator", "filter", "order_asc", "order_desc", "projection", "limit", "page"}` comes
as a JSON body or as query parameters (`filter` URL-encoded JSON, `projection` comma
separated). It is never a query language: each collection declares a whitelist of
fields, each with a type and the operators it takes; anything else is a 400 naming it.
The endpoint turns the checked conditions into the services' typed queries. Secrets
(password hashes, other people's push tokens) are in no whitelist, so they can be neither
filtered on nor projected.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, Field
from starlette.responses import Response

from domain.errors import ErrorCode, invalid
from gateway.services.records import Page, PageRequest
from rest_compat import json_input
from rest_compat.occupi.envelopes import ERRORS, LegacyError
from rest_compat.rendering import go_json, json_response

OPERATORS = ("eq", "ne", "gt", "gte", "lt", "lte", "in", "nin")
MAX_LIMIT = 50
MAX_PAGE = 100_000
MAX_VALUES = 50
_KEYS = ("operator", "filter", "order_asc", "order_desc", "projection", "limit", "page")

# The original's answer to a bad query object: INVALID_REQUEST_PAYLOAD.
LIST_ERRORS: Mapping[ErrorCode, LegacyError] = {
    **ERRORS,
    ErrorCode.INVALID_INPUT: LegacyError(
        400, "INVALID_REQUEST_PAYLOAD", summary="Invalid request payload"
    ),
}


@dataclass(frozen=True)
class FilterField:
    """A field one may filter on: the JSON type its values have (`str` also takes a
    number, written as text: legacy clients send `floorNo` both ways) and its operators."""

    kind: type
    operators: frozenset[str] = frozenset({"eq"})


@dataclass(frozen=True)
class Collection:
    """What one endpoint lets a query name: filters, sorts (field -> the directions the
    store orders by, True for ascending) and the columns a row has, in which a
    projection picks."""

    name: str
    filters: Mapping[str, FilterField]
    columns: tuple[str, ...]
    sorts: Mapping[str, frozenset[bool]] = field(default_factory=dict)


@dataclass(frozen=True)
class Condition:
    operator: str
    value: Any
    """A typed value, or a tuple of them for `in` and `nin`."""


@dataclass(frozen=True)
class LegacyQuery:
    conditions: Mapping[str, Condition]
    sort: tuple[str, bool] | None
    projection: tuple[str, ...] | None
    limit: int
    page: int

    def page_request(self) -> PageRequest:
        return PageRequest(first=self.limit, offset=(self.page - 1) * self.limit)

    def equal_to(self, name: str) -> tuple[Any, ...] | None:
        """The values `name` must be one of (`eq` or `in`), or None when it is not given."""
        condition = self.conditions.get(name)
        if condition is None:
            return None
        return condition.value if condition.operator == "in" else (condition.value,)


class QueryObject(BaseModel):
    """The query object as a JSON body; the same keys work as query parameters."""

    operator: str | None = Field(default=None, description=" | ".join(OPERATORS))
    filter: dict[str, Any] | None = None
    order_asc: str | None = None
    order_desc: str | None = None
    projection: list[str] | None = None
    limit: int | None = Field(default=None, description="1 to 50; anything else means 50")
    page: int | None = Field(default=None, description="from 1; anything lower means 1")


class ListMeta(BaseModel):
    currentPage: int
    totalPages: int
    totalResults: int


def read_query(collection: Collection, body: bytes, params: Mapping[str, str]) -> LegacyQuery:
    """The checked query object, from the JSON body or, without one, the query string."""
    raw = _from_body(body) if body.strip() else _from_params(params)
    return _checked(collection, raw)


def _from_body(body: bytes) -> Mapping[str, Any]:
    try:
        raw = json_input.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise invalid("Invalid JSON payload") from None
    if not isinstance(raw, dict):
        raise invalid("the query must be a JSON object")
    return raw


def _from_params(params: Mapping[str, str]) -> Mapping[str, Any]:
    raw: dict[str, Any] = {k: params[k] for k in _KEYS if k in params}
    if "filter" in raw:
        try:
            raw["filter"] = json_input.loads(raw["filter"])
        except ValueError:
            raise invalid("Invalid filter format", "filter") from None
    if "projection" in raw:
        raw["projection"] = [p.strip() for p in raw["projection"].split(",") if p.strip()]
    for name in ("limit", "page"):
        if name in raw:
            try:
                raw[name] = int(raw[name])
            except ValueError:
                raise invalid(f"Invalid {name} format", name) from None
    return raw


def _checked(collection: Collection, raw: Mapping[str, Any]) -> LegacyQuery:
    operator = _text(raw.get("operator"), "operator") or "eq"
    if operator not in OPERATORS:
        raise invalid(f"operator: {operator!r} is not one of {', '.join(OPERATORS)}", "operator")
    given = raw.get("filter") or {}
    if not isinstance(given, dict):
        raise invalid("filter must be a JSON object", "filter")
    conditions = {
        name: _condition(collection, name, operator, value) for name, value in given.items()
    }
    return LegacyQuery(
        conditions=conditions,
        sort=_sort(collection, raw),
        projection=_projection(collection, raw.get("projection")),
        limit=_limit(raw.get("limit")),
        page=_page(raw.get("page")),
    )


def _condition(collection: Collection, name: str, operator: str, value: Any) -> Condition:
    where = f"filter.{name}"
    spec = collection.filters.get(name)
    if spec is None:
        known = ", ".join(collection.filters) or "none"
        raise invalid(f"{where}: not a filter of {collection.name} (filters: {known})", where)
    if operator not in spec.operators:
        allowed = ", ".join(o for o in OPERATORS if o in spec.operators)
        raise invalid(f"{where}: the operator {operator} does not apply (only {allowed})", where)
    if operator in ("in", "nin"):
        if not isinstance(value, list) or not 0 < len(value) <= MAX_VALUES:
            raise invalid(f"{where}: {operator} takes a list of 1 to {MAX_VALUES} values", where)
        return Condition(operator, tuple(_typed(spec, v, where) for v in value))
    return Condition(operator, _typed(spec, value, where))


def _typed(spec: FilterField, value: Any, where: str) -> Any:
    if spec.kind is str and isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    if spec.kind is int and isinstance(value, bool):
        raise invalid(f"{where}: must be a number", where)
    if not isinstance(value, spec.kind):
        names = {str: "a string", int: "a number", bool: "true or false"}
        raise invalid(f"{where}: must be {names.get(spec.kind, spec.kind.__name__)}", where)
    return value


def _sort(collection: Collection, raw: Mapping[str, Any]) -> tuple[str, bool] | None:
    asc = _text(raw.get("order_asc"), "order_asc")
    desc = _text(raw.get("order_desc"), "order_desc")
    if asc and desc:
        raise invalid("give order_asc or order_desc, not both", "order_desc")
    name, ascending, where = (asc, True, "order_asc") if asc else (desc, False, "order_desc")
    if not name:
        return None
    if ascending not in collection.sorts.get(name, frozenset()):
        offered = ", ".join(
            f"{'order_asc' if up else 'order_desc'}={f}"
            for f, ups in collection.sorts.items()
            for up in sorted(ups, reverse=True)
        )
        raise invalid(f"{where}: {collection.name} cannot be sorted so (only {offered})", where)
    return name, ascending


def _projection(collection: Collection, raw: Any) -> tuple[str, ...] | None:
    if raw is None:
        return None
    if not isinstance(raw, list) or not all(isinstance(p, str) for p in raw):
        raise invalid("projection must be a list of field names", "projection")
    for name in raw:
        if name not in collection.columns:
            known = ", ".join(collection.columns)
            raise invalid(
                f"projection: {name!r} is not a field of {collection.name} (fields: {known})",
                "projection",
            )
    return tuple(dict.fromkeys(raw)) or None


def _limit(raw: Any) -> int:
    if raw is None:
        return MAX_LIMIT
    if not isinstance(raw, int) or isinstance(raw, bool):
        raise invalid("Invalid limit format", "limit")
    return raw if 0 < raw <= MAX_LIMIT else MAX_LIMIT


def _page(raw: Any) -> int:
    if raw is None:
        return 1
    if not isinstance(raw, int) or isinstance(raw, bool):
        raise invalid("Invalid page format", "page")
    if raw > MAX_PAGE:
        raise invalid(f"page must be at most {MAX_PAGE}", "page")
    return max(raw, 1)


def _text(raw: Any, name: str) -> str | None:
    if raw is None or raw == "":
        return None
    if not isinstance(raw, str):
        raise invalid(f"{name} must be a string", name)
    return raw.strip() or None


def project(query: LegacyQuery, rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]] | None:
    """The rows with the projected columns only; None for none (Go's nil slice)."""
    if not rows:
        return None
    if query.projection is None:
        return [dict(r) for r in rows]
    return [{k: r[k] for k in query.projection} for r in rows]


def meta(query: LegacyQuery, page: Page[Any]) -> dict[str, int]:
    """§5.7: `totalResults` is the number of rows on this page, as the original had it."""
    total = page.total or 0
    return {
        "currentPage": query.page,
        "totalPages": math.ceil(total / query.limit),
        "totalResults": len(page.items),
    }


def listing(query: LegacyQuery, page: Page[Any], rows: Sequence[Mapping[str, Any]]) -> Response:
    """The collection endpoints' envelope: message "success", data and meta."""
    body = {"data": project(query, rows), "message": "success", "meta": meta(query, page)}
    return json_response(go_json({**body, "status": 200}), 200)
