"""Reading the audit log: admins only (GraphQL and the HTTP export), filters, newest-first
pages, exports that round-trip, refused changes that leave nothing, and the cost of
auditing a booking (one INSERT)."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from typing import Any

import pytest

from domain.api_tokens import TokenScope
from gateway.app import Gateway
from gateway.services.audit_records import AuditQuery
from gateway.services.bookings import BookingRequest
from gateway.services.records import encode_cursor
from tests.schema.test_sql_statement_counts import counting_statements
from tests.support.bookings import book, instant, local
from tests.support.clock import MutableClock
from tests.support.graphql import JSON, GraphQLClient, error_codes
from tests.support.world import World, location_gid, user_gid

LOG = """
query Log($filter: AuditFilter, $first: Int, $after: String) {
  auditLog(filter: $filter, first: $first, after: $after) {
    totalCount
    edges { cursor node { number at entity entityId action before after client
      actor { kind label userId tokenId } } }
    pageInfo { hasNextPage endCursor }
  }
}
"""
ERRORS = "errors { code message field }"


async def count(gateway: Gateway) -> int:
    return len([e async for e in gateway.app.audit.export_as_operator(AuditQuery())])


async def log(client: GraphQLClient, token: str, **variables: Any) -> JSON:
    connection: JSON = (await client.data(LOG, variables, token=token))["auditLog"]
    return connection


async def export(client: GraphQLClient, token: str | None, **params: str) -> Any:
    headers = {} if token is None else {"Authorization": f"Bearer {token}"}
    return await client.http.get("/admin/audit-log", params=params, headers=headers)


async def test_a_basic_user_cannot_read_the_log(
    client: GraphQLClient, world: World, tokens: dict[str, str]
) -> None:
    body = await client.run(LOG, {}, token=tokens["alice"])
    assert body["data"] is None
    assert error_codes(body) == ["FORBIDDEN"]
    for token, status in ((tokens["alice"], 403), (None, 401)):
        response = await export(client, token, format="csv")
        assert response.status_code == status, response.text
        assert "alice@example.com" not in response.text
        assert response.json()["error"]["code"] == ("FORBIDDEN" if token else "UNAUTHENTICATED")


async def test_an_api_token_cannot_read_the_log(
    client: GraphQLClient, world: World, gateway: Gateway
) -> None:
    issued = await gateway.app.api_tokens.issue_as_operator(
        name="dash", location_id=None, scopes=frozenset({TokenScope.READ, TokenScope.INGEST})
    )
    response = await export(client, issued.secret)
    assert response.status_code == 401
    body = await client.run(LOG, {}, token=issued.secret)
    assert error_codes(body) == ["UNAUTHENTICATED"]


async def test_admins_page_the_log_newest_first_and_filter_it(
    client: GraphQLClient, world: World, tokens: dict[str, str], clock: MutableClock
) -> None:
    for start, end in (("10:00", "11:00"), ("12:00", "13:00"), ("14:00", "15:00")):
        clock.advance(timedelta(minutes=1))
        payload = await book(client, tokens["alice"], start=local(start), end=local(end))
        assert payload["errors"] == []
    bookings = {"entity": "BOOKING"}

    first = await log(client, tokens["admin"], filter=bookings, first=2)
    rest = await log(
        client, tokens["admin"], filter=bookings, first=2, after=first["pageInfo"]["endCursor"]
    )

    assert first["totalCount"] == 3
    nodes = [e["node"] for e in first["edges"] + rest["edges"]]
    assert (first["pageInfo"]["hasNextPage"], rest["pageInfo"]["hasNextPage"]) == (True, False)
    assert [n["action"] for n in nodes] == ["booked"] * 3
    numbers = [n["number"] for n in nodes]
    assert numbers == sorted(numbers, reverse=True)
    assert [n["at"] for n in nodes] == sorted((n["at"] for n in nodes), reverse=True)
    assert {n["actor"]["userId"] for n in nodes} == {user_gid(world.alice)}
    assert nodes[0]["actor"] == {
        "kind": "USER",
        "label": f"user:{world.alice.id}",
        "userId": user_gid(world.alice),
        "tokenId": None,
    }
    newest = nodes[0]
    by_id = await log(client, tokens["admin"], filter={"entityId": newest["entityId"]})
    assert [e["node"] for e in by_id["edges"]] == [newest]
    since = await log(client, tokens["admin"], filter={**bookings, "since": newest["at"]})
    until = await log(client, tokens["admin"], filter={**bookings, "until": newest["at"]})
    assert (since["totalCount"], until["totalCount"]) == (1, 2)
    for actor in (user_gid(world.alice), str(world.alice.id), f"user:{world.alice.id}"):
        mine = await log(client, tokens["admin"], filter={"actor": actor})
        assert mine["totalCount"] == 3, actor
    system = await log(client, tokens["admin"], filter={"actor": "system"})
    assert {e["node"]["action"] for e in system["edges"]} == {"created"}  # the world's people
    assert (await log(client, tokens["admin"], filter={"action": "cancelled"}))["totalCount"] == 0


@pytest.mark.parametrize(
    ("filter", "field"),
    [
        ({"actor": "robot:1"}, "actor"),
        ({"actor": "user:x"}, "actor"),
        ({"entityId": "x" * 201}, "entityId"),
        ({"since": "2026-11-24T00:00:00Z", "until": "2026-11-23T00:00:00Z"}, "until"),
        ({"since": "0001-01-01T00:00:00+14:00"}, "since"),
        ({"entityId": "RM\ud800"}, "entityId"),
        ({"action": "booked\x00"}, "action"),
    ],
)
async def test_a_bad_filter_is_a_precise_error(
    client: GraphQLClient, world: World, tokens: dict[str, str], filter: JSON, field: str
) -> None:
    # Sent as ASCII JSON, so a lone surrogate travels as its escape, as a client sends it.
    response = await client.http.post(
        "/graphql",
        content=json.dumps({"query": LOG, "variables": {"filter": filter}}),
        headers={"Authorization": f"Bearer {tokens['admin']}", "Content-Type": "application/json"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert error_codes(body) == ["INVALID_INPUT"]
    assert body["errors"][0]["extensions"]["field"] == field


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"format": "xml"}, "format"),
        ({"since": "yesterday"}, "since"),
        ({"since": "2026-11-24T00:00:00"}, "since"),
        ({"entity": "planet"}, "entity"),
        ({"actor": "nobody:1"}, "actor"),
        ({"until": "0001-01-01T00:00:00+14:00"}, "until"),
        ({"since": "9999-12-31T23:59:59.999999-01:00"}, "since"),
    ],
)
async def test_a_bad_export_request_is_a_400_naming_the_parameter(
    client: GraphQLClient, world: World, tokens: dict[str, str], params: dict[str, str], field: str
) -> None:
    response = await export(client, tokens["admin"], **params)
    assert response.status_code == 400
    assert response.json()["error"]["field"] == field


async def _some_changes(client: GraphQLClient, world: World, tokens: dict[str, str]) -> None:
    payload = await book(client, tokens["alice"], title='Quarterly, "big" review')
    assert payload["errors"] == []
    for query, variables in (
        (
            f"mutation M($input: SetRoleInput!) {{ setRole(input: $input) {{ {ERRORS} }} }}",
            {"input": {"user": user_gid(world.bob), "role": "ADMIN"}},
        ),
        (
            "mutation M($input: AddLocationInput!) { addLocation(input: $input) { "
            + ERRORS
            + " } }",
            {
                "input": {
                    "kind": "BUILDING",
                    "name": "Annex",
                    "parentId": location_gid(world.site_id),
                }
            },
        ),
    ):
        data = await client.data(query, variables, token=tokens["admin"])
        assert next(iter(data.values()))["errors"] == []


def _from_csv(text: str) -> list[JSON]:
    rows = list(csv.DictReader(io.StringIO(text)))
    return [
        {
            **row,
            "number": int(row["number"]),
            "before": json.loads(row["before"]) if row["before"] else None,
            "after": json.loads(row["after"]) if row["after"] else None,
            "client": row["client"] or None,
        }
        for row in rows
    ]


def _from_graphql(nodes: list[JSON]) -> list[JSON]:
    return [
        {
            "number": n["number"],
            "actor": n["actor"]["label"],
            "entity": n["entity"].lower(),
            "entity_id": n["entityId"],
            "action": n["action"],
            "before": n["before"],
            "after": n["after"],
            "client": n["client"],
        }
        for n in nodes
    ]


async def test_exports_round_trip(
    client: GraphQLClient, world: World, tokens: dict[str, str], gateway: Gateway
) -> None:
    await _some_changes(client, world, tokens)
    everything = await log(client, tokens["admin"], first=100)
    expected = _from_graphql([e["node"] for e in everything["edges"]])
    assert everything["totalCount"] == len(expected) == await count(gateway)

    as_jsonl = await export(client, tokens["admin"], format="jsonl")
    as_csv = await export(client, tokens["admin"], format="csv")

    assert as_jsonl.headers["content-type"] == "application/x-ndjson"
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert "attachment" in as_csv.headers["content-disposition"]
    lines = [json.loads(line) for line in as_jsonl.text.splitlines()]
    for exported in (lines, _from_csv(as_csv.text)):
        assert [{k: e[k] for k in expected[0]} for e in exported] == expected
        assert all(e["at"] for e in exported)
    since = everything["edges"][1]["node"]["at"]
    newer = await export(client, tokens["admin"], format="jsonl", since=since)
    assert len(newer.text.splitlines()) == sum(
        1 for e in everything["edges"] if e["node"]["at"] >= since
    )


async def test_the_export_is_bounded(
    client: GraphQLClient, world: World, tokens: dict[str, str], gateway: Gateway
) -> None:
    await _some_changes(client, world, tokens)
    total = await count(gateway)
    limited = [e async for e in gateway.app.audit.export_as_operator(AuditQuery(), limit=3)]
    assert len(limited) == 3 < total
    paged = [e async for e in gateway.app.audit.export_as_operator(AuditQuery(), limit=10**6)]
    assert len(paged) == total


REFUSED = [
    (
        "bookRoom",
        "BookRoomInput",
        "alice",
        {"roomId": "RM999", "start": "2026-11-24T10:00:00Z", "end": "2026-11-24T11:00:00Z"},
        "NOT_FOUND",
    ),
    (
        "bookRoom",
        "BookRoomInput",
        "alice",
        {"roomId": "RM000", "start": "2026-11-24T11:00:00Z", "end": "2026-11-24T10:00:00Z"},
        "INVALID_INPUT",
    ),
    ("setRole", "SetRoleInput", "alice", {"user": "3", "role": "ADMIN"}, "FORBIDDEN"),
    (
        "createUser",
        "CreateUserInput",
        "admin",
        {"email": "dave@example.com", "name": "Dave", "password": "short"},
        "INVALID_INPUT",
    ),
    (
        "addRoom",
        "AddRoomInput",
        "alice",
        {"floorId": "3", "code": "RM900", "name": "X"},
        "FORBIDDEN",
    ),
    ("addLocation", "AddLocationInput", "admin", {"kind": "SITE", "name": "Moon"}, "INVALID_INPUT"),
    (
        "changePassword",
        "ChangePasswordInput",
        "alice",
        {
            "currentPassword": "wrong-Passw0rd!",
            "newPassword": "An0ther-Secret!",
            "newPasswordConfirm": "An0ther-Secret!",
        },
        "INVALID_INPUT",
    ),
    (
        "register",
        "RegisterInput",
        None,
        {"email": "erin@example.com", "code": "000000", "password": "An0ther-Secret!", "name": "E"},
        "INVALID_CODE",
    ),
    (
        "allowAddress",
        "AllowAddressInput",
        "admin",
        {"address": "not-an-ip", "users": ["2"]},
        "INVALID_INPUT",
    ),
    (
        "createApiToken",
        "CreateApiTokenInput",
        "admin",
        {"name": " ", "scopes": ["READ"]},
        "INVALID_INPUT",
    ),
    ("revokeApiToken", "RevokeApiTokenInput", "admin", {"id": "999"}, "NOT_FOUND"),
    (
        "setLocationCapacity",
        "SetLocationCapacityInput",
        "admin",
        {"location": "1", "capacity": 10},
        "INVALID_INPUT",
    ),
]


@pytest.mark.parametrize(
    ("name", "input_type", "who", "variables", "code"),
    REFUSED,
    ids=[f"{r[0]}-{r[4]}" for r in REFUSED],
)
async def test_a_refused_change_records_nothing(
    client: GraphQLClient,
    world: World,
    tokens: dict[str, str],
    gateway: Gateway,
    name: str,
    input_type: str,
    who: str | None,
    variables: JSON,
    code: str,
) -> None:
    if name == "register":
        await gateway.app.accounts.request_registration_code("erin@example.com")
    before = await count(gateway)
    token = None if who is None else tokens[who]
    query = f"mutation M($input: {input_type}!) {{ {name}(input: $input) {{ {ERRORS} }} }}"

    payload = (
        await client.data(query, {"input": variables}, **({"token": token} if token else {}))
    )[name]

    assert [e["code"] for e in payload["errors"]] == [code], payload
    assert await count(gateway) == before


async def test_auditing_a_booking_costs_one_insert(
    gateway: Gateway, world: World, clock: MutableClock
) -> None:
    request = BookingRequest("RM000", instant("10:00"), instant("11:00"), title="counted")
    with counting_statements(gateway) as statements:
        await gateway.app.bookings.book(world.principal(world.alice), request)
    audited = [s for s in statements if "audit_events" in s]
    assert len(audited) == 1, audited
    assert audited[0].lstrip().upper().startswith("INSERT INTO AUDIT_EVENTS")


async def test_ids_beyond_the_databases_range_are_refused_or_match_nothing(
    client: GraphQLClient, world: World, tokens: dict[str, str]
) -> None:
    """No id beyond the databases' 32-bit columns reaches SQL (PostgreSQL would raise)."""
    huge = 2**63 - 1
    none = await log(client, tokens["admin"], filter={"actor": f"token:{huge}"})
    assert none["totalCount"] == 0
    by_number = await client.run(LOG, {"filter": {"actor": str(huge)}}, token=tokens["admin"])
    assert error_codes(by_number) == ["INVALID_INPUT"]
    assert by_number["errors"][0]["extensions"]["field"] == "actor"
    cursor = encode_cursor("audit", [huge])
    after = await client.run(LOG, {"first": 100, "after": cursor}, token=tokens["admin"])
    assert error_codes(after) == ["INVALID_INPUT"]
