"""The served /openapi.json, checked against the real app by schemathesis: every operation of
the three APIs, with a bounded number of generated requests (valid and invalid ones), signed in
as a basic user and as an admin (Occuspace with a read API token). No answer may be a 5xx, and
every answer must be documented: its status, its content type and its body's schema.

A regression check sends every operation JSON nested deeper than Python's parser recurses,
in the body and in a `filter` query parameter: it must be the documented 400, not a 500.

Cases are drawn deterministically (derandomized Hypothesis) before they are sent, because the
app and its database live on the test's event loop; each operation gets a fresh database."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import Case, GenerationMode
from schemathesis.checks import CheckFunction
from schemathesis.errors import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from domain.api_tokens import TokenScope
from gateway.services.authz import Principal
from rest_compat.openapi import document
from rest_compat.shim import APIS
from tests.support.world import World

Operation = schemathesis.APIOperation[Any, Any, Any, Any]
AnyCase = Case[Any]
# Per operation, per role and per generation mode; small, to keep the run short on two cores.
EXAMPLES = 12
MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
OCCUSPACE_PREFIX = "/v1/"
CHECKS: list[CheckFunction] = [
    schemathesis.checks.not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def _runs() -> list[tuple[str, str, str]]:
    """(role, method, path) for every documented operation. The Occuspace API knows API
    tokens, not people: it runs once, with a read token."""
    spec = document(APIS)
    return [
        (role, method, path)
        for path, operations in spec["paths"].items()
        for method in operations
        for role in (("reader",) if path.startswith(OCCUSPACE_PREFIX) else ("basic", "admin"))
    ]


RUNS = _runs()


def _cases(operation: Operation, headers: dict[str, str]) -> list[AnyCase]:
    """A fixed sample of requests for `operation`: the same on every run."""
    drawn: list[AnyCase] = []
    for mode in MODES:
        if mode is GenerationMode.NEGATIVE and not _can_be_invalid(operation):
            continue

        @settings(
            max_examples=EXAMPLES,
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(generation_mode=mode, headers=headers))
        def collect(case: AnyCase) -> None:
            drawn.append(case)

        collect()
    return drawn


def _can_be_invalid(operation: Operation) -> bool:
    """Whether a request can break this operation's documented input: only bodies can, as
    every documented path parameter is a plain string."""
    definition: Mapping[str, Any] = operation.definition.raw
    return "requestBody" in definition


async def _send(http: httpx.AsyncClient, case: AnyCase) -> httpx.Response:
    sent = case.as_transport_kwargs(base_url=str(http.base_url).rstrip("/"))
    headers = dict(sent.get("headers") or {})
    if sent.get("cookies"):
        headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in sent["cookies"].items())
    body: dict[str, Any] = {}
    if "json" in sent:
        body["json"] = sent["json"]
    elif sent.get("data") is not None:
        body["content"] = sent["data"]
    return await http.request(
        sent["method"],
        sent["url"],
        headers=headers,
        params=sent.get("params"),
        **body,
    )


async def _reader_token(world: World) -> str:
    admin = Principal(actor=world.admin.as_actor())
    issued = await world.gateway.app.api_tokens.create(
        admin, name="contract", location_id=world.site_id, scopes=frozenset({TokenScope.READ})
    )
    return issued.secret


@pytest.fixture
async def schema(http: httpx.AsyncClient) -> schemathesis.BaseSchema:
    response = await http.get("/openapi.json")
    assert response.status_code == 200
    return schemathesis.openapi.from_dict(response.json())


@pytest.mark.timeout(120)
@pytest.mark.parametrize(("role", "method", "path"), RUNS, ids=[" ".join(run) for run in RUNS])
async def test_every_answer_is_documented(
    http: httpx.AsyncClient,
    schema: schemathesis.BaseSchema,
    world: World,
    credentials: dict[str, str],
    method: str,
    path: str,
    role: str,
) -> None:
    token = await _reader_token(world) if role == "reader" else credentials[role]
    operation = schema[path][method.upper()]
    cases = _cases(operation, {"Authorization": f"Bearer {token}"})
    assert cases
    failures: list[str] = []
    for case in cases:
        response = await _send(http, case)
        try:
            case.validate_response(response, checks=CHECKS)
        except FailureGroup as failure:
            failures.append(f"{case.as_curl_command()}\n  -> {response.status_code}: {failure}")
    assert not failures, "\n\n".join(failures)


@pytest.mark.parametrize(
    ("path", "role", "undocument"),
    [
        (
            "/ping-admin",
            "basic",
            lambda spec: spec["paths"]["/ping-admin"]["get"]["responses"].pop("401"),
        ),
        (
            "/ping-auth",
            "basic",
            lambda spec: spec["components"]["schemas"]["Pong"]["properties"].update(
                data={"type": "string"}
            ),
        ),
    ],
    ids=["status", "body"],
)
async def test_the_checks_catch_an_undocumented_answer(
    http: httpx.AsyncClient,
    credentials: dict[str, str],
    path: str,
    role: str,
    undocument: Callable[[dict[str, Any]], object],
) -> None:
    spec = (await http.get("/openapi.json")).json()
    undocument(spec)
    operation = schemathesis.openapi.from_dict(spec)[path]["GET"]
    case = _cases(operation, {"Authorization": f"Bearer {credentials[role]}"})[0]
    response = await _send(http, case)
    with pytest.raises(FailureGroup):
        case.validate_response(response, checks=CHECKS)


# Well-formed JSON, nested deeper than Python's parser recurses: a malformed body like any other.
TOO_DEEP = "[" * 5_000 + "]" * 5_000


@pytest.mark.parametrize(("role", "method", "path"), RUNS, ids=[" ".join(run) for run in RUNS])
async def test_json_nested_too_deeply_is_a_documented_answer(
    http: httpx.AsyncClient,
    schema: schemathesis.BaseSchema,
    world: World,
    credentials: dict[str, str],
    method: str,
    path: str,
    role: str,
) -> None:
    token = await _reader_token(world) if role == "reader" else credentials[role]
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    case = _cases(schema[path][method.upper()], headers)[0]
    url = httpx.URL(case.formatted_path).copy_with(query=b"")
    for sent in ({"content": TOO_DEEP}, {"params": {"filter": TOO_DEEP}}):
        response = await http.request(method, url, headers=headers, **sent)
        case.validate_response(response, checks=CHECKS)
