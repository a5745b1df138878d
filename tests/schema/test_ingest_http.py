"""`POST /ingest/readings` and the GraphQL ingest and history on the real app and
database: JSON arrays and lines, thousands per request, refusals by index, bounds, tokens."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import httpx

from domain.locations import LocationKind
from gateway.services.authz import Principal
from tests.support.clock import MutableClock
from tests.support.graphql import GraphQLClient
from tests.support.world import World, location_gid

CREATE = """
mutation C($input: CreateApiTokenInput!) {
  createApiToken(input: $input) { secret errors { code } }
}
"""
NOW_QUERY = "query O($l: ID!) { occupancy(location: $l) { count isActive } }"
INGEST = """
mutation I($input: IngestReadingsInput!) {
  ingestReadings(input: $input) {
    accepted duplicates rejected { index reason } errors { code message field }
  }
}
"""
HISTORY = """
query H($input: OccupancyHistoryInput!) {
  occupancyHistory(input: $input) {
    message capacity
    dailyOccupancy { date avg peak avgPercentage peakPercentage }
    hourlyOccupancy { hour avg peak }
    dailyVisitors { date visitors }
    hourlyVisitors { hourStart visitors }
    dailyDwellTime { date avgMinutes peakMinutes }
  }
}
"""


async def zone(world: World, capacity: int = 50) -> int:
    admin = Principal(actor=world.admin.as_actor())
    made = await world.gateway.app.directory.add_location(
        admin, kind=LocationKind.ZONE, name="Lobby", parent_id=world.floor_id, capacity=capacity
    )
    return made.id


async def token(client: GraphQLClient, admin: str, scope: str, location: int | None = None) -> str:
    variables: dict[str, Any] = {"name": "t", "scopes": [scope]}
    if location:
        variables["location"] = location_gid(location)
    data = await client.data(CREATE, {"input": variables}, token=admin)
    secret: str = data["createApiToken"]["secret"]
    return secret


def iso(clock: MutableClock, minutes_ago: float = 0) -> str:
    return (clock.now() - timedelta(minutes=minutes_ago)).isoformat()


async def post(
    client: GraphQLClient, body: bytes | str, secret: str | None, **headers: str
) -> httpx.Response:
    sent = {"Authorization": f"Bearer {secret}"} if secret else {}
    return await client.http.post("/ingest/readings", content=body, headers={**sent, **headers})


async def test_a_json_array_of_thousands_is_one_answer_and_counts_show_up(
    client: GraphQLClient, world: World, tokens: dict[str, str], clock: MutableClock
) -> None:
    lobby = await zone(world)
    sensor = await token(client, tokens["admin"], "INGEST", world.floor_id)
    readings = [
        {"locationId": lobby, "time": iso(clock, 30 - n / 100), "count": n % 40}
        for n in range(3000)
    ]
    readings.append({"locationId": world.site_id, "time": iso(clock), "count": 1})
    response = await post(client, json.dumps(readings), sensor)
    assert response.status_code == 200
    assert response.json() == {
        "accepted": 3000,
        "duplicates": 0,
        "rejected": [
            {"index": 3000, "reason": f"location {world.site_id} is not accessible with this token"}
        ],
    }
    seen = await client.data(NOW_QUERY, {"l": str(lobby)}, token=tokens["alice"])
    assert seen["occupancy"] == {"count": 2999 % 40, "isActive": True}


async def test_json_lines_reject_bad_lines_by_index(
    client: GraphQLClient, world: World, tokens: dict[str, str], clock: MutableClock
) -> None:
    lobby = await zone(world)
    sensor = await token(client, tokens["admin"], "INGEST")
    lines = "\n".join(
        [
            json.dumps({"locationId": lobby, "time": iso(clock, 3), "direction": "in"}),
            "{not json",
            "",
            json.dumps({"locationId": lobby, "time": iso(clock, 2), "direction": "in"}),
            json.dumps({"locationId": lobby, "time": iso(clock, 1), "count": -1}),
        ]
    )
    response = await post(client, lines, sensor, **{"Content-Type": "application/x-ndjson"})
    assert response.status_code == 200
    body = response.json()
    assert body["accepted"] == 2
    assert [r["index"] for r in body["rejected"]] == [1, 3]
    assert body["rejected"][0]["reason"].startswith("the line is not JSON")
    assert body["rejected"][1]["reason"] == "count must be between 0 and 1000000"
    seen = await client.data(NOW_QUERY, {"l": str(lobby)}, token=tokens["alice"])
    assert seen["occupancy"]["count"] == 2


async def test_tokens_and_bodies_are_checked(
    client: GraphQLClient, world: World, tokens: dict[str, str], clock: MutableClock
) -> None:
    lobby = await zone(world)
    body = json.dumps([{"locationId": lobby, "time": iso(clock), "count": 1}])
    missing = await post(client, body, None)
    assert missing.status_code == 401
    assert missing.json()["error"]["code"] == "UNAUTHENTICATED"
    reader = await token(client, tokens["admin"], "READ")
    assert (await post(client, body, reader)).status_code == 401
    assert (await post(client, body, "occ_unknown")).status_code == 401
    assert (await post(client, body, tokens["alice"])).status_code == 403
    assert (await post(client, body, tokens["admin"])).status_code == 200
    sensor = await token(client, tokens["admin"], "INGEST")
    broken = await post(client, "[{", sensor)
    assert broken.status_code == 400
    assert broken.json()["error"]["field"] == "body"
    empty = await post(client, "  ", sensor)
    assert empty.json()["error"]["message"] == "the body holds no readings"
    huge = await post(client, b"[" + b" " * (4 * 1024 * 1024) + b"]", sensor)
    assert huge.status_code == 413
    too_many = json.dumps([{"locationId": lobby, "time": iso(clock), "count": 1}] * 10_001)
    refused = await post(client, too_many, sensor)
    assert refused.status_code == 400
    assert refused.json()["error"] == {
        "code": "INVALID_INPUT",
        "message": "send at most 10000 readings",
        "field": "readings",
    }


async def test_graphql_ingest_and_history(
    client: GraphQLClient, world: World, tokens: dict[str, str], clock: MutableClock
) -> None:
    lobby = await zone(world, capacity=8)
    sensor = await token(client, tokens["admin"], "INGEST")
    readings = [
        {"locationId": str(lobby), "time": iso(clock, 30), "count": 1},
        {
            "locationId": location_gid(lobby),
            "time": iso(clock, 20),
            "direction": "IN",
            "visitor": "v",
        },
        {"locationId": str(lobby), "time": iso(clock, 10), "direction": "OUT", "visitor": "v"},
        {"locationId": str(world.floor_id), "time": iso(clock, 5), "count": 1},
    ]
    data = await client.data(INGEST, {"input": {"readings": readings}}, token=sensor)
    assert data["ingestReadings"]["accepted"] == 3
    assert data["ingestReadings"]["rejected"][0]["index"] == 3
    refused = await client.data(INGEST, {"input": {"readings": readings}}, token=tokens["bob"])
    assert [e["code"] for e in refused["ingestReadings"]["errors"]] == ["FORBIDDEN"]
    reader = await token(client, tokens["admin"], "READ", lobby)
    clock.advance(timedelta(days=1))  # the dwell time of a day is known once it ended
    today = (clock.now() - timedelta(days=1)).date().isoformat()
    found = await client.data(
        HISTORY, {"input": {"location": str(lobby), "start": today, "end": today}}, token=reader
    )
    history = found["occupancyHistory"]
    assert (history["message"], history["capacity"]) == ("OK", 8)
    [daily] = history["dailyOccupancy"]
    assert daily["peak"] == 2
    assert daily["peakPercentage"] == 0.25
    assert len(history["hourlyOccupancy"]) == 24
    assert history["dailyVisitors"] == [{"date": today, "visitors": 1}]
    assert len(history["hourlyVisitors"]) == 24
    assert history["dailyDwellTime"] == [{"date": today, "avgMinutes": 10.0, "peakMinutes": 10.0}]
    outside = await client.run(
        HISTORY,
        {"input": {"location": str(world.site_id), "start": today, "end": today}},
        token=reader,
    )
    assert outside["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    backwards = await client.run(
        HISTORY,
        {"input": {"location": str(lobby), "start": today, "end": "2000-01-01"}},
        token=reader,
    )
    assert backwards["errors"][0]["extensions"] == {"code": "INVALID_INPUT", "field": "end"}
