"""Values at the edges of what Python can represent get input errors, not INTERNAL."""

from __future__ import annotations

from datetime import date, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from domain.calendar import BookableHours, SiteCalendar
from domain.errors import DomainError, ErrorCode
from tests.support.graphql import GraphQLClient
from tests.support.world import World

BOOK = """
mutation Book($input: BookRoomInput!) {
  bookRoom(input: $input) { booking { id } errors { code field message } }
}
"""
ADD_SITE = """
mutation Site($input: AddLocationInput!) {
  addLocation(input: $input) { location { id } errors { code field message } }
}
"""
BOOKINGS = "query B($f: BookingFilter) { bookings(filter: $f) { totalCount } }"


def _booking(**changes: Any) -> dict[str, Any]:
    base = {"roomId": "RM000", "start": "2026-11-24T10:00:00+02:00"}
    return {"input": {**base, "end": "2026-11-24T11:00:00+02:00", **changes}}


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        pytest.param(
            {"attendees": [f"p{n}@example.com" for n in range(10_000)]},
            "attendees",
            "a booking can have at most 500 attendees",
            id="ten-thousand-attendees",
        ),
    ],
)
async def test_edge_bookings_get_input_errors(
    client: GraphQLClient,
    world: World,
    tokens: dict[str, str],
    changes: dict[str, Any],
    field: str,
    message: str,
) -> None:
    data = await client.data(BOOK, _booking(**changes), token=tokens["alice"])
    assert data["bookRoom"]["errors"] == [
        {"code": "INVALID_INPUT", "field": field, "message": message}
    ]


async def test_an_instant_after_the_last_representable_one_is_refused_as_parsed(
    client: GraphQLClient, world: World, tokens: dict[str, str]
) -> None:
    # The bounded DateTime scalar (gateway.schema.time_scalars) refuses it before the use case.
    changes = {"start": "9999-12-31T23:00:00-05:00", "end": "9999-12-31T23:30:00-05:00"}
    body = await client.run(BOOK, _booking(**changes), token=tokens["alice"])
    assert body["data"] is None
    assert [e["extensions"] for e in body["errors"]] == [
        {"code": "INVALID_INPUT", "field": "start"},
        {"code": "INVALID_INPUT", "field": "end"},
    ]


async def test_a_filter_bound_before_year_one_in_utc_is_an_input_error(
    client: GraphQLClient, world: World, tokens: dict[str, str]
) -> None:
    body = await client.run(
        BOOKINGS, {"f": {"endsAfter": "0001-01-01T00:00:00+01:00"}}, token=tokens["alice"]
    )
    [error] = body["errors"]
    assert error["extensions"] == {"code": "INVALID_INPUT", "field": "endsAfter"}


async def test_opening_hours_with_an_offset_are_refused(
    client: GraphQLClient, world: World, tokens: dict[str, str]
) -> None:
    site = {"kind": "SITE", "name": "Offset", "timeZone": "UTC", "opensAt": "08:00:00+02:00"}
    data = await client.data(ADD_SITE, {"input": site}, token=tokens["admin"])
    [error] = data["addLocation"]["errors"]
    assert (error["code"], error["field"]) == ("INVALID_INPUT", "opensAt")


def test_a_day_whose_window_falls_before_year_one_in_utc_is_an_input_error() -> None:
    calendar = SiteCalendar(ZoneInfo("Asia/Tokyo"))
    with pytest.raises(DomainError) as raised:
        calendar.bookable_window(date(1, 1, 1))
    assert (raised.value.code, raised.value.field) == (ErrorCode.INVALID_INPUT, "date")


def test_bookable_hours_refuse_offsets() -> None:
    with pytest.raises(DomainError) as raised:
        BookableHours(time(8, tzinfo=ZoneInfo("UTC")), time(17))
    assert (raised.value.code, raised.value.field) == (ErrorCode.INVALID_INPUT, "opensAt")
