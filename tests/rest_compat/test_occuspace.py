"""Golden tests of the Occuspace v1 API at /v1, byte for byte: the tree, the live count,
each history endpoint, partial and missing ranges, and every refusal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import httpx
import pytest

from domain.api_tokens import TokenScope
from domain.locations import LocationKind
from gateway.services.authz import Principal
from tests.support.clock import MutableClock
from tests.support.world import World

ZURICH = ZoneInfo("Europe/Zurich")
NOW = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
COUNTED, PASSED = date(2026, 11, 20), date(2026, 11, 21)


def local(day: date, hour: int, minute: int) -> str:
    return datetime.combine(day, time(hour, minute), ZURICH).isoformat()


@dataclass
class Sales:
    site: int
    building: int
    first: int
    second: int
    entrance: int
    other: int
    token: str


@pytest.fixture
async def sales(world: World, clock: MutableClock) -> Sales:
    clock.set(NOW)
    app = world.gateway.app
    admin = Principal(actor=world.admin.as_actor())
    add = app.directory.add_location
    kind = LocationKind
    site = await add(admin, kind=kind.SITE, name="Sales", time_zone="Europe/Zurich")
    building = await add(admin, kind=kind.BUILDING, name="Office Building", parent_id=site.id)
    first = await add(
        admin, kind=kind.FLOOR, name="Office 1st Floor", parent_id=building.id, capacity=389
    )
    second = await add(
        admin, kind=kind.FLOOR, name="Office 2nd Floor", parent_id=building.id, capacity=100
    )
    entrance = await add(admin, kind=kind.FLOOR, name="Entrance", parent_id=building.id, capacity=0)
    other = await add(admin, kind=kind.BUILDING, name="Warehouse", parent_id=site.id)
    readings = [
        {"locationId": first.id, "time": local(COUNTED, 9, 10), "count": 20},
        {"locationId": first.id, "time": local(COUNTED, 9, 40), "count": 40},
        {"locationId": first.id, "time": local(COUNTED, 10, 15), "count": 60},
        {"locationId": second.id, "time": local(COUNTED, 9, 30), "count": 10},
        {"locationId": entrance.id, "time": local(PASSED, 9, 5), "direction": "in", "visitor": "a"},
        {
            "locationId": entrance.id,
            "time": local(PASSED, 9, 50),
            "direction": "out",
            "visitor": "a",
        },
        {"locationId": entrance.id, "time": local(PASSED, 10, 20), "direction": "in"},
        {"locationId": entrance.id, "time": local(PASSED, 10, 25), "direction": "out"},
        {"locationId": first.id, "time": "2026-11-23T05:59:00Z", "count": 70},
        {"locationId": second.id, "time": "2026-11-23T05:58:30.250Z", "count": 30},
    ]
    report = await app.ingest.submit(admin, readings)
    assert report.rejected == []
    issued = await app.api_tokens.create(
        admin, name="display", location_id=building.id, scopes=frozenset({TokenScope.READ})
    )
    return Sales(site.id, building.id, first.id, second.id, entrance.id, other.id, issued.secret)


async def get(http: httpx.AsyncClient, path: str, token: str | None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return await http.get(f"/v1{path}", headers=headers)


def ok(data: str, message: str = "OK") -> bytes:
    return f'{{"message":"{message}","data":{data}}}'.encode()


async def test_locations(http: httpx.AsyncClient, sales: Sales) -> None:
    response = await get(http, "/locations", sales.token)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    assert response.content == ok(
        f'[{{"id":{sales.building},"name":"Office Building","parentID":null,"capacity":489,'
        f'"earliestCount":"2026-11-20","isActive":true}},'
        f'{{"id":{sales.first},"name":"Office 1st Floor","parentID":{sales.building},'
        f'"capacity":389,"earliestCount":"2026-11-20","isActive":true}},'
        f'{{"id":{sales.second},"name":"Office 2nd Floor","parentID":{sales.building},'
        f'"capacity":100,"earliestCount":"2026-11-20","isActive":true}},'
        f'{{"id":{sales.entrance},"name":"Entrance","parentID":{sales.building},'
        f'"capacity":0,"earliestCount":"2026-11-21","isActive":false}}]'
    )


@pytest.mark.parametrize("path", ["/locations/{id}/now", "/location/{id}/now"])
async def test_now_sums_the_children(http: httpx.AsyncClient, sales: Sales, path: str) -> None:
    response = await get(http, path.format(id=sales.building), sales.token)
    assert response.content == ok(
        f'{{"id":{sales.building},"name":"Office Building","count":100,"percentage":0.2,'
        f'"timestamp":"2026-11-23T05:59:00.000Z","isActive":true,"childCounts":['
        f'{{"id":{sales.first},"name":"Office 1st Floor","count":70,"percentage":0.18,'
        f'"isActive":true}},'
        f'{{"id":{sales.second},"name":"Office 2nd Floor","count":30,"percentage":0.3,'
        f'"isActive":true}},'
        f'{{"id":{sales.entrance},"name":"Entrance","count":0,"percentage":0,'
        f'"isActive":false}}]}}'
    )
    leaf = await get(http, f"/locations/{sales.second}/now", sales.token)
    assert leaf.content == ok(
        f'{{"id":{sales.second},"name":"Office 2nd Floor","count":30,"percentage":0.3,'
        f'"timestamp":"2026-11-23T05:58:30.250Z","isActive":true,"childCounts":null}}'
    )


RANGE = "?start=2026-11-20&end=2026-11-21"


async def test_daily_occupancy(http: httpx.AsyncClient, sales: Sales) -> None:
    response = await get(http, f"/locations/{sales.building}/daily_occupancy{RANGE}", sales.token)
    assert response.content == ok(
        '{"dailyOccupancy":['
        '{"avgOccupancy":50,"avgPercentageOccupied":0.1,"peakOccupancy":60,'
        '"peakPercentageOccupied":0.12,"timestamp":"2026-11-20 00:00:00",'
        '"normalizedDate":"2026-11-20"},'
        '{"avgOccupancy":1,"avgPercentageOccupied":0,"peakOccupancy":1,'
        '"peakPercentageOccupied":0,"timestamp":"2026-11-21 00:00:00",'
        '"normalizedDate":"2026-11-21"}]}'
    )


def zero_hour(hour: int) -> str:
    return (
        '{"avgOccupancy":0,"avgPercentageOccupied":0,"peakOccupancy":0,'
        f'"peakPercentageOccupied":0,"normalizedTime":"{hour:02d}:00:00"}}'
    )


async def test_hourly_occupancy(http: httpx.AsyncClient, sales: Sales) -> None:
    path = f"/locations/{sales.first}/hourly_occupancy?start=2026-11-20&end=2026-11-20"
    response = await get(http, path, sales.token)
    rows = [zero_hour(h) for h in range(24)]
    rows[9] = (
        '{"avgOccupancy":30,"avgPercentageOccupied":0.08,"peakOccupancy":40,'
        '"peakPercentageOccupied":0.1,"normalizedTime":"09:00:00"}'
    )
    rows[10] = (
        '{"avgOccupancy":60,"avgPercentageOccupied":0.15,"peakOccupancy":60,'
        '"peakPercentageOccupied":0.15,"normalizedTime":"10:00:00"}'
    )
    assert response.content == ok('{"hourlyOccupancy":[' + ",".join(rows) + "]}")


async def test_daily_and_hourly_visitors(http: httpx.AsyncClient, sales: Sales) -> None:
    daily = await get(http, f"/locations/{sales.building}/daily_visitors{RANGE}", sales.token)
    assert daily.content == ok(
        '{"dailyVisitors":['
        '{"visitors":0,"timestamp":"2026-11-20 00:00:00","normalizedDate":"2026-11-20",'
        '"normalizedTime":"00:00:00"},'
        '{"visitors":2,"timestamp":"2026-11-21 00:00:00","normalizedDate":"2026-11-21",'
        '"normalizedTime":"00:00:00"}]}'
    )
    path = f"/locations/{sales.entrance}/hourly_visitors?start=2026-11-21&end=2026-11-21"
    hourly = await get(http, path, sales.token)
    expected = [
        f'{{"visitors":{1 if h in (9, 10) else 0},"timestamp":"2026-11-21 {h:02d}:00:00",'
        f'"normalizedDate":"2026-11-21","normalizedTime":"{h:02d}:00:00"}}'
        for h in range(24)
    ]
    assert hourly.content == ok('{"hourlyVisitors":[' + ",".join(expected) + "]}")


async def test_daily_dwell_time(http: httpx.AsyncClient, sales: Sales) -> None:
    response = await get(http, f"/locations/{sales.building}/daily_dwell_time{RANGE}", sales.token)
    assert response.content == ok(
        '{"dailyDwellTimes":[{"avgDwellTime":45,"peakDwellTime":45,'
        '"timestamp":"2026-11-21 00:00:00","normalizedDate":"2026-11-21",'
        '"normalizedTime":"00:00:00"}]}'
    )


async def test_partial_and_missing_ranges_say_so(http: httpx.AsyncClient, sales: Sales) -> None:
    early = await get(
        http,
        f"/locations/{sales.building}/daily_visitors?start=2026-11-19&end=2026-11-20",
        sales.token,
    )
    assert early.content == ok(
        '{"dailyVisitors":[{"visitors":0,"timestamp":"2026-11-20 00:00:00",'
        '"normalizedDate":"2026-11-20","normalizedTime":"00:00:00"}]}',
        "Data unavailable before 2026-11-20",
    )
    before = await get(
        http,
        f"/locations/{sales.building}/hourly_occupancy?start=2026-11-01&end=2026-11-02",
        sales.token,
    )
    assert before.content == ok('{"hourlyOccupancy":[]}', "RANGE MISSING")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "start is required, as YYYY-MM-DD"),
        ("?start=2026-11-20", "end is required, as YYYY-MM-DD"),
        (
            "?start=2026-11-1&end=2026-11-20",
            "start must be a date in YYYY-MM-DD format, not '2026-11-1'",
        ),
        (
            "?start=2026-11-20&end=2026-02-30",
            "end must be a date in YYYY-MM-DD format, not '2026-02-30'",
        ),
        ("?start=2026-11-20&end=2026-11-19", "end must not be before start"),
        ("?start=2024-01-01&end=2026-01-01", "a range covers at most 366 days"),
    ],
)
async def test_bad_arguments_are_400_naming_the_argument(
    http: httpx.AsyncClient, sales: Sales, query: str, message: str
) -> None:
    response = await get(http, f"/locations/{sales.building}/daily_occupancy{query}", sales.token)
    assert response.status_code == 400
    assert response.content == f'{{"message":"{message}"}}'.encode()


async def test_refusals_are_401(
    http: httpx.AsyncClient, sales: Sales, world: World, tokens: dict[str, str]
) -> None:
    needs = b'{"message":"this needs an API token with read"}'
    for token in (None, tokens["alice"], tokens["admin"]):
        response = await get(http, "/locations", token)
        assert (response.status_code, response.content) == (401, needs)
    unknown = await get(http, "/locations", "occ_nope")
    assert (unknown.status_code, unknown.content) == (
        401,
        b'{"message":"the API token is unknown"}',
    )
    for outside in (sales.site, sales.other, 999_999):
        response = await get(http, f"/locations/{outside}/now", sales.token)
        assert response.status_code == 401
        expected = f'{{"message":"location {outside} is not accessible with this token"}}'
        assert response.content == expected.encode()
    response = await get(http, f"/locations/{sales.other}/daily_visitors{RANGE}", sales.token)
    assert response.status_code == 401
    bad_id = await get(http, "/locations/abc/now", sales.token)
    assert (bad_id.status_code, bad_id.content) == (
        400,
        b'{"message":"id must be a location number, not \'abc\'"}',
    )
    admin = Principal(actor=world.admin.as_actor())
    sensor = await world.gateway.app.api_tokens.create(
        admin, name="s", location_id=None, scopes=frozenset({TokenScope.INGEST})
    )
    assert (await get(http, "/locations", sensor.secret)).content == needs
