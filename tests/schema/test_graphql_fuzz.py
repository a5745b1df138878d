"""Fuzzing the GraphQL endpoint with schemathesis: every query and mutation of the
committed schema.graphql, with a bounded, deterministic sample of generated documents
(valid and invalid arguments), sent as an admin to the real app on a fresh database. No
answer may be a 5xx, and no error may be the masked INTERNAL.

Masked errors of a class another area owns (text and time validation: lone surrogates,
overflowing instants, search patterns too complex for SQLite) are recognised by the
exception the gateway logged, and listed in KNOWN_ELSEWHERE: such a run is an xfail that
names them, so they are neither hidden nor blocking. Anything else fails the test."""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import Case, GenerationMode
from schemathesis.core.result import Ok
from schemathesis.graphql import nodes

from tests.support.graphql import GraphQLClient

SCHEMA = Path(__file__).parents[2] / "schema.graphql"
EXAMPLES = {GenerationMode.POSITIVE: 4, GenerationMode.NEGATIVE: 2}
# Logged exception text -> the area that owns the fix (issue 11, input validation).
KNOWN_ELSEWHERE = {
    r"surrogates not allowed": "input-rules (lone surrogates)",
    r"OverflowError|year \d+ is out of range|date value out of range": "input-rules (times)",
    r"LIKE or GLOB pattern too complex": "input-rules (string lengths)",
}
AnyCase = Case[Any]

_instants = st.datetimes(
    min_value=datetime(1971, 1, 1),  # noqa: DTZ001 - bounds of a strategy that adds UTC
    max_value=datetime(2099, 12, 31),  # noqa: DTZ001
    timezones=st.just(UTC),
)
schemathesis.graphql.scalar("DateTime", _instants.map(lambda d: nodes.String(d.isoformat())))
schemathesis.graphql.scalar("Date", _instants.map(lambda d: nodes.String(d.date().isoformat())))
schemathesis.graphql.scalar(
    "Time", st.times(max_value=time(23, 59)).map(lambda t: nodes.String(t.isoformat()))
)


def _operations() -> dict[str, Any]:
    found = {}
    for result in schemathesis.graphql.from_path(SCHEMA).get_all_operations():
        assert isinstance(result, Ok), result  # an operation schemathesis cannot read
        found[result.ok().label] = result.ok()
    return found


OPERATIONS = _operations()


def _cases(operation: Any) -> list[AnyCase]:
    """A fixed sample of documents for `operation`: the same on every run."""
    drawn: list[AnyCase] = []
    for mode, examples in EXAMPLES.items():

        @settings(
            max_examples=examples,
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(generation_mode=mode))
        def collect(case: AnyCase) -> None:
            drawn.append(case)

        collect()
    return drawn


def _known(logged: str) -> str | None:
    return next(
        (owner for pattern, owner in KNOWN_ELSEWHERE.items() if re.search(pattern, logged)), None
    )


def _groups() -> dict[str, list[str]]:
    """Operations that share one fresh database and admin session: every query together,
    every mutation together, except those that end or change the admin's session (they
    would leave the rest of their group UNAUTHENTICATED), which get one of their own."""
    labels = sorted(OPERATIONS)
    alone = [label for label in labels if label in SESSION_CHANGING]
    rest = [label for label in labels if label.startswith("Mutation.") and label not in alone]
    return {
        "queries": [label for label in labels if label.startswith("Query.")],
        "mutations": rest,
        **{label: [label] for label in alone},
    }


SESSION_CHANGING = {
    "Mutation.changePassword",
    "Mutation.logout",
    "Mutation.logoutEverywhere",
    "Mutation.setRole",
    "Mutation.updateSecuritySettings",
}
GROUPS = _groups()


@pytest.mark.timeout(120)
@pytest.mark.parametrize("group", list(GROUPS))
async def test_no_generated_document_gets_a_5xx_or_internal(
    client: GraphQLClient, tokens: dict[str, str], caplog: pytest.LogCaptureFixture, group: str
) -> None:
    failures: list[str] = []
    known: list[str] = []
    executed = 0  # answers with data: the document got past validation to the resolvers
    cases = [case for label in GROUPS[group] for case in _cases(OPERATIONS[label])]
    assert cases
    for case in cases:
        caplog.clear()
        with caplog.at_level(logging.ERROR):
            response = await client.http.post(
                "/graphql",
                json=case.body if isinstance(case.body, dict) else {"query": case.body},
                headers={"Authorization": f"Bearer {tokens['admin']}"},
            )
        codes = _codes(response)
        executed += _has_data(response)
        if response.status_code < 500 and "INTERNAL" not in codes:
            continue
        logged = caplog.text
        owner = _known(logged)
        where = f"{case.body!r}\n  -> {response.status_code} {codes}\n{logged[-600:]}"
        (known if owner else failures).append(f"[{owner}] {where}" if owner else where)
    assert not failures, "\n\n".join(failures)
    assert executed >= len(cases) // 4, f"only {executed} of {len(cases)} documents ran"
    if known:
        pytest.xfail("known, fixed by another area:\n" + "\n".join(known))


def _has_data(response: httpx.Response) -> bool:
    try:
        body = response.json()
    except ValueError:
        return False
    return isinstance(body, dict) and bool(body.get("data"))


def _codes(response: httpx.Response) -> list[str]:
    try:
        body = response.json()
    except ValueError:
        return []
    errors = body.get("errors") or [] if isinstance(body, dict) else []
    return [str((e.get("extensions") or {}).get("code")) for e in errors if isinstance(e, dict)]
