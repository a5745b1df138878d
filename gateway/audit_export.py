"""The audit log's export, as JSON lines or CSV: `GET /admin/audit-log` and the CLI.

`GET /admin/audit-log?format=jsonl|csv&since=…&until=…&entity=…&entityId=…&actor=…&action=…`
needs an admin's bearer token (401 without one, 403 for anybody else). The answer is
streamed, newest event first, read in bounded batches, at most OCCUPI_AUDIT_EXPORT_MAX_ROWS
events. Instants are ISO 8601 with an offset (`Z` allowed). Errors are JSON
`{"error": {"code", "message", "field"}}`, as the other non-legacy routes.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator, Mapping
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from domain.audit import AuditEntity, AuditEvent
from domain.errors import DomainError, ErrorCode, invalid
from domain.intervals import require_aware
from gateway.schema.audit import actor_filter
from gateway.services.audit import AuditLog
from gateway.services.audit_records import AuditQuery
from gateway.services.authz import ANONYMOUS, Principal

FORMATS = {"jsonl": "application/x-ndjson", "csv": "text/csv; charset=utf-8"}
COLUMNS = ("number", "at", "actor", "entity", "entity_id", "action", "before", "after", "client")
MAX_PARAMETER = 200
_STATUS = {ErrorCode.INVALID_INPUT: 400, ErrorCode.UNAUTHENTICATED: 401, ErrorCode.FORBIDDEN: 403}


def row_of(event: AuditEvent) -> dict[str, Any]:
    """One exported event; `before` and `after` stay JSON objects (or null)."""
    return {
        "number": event.id,
        "at": event.at.isoformat(),
        "actor": event.actor.label,
        "entity": event.entity.value,
        "entity_id": event.entity_id,
        "action": event.action,
        "before": event.before,
        "after": event.after,
        "client": event.client,
    }


def json_line(event: AuditEvent) -> str:
    return json.dumps(row_of(event), sort_keys=True, separators=(",", ":")) + "\n"


def csv_header() -> str:
    return _csv_line(list(COLUMNS))


def csv_line(event: AuditEvent) -> str:
    row = row_of(event)
    cells = [
        ""
        if row[c] is None
        else json.dumps(row[c], sort_keys=True)
        if c in ("before", "after")
        # A cell starting with = + - @ would be a formula in a spreadsheet.
        else _defused(str(row[c]))
        for c in COLUMNS
    ]
    return _csv_line(cells)


def _defused(cell: str) -> str:
    return "'" + cell if cell[:1] in ("=", "+", "-", "@") else cell


def _csv_line(cells: list[str]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(cells)
    return out.getvalue()


async def export_lines(events: AsyncIterator[AuditEvent], fmt: str) -> AsyncIterator[str]:
    if fmt == "csv":
        yield csv_header()
    async for event in events:
        yield csv_line(event) if fmt == "csv" else json_line(event)


def _instant(raw: str | None, field: str) -> datetime | None:
    if raw is None or not raw.strip():
        return None
    try:
        parsed = datetime.fromisoformat(raw.strip()[:MAX_PARAMETER])
    except ValueError:
        raise invalid(f"{field} must be an ISO 8601 instant with an offset", field) from None
    return require_aware(parsed, field)


def query_of(params: Mapping[str, str]) -> AuditQuery:
    """The filter of an export request (also the CLI's options); precise errors."""
    if any(len(v) > MAX_PARAMETER for v in params.values()):
        raise invalid(f"a parameter has at most {MAX_PARAMETER} characters", "query")
    entity = params.get("entity") or None
    if entity is not None and entity not in {e.value for e in AuditEntity}:
        kinds = ", ".join(e.value for e in AuditEntity)
        raise invalid(f"entity must be one of {kinds}", "entity")
    actor = params.get("actor") or None
    return AuditQuery(
        entity=None if entity is None else AuditEntity(entity),
        entity_id=params.get("entityId") or None,
        actor=None if actor is None else actor_filter(actor),
        action=params.get("action") or None,
        since=_instant(params.get("since"), "since"),
        until=_instant(params.get("until"), "until"),
    )


def format_of(raw: str | None) -> str:
    fmt = (raw or "jsonl").strip().lower()
    if fmt not in FORMATS:
        raise invalid("format must be jsonl or csv", "format")
    return fmt


def _error(error: DomainError) -> JSONResponse:
    body = {"error": {"code": error.code.value, "message": error.message, "field": error.field}}
    return JSONResponse(body, _STATUS.get(error.code, 400))


def routes(audit: AuditLog, *, max_rows: int) -> list[BaseRoute]:
    async def export(request: Request) -> Response:
        found = request.scope.get("auth")
        principal = found if isinstance(found, Principal) else ANONYMOUS
        try:
            fmt = format_of(request.query_params.get("format"))
            query = query_of(request.query_params)
            events = await audit.export(principal, query, limit=max_rows)
        except DomainError as error:
            return _error(error)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        headers = {
            "Content-Disposition": f'attachment; filename="audit-{stamp}.{fmt}"',
            "Cache-Control": "no-store",
        }
        return StreamingResponse(
            export_lines(events, fmt), media_type=FORMATS[fmt], headers=headers
        )

    return [Route("/admin/audit-log", export, methods=["GET"])]
