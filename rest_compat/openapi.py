"""The OpenAPI 3.1 document of the shim, generated from the endpoint declarations.

Schemas come from the declared pydantic models (JSON Schema 2020-12, which OpenAPI 3.1
uses as is); every named model lands once in `components.schemas`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from importlib.metadata import PackageNotFoundError, version
from typing import Any, Literal

from pydantic import TypeAdapter

from rest_compat.routing import Api, Endpoint, Reply

OPENAPI_VERSION = "3.1.0"
_REF = "#/components/schemas/{model}"
_PATH_PARAM = re.compile(r"{(?P<name>[A-Za-z_]\w*)(?::(?P<kind>\w+))?}")
_PARAM_SCHEMAS: Mapping[str, dict[str, str]] = {
    "str": {"type": "string"},
    "path": {"type": "string"},
    "int": {"type": "integer"},
    "float": {"type": "number"},
    "uuid": {"type": "string", "format": "uuid"},
}
# OpenAPI component names allow only these characters.
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]")

Json = dict[str, Any]


def openapi_path(path: str) -> str:
    """A Starlette path template (`/rooms/{name:str}`) as OpenAPI writes it."""
    return _PATH_PARAM.sub(lambda found: "{" + found["name"] + "}", path)


def document(apis: Sequence[Api]) -> Json:
    schemas = _Schemas()
    paths: dict[str, Json] = {}
    security: dict[str, Mapping[str, object]] = {}
    for api in apis:
        _merge(security, api.security_schemes, "security scheme")
        for endpoint in api.endpoints:
            full = api.prefix + endpoint.path
            operations = paths.setdefault(openapi_path(full), {})
            operations[endpoint.method.lower()] = _operation(api, endpoint, full, schemas)
    _check_unique_operation_ids(paths)
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "Occupi Gateway: legacy REST APIs",
            "version": _package_version(),
            "description": "The Occupi, Occuspace and FLEP APIs, served over the gateway's "
            "use cases. See docs/rest-compat.md for what is reproduced and what is not.",
        },
        "tags": [{"name": api.name, "description": api.description} for api in apis],
        "paths": paths,
        "components": {"schemas": schemas.components, "securitySchemes": security},
    }


def _operation(api: Api, endpoint: Endpoint, path: str, schemas: _Schemas) -> Json:
    operation: Json = {
        "operationId": endpoint.operation_id,
        "summary": endpoint.summary,
        "description": f"{endpoint.description}\n\nGuard: {endpoint.guard.description}".strip(),
        "tags": list(endpoint.tags or (api.name,)),
        "x-guard": endpoint.guard.name,
        "responses": {
            str(status): _response(reply, schemas)
            for status, reply in sorted(endpoint.responses.items())
        },
    }
    parameters = [_path_parameter(found) for found in _PATH_PARAM.finditer(path)]
    if parameters:
        operation["parameters"] = parameters
    takes_input = parameters or endpoint.request is not None
    if api.bad_input is not None and takes_input and 400 not in endpoint.responses:
        operation["responses"]["400"] = _response(api.bad_input, schemas)
    if endpoint.request is not None:
        operation["requestBody"] = {
            "required": not endpoint.body_optional,
            "content": {
                "application/json": {"schema": schemas.add(endpoint.request, "validation")}
            },
        }
    if endpoint.guard.signed_in:
        operation["security"] = [{name: []} for name in api.security_schemes]
    return operation


def _response(reply: Reply, schemas: _Schemas) -> Json:
    if reply.model is None:  # a redirect, or another answer without a body
        return {"description": reply.description}
    media: Json = {"schema": schemas.add(reply.model, "serialization")}
    if reply.examples:
        media["examples"] = {name: {"value": value} for name, value in reply.examples.items()}
    return {"description": reply.description, "content": {"application/json": media}}


def _path_parameter(found: re.Match[str]) -> Json:
    return {
        "name": found["name"],
        "in": "path",
        "required": True,
        "schema": dict(_PARAM_SCHEMAS[found["kind"] or "str"]),
    }


class _Schemas:
    def __init__(self) -> None:
        self.components: dict[str, Json] = {}

    def add(self, model: Any, mode: Literal["validation", "serialization"]) -> Json:
        """The schema of `model`: a reference when it is a named model, else inline."""
        schema = TypeAdapter(model).json_schema(ref_template=_REF, mode=mode)
        for name, definition in schema.pop("$defs", {}).items():
            _merge(self.components, {name: definition}, "schema")
        title = schema.get("title")
        if schema.get("type") != "object" or not isinstance(title, str):
            return schema
        name = _UNSAFE_NAME.sub("_", title)
        _merge(self.components, {name: schema}, "schema")
        return {"$ref": _REF.format(model=name)}


def _merge(into: dict[str, Any], new: Mapping[str, Any], what: str) -> None:
    for name, value in new.items():
        if into.setdefault(name, value) != value:
            raise ValueError(f"two different {what}s are both named {name!r}")


def _check_unique_operation_ids(paths: Mapping[str, Json]) -> None:
    seen: set[str] = set()
    for operations in paths.values():
        for operation in operations.values():
            if operation["operationId"] in seen:
                raise ValueError(f"operationId {operation['operationId']!r} is used twice")
            seen.add(operation["operationId"])


def _package_version() -> str:
    try:
        return version("occupi-gateway")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0.0.0"
