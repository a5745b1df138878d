"""The legacy APIs' reference page, rendered on the server from the OpenAPI document.

`GET /docs/rest` is plain HTML made from the very document `/openapi.json` serves: a
table of every operation (method, path, guard, request, responses), the security
schemes, then every named schema with its fields. No script and nothing fetched from
anywhere else, so the page works offline and behind any content security policy.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from html import escape
from typing import Any

Json = Mapping[str, Any]
_REF_PREFIX = "#/components/schemas/"
_STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 80rem; }
body { padding: 0 1rem; }
table { border-collapse: collapse; width: 100%; margin: 1rem 0 2rem; }
th, td { border: 1px solid #ccc; padding: .3rem .5rem; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
code { font-size: 90%; }
.method { font-weight: bold; font-family: monospace; }
details p { white-space: pre-wrap; margin: .3rem 0; }
"""


def render(spec: Json, *, openapi_url: str = "/openapi.json") -> str:
    """The whole page for `spec`, an OpenAPI 3.1 document as `rest_compat.openapi` makes."""
    info = spec.get("info", {})
    title = escape(str(info.get("title", "REST APIs")))
    about = escape(str(info.get("description", "")))
    version = escape(str(info.get("version", "")))
    link = escape(openapi_url)
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{title}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{title}</h1>",
        f"<p>{about} Version {version}.",
        f' The machine-readable document: <a href="{link}">{link}</a>.</p>',
        "<h2>Operations</h2>",
        _operations(spec.get("paths", {})),
        "<h2>Security schemes</h2>",
        _security(spec.get("components", {}).get("securitySchemes", {})),
        "<h2>Schemas</h2>",
        *(
            _schema(name, schema)
            for name, schema in spec.get("components", {}).get("schemas", {}).items()
        ),
        "</body></html>",
    ]
    return "\n".join(parts)


def _operations(paths: Json) -> str:
    rows = [
        "<table><thead><tr><th>Method</th><th>Path</th><th>Operation</th><th>Guard</th>"
        "<th>Request</th><th>Responses</th></tr></thead><tbody>"
    ]
    for path, operations in paths.items():
        for method, operation in operations.items():
            rows.append(_operation_row(path, method, operation))
    rows.append("</tbody></table>")
    return "\n".join(rows)


def _operation_row(path: str, method: str, operation: Json) -> str:
    identifier = escape(str(operation.get("operationId", f"{method}-{path}")))
    summary = escape(str(operation.get("summary", "")))
    description = str(operation.get("description", ""))
    tags = ", ".join(map(escape, operation.get("tags", [])))
    explained = (
        f"<details><summary>{summary}</summary><p>{escape(description)}</p></details>"
        if description
        else summary
    )
    return (
        f'<tr id="op-{identifier}" data-method="{escape(method.upper())}" '
        f'data-path="{escape(path)}">'
        f'<td class="method">{escape(method.upper())}</td><td><code>{escape(path)}</code></td>'
        f"<td>{explained}<br><small>{tags}</small></td>"
        f"<td>{_guard(operation)}</td><td>{_request(operation)}</td>"
        f"<td>{_responses(operation.get('responses', {}))}</td></tr>"
    )


def _guard(operation: Json) -> str:
    guard = escape(str(operation.get("x-guard", "open")))
    schemes = sorted(
        {name for requirement in operation.get("security", []) for name in requirement}
    )
    if not schemes:
        return guard
    return f"{guard}<br><small>credential: {', '.join(map(escape, schemes))}</small>"


def _request(operation: Json) -> str:
    lines = [
        f"path <code>{escape(p['name'])}</code>: {_type(p.get('schema', {}))}"
        for p in operation.get("parameters", [])
    ]
    body = operation.get("requestBody")
    if body:
        for media, content in body.get("content", {}).items():
            optional = "" if body.get("required") else " (optional)"
            lines.append(f"{escape(media)}{optional}: {_type(content.get('schema', {}))}")
    return "<br>".join(lines) or "none"


def _responses(responses: Json) -> str:
    lines = []
    for status, response in responses.items():
        content = response.get("content", {})
        schemas = [_type(media.get("schema", {})) for media in content.values()]
        shown = f": {' | '.join(schemas)}" if schemas else ""
        lines.append(
            f"<b>{escape(str(status))}</b>{shown}<br><small>"
            f"{escape(str(response.get('description', '')))}</small>"
        )
    return "<br>".join(lines)


def _security(schemes: Json) -> str:
    rows = ["<table><thead><tr><th>Name</th><th>Kind</th><th>Description</th></tr></thead><tbody>"]
    for name, scheme in schemes.items():
        kind = ", ".join(
            f"{key} {escape(str(scheme[key]))}"
            for key in ("type", "in", "name", "scheme", "bearerFormat")
            if key in scheme
        )
        rows.append(
            f'<tr id="security-{escape(name)}"><td><code>{escape(name)}</code></td>'
            f"<td>{kind}</td><td>{escape(str(scheme.get('description', '')))}</td></tr>"
        )
    rows.append("</tbody></table>")
    return "\n".join(rows)


def _schema(name: str, schema: Json) -> str:
    heading = f'<h3 id="schema-{escape(name)}">{escape(name)}</h3>'
    properties: Json = schema.get("properties", {})
    if not properties:
        return f"{heading}<p>{_type(schema)}</p>"
    required = set(schema.get("required", []))
    rows = [
        heading,
        "<table><thead><tr><th>Field</th><th>Type</th><th>Required</th><th>Description</th>"
        "</tr></thead><tbody>",
    ]
    for field, definition in properties.items():
        rows.append(
            f"<tr><td><code>{escape(field)}</code></td><td>{_type(definition)}</td>"
            f"<td>{'yes' if field in required else 'no'}</td>"
            f"<td>{escape(str(definition.get('description', '')))}</td></tr>"
        )
    rows.append("</tbody></table>")
    return "\n".join(rows)


def _type(schema: Json) -> str:
    """A JSON Schema as a short phrase, named schemas linked to their section."""
    if "$ref" in schema:
        name = str(schema["$ref"]).removeprefix(_REF_PREFIX)
        return f'<a href="#schema-{escape(name)}">{escape(name)}</a>'
    for combinator in ("anyOf", "oneOf", "allOf"):
        if combinator in schema:
            joiner = " &amp; " if combinator == "allOf" else " | "
            return joiner.join(_type(part) for part in schema[combinator])
    if "const" in schema:
        return f"<code>{escape(json.dumps(schema['const']))}</code>"
    if "enum" in schema:
        return "one of " + ", ".join(
            f"<code>{escape(json.dumps(v))}</code>" for v in schema["enum"]
        )
    kinds = schema.get("type", "any")
    kind = " | ".join(map(str, kinds)) if isinstance(kinds, list) else str(kinds)
    if kind == "array":
        return f"array of {_type(schema.get('items', {}))}"
    if kind == "object" and isinstance(schema.get("additionalProperties"), Mapping):
        return f"object of {_type(schema['additionalProperties'])}"
    shown = escape(kind)
    if "format" in schema:
        shown += f" ({escape(str(schema['format']))})"
    return shown
