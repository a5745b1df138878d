"""Nested lists are batched: the statement count does not grow with the number of rooms."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from gateway.app import Gateway
from gateway.services.bookings import BookingRequest
from tests.support.graphql import GraphQLClient
from tests.support.statements import counting_statements as counting_statements
from tests.support.world import ZONE, World

DAY = datetime(2026, 11, 24, tzinfo=ZoneInfo(ZONE)).date()
NESTED = """
query Nested($first: Int!) {
  rooms(first: $first) { totalCount edges { node { id
    bookings(date: "2026-11-24") { id createdBy { email } room { id }
      attendees { email user { name } } } } } } }
"""


async def _fill(world: World, rooms: int) -> None:
    """`rooms` rooms, each with two bookings of two attendees."""
    await world.add_rooms(rooms - len(world.rooms))
    pairs = ((9, world.alice, world.bob), (13, world.bob, world.alice))
    for code in world.rooms:
        for hour, creator, guest in pairs:
            await world.gateway.app.bookings.book(
                world.principal(creator),
                BookingRequest(
                    room_code=code,
                    start=datetime.combine(DAY, time(hour), tzinfo=ZoneInfo(ZONE)),
                    end=datetime.combine(DAY, time(hour + 1), tzinfo=ZoneInfo(ZONE)),
                    attendees=[guest.email],
                ),
            )
    # The invitations' pushes run in the background; they must not count as the query's.
    await world.gateway.pushes.drain()


async def _count(client: GraphQLClient, gateway: Gateway, token: str, rooms: int) -> int:
    with counting_statements(gateway) as statements:
        data = await client.data(NESTED, {"first": rooms}, token=token)
    edges = data["rooms"]["edges"]
    assert len(edges) == rooms
    assert all(len(e["node"]["bookings"]) == 2 for e in edges)
    assert all(len(b["attendees"]) == 2 for e in edges for b in e["node"]["bookings"])
    return len(statements)


async def test_rooms_bookings_attendees_cost_a_constant_number_of_statements(
    client: GraphQLClient, gateway: Gateway, world: World, tokens: dict[str, str]
) -> None:
    await _fill(world, 50)
    counts = {n: await _count(client, gateway, tokens["admin"], n) for n in (1, 10, 50)}
    assert counts[1] == counts[10] == counts[50], counts
    # Authentication, the page and its count, then one batch per nested list.
    assert counts[1] <= 12, counts


EDGES = "edges { node { id } }"
CONNECTIONS = {
    "rooms": "rooms(first: 3)",
    "locations": "locations(first: 3)",
    "users": "users(first: 3)",
    "bookings": "bookings(first: 3)",
    "myBookings": "myBookings(first: 3)",
}
TYPES = {
    "rooms": "RoomConnection",
    "locations": "LocationConnection",
    "users": "UserConnection",
    "bookings": "BookingConnection",
    "myBookings": "BookingConnection",
}


def _forms(field: str) -> dict[str, str]:
    """The same page of `field`, without `totalCount` and with it in three ways."""
    call, kind = CONNECTIONS[field], TYPES[field]
    return {
        "without": f"{{ {call} {{ {EDGES} }} }}",
        "direct": f"{{ {call} {{ totalCount {EDGES} }} }}",
        "fragment": f"query {{ {call} {{ ...Counted {EDGES} }} }}"
        f" fragment Counted on {kind} {{ totalCount }}",
        "inline": f"{{ {call} {{ ... on {kind} {{ totalCount }} {EDGES} }} }}",
        "nested-fragments": f"query {{ {call} {{ ...Outer }} }}"
        f" fragment Outer on {kind} {{ {EDGES} ... on {kind} {{ ...Inner }} }}"
        f" fragment Inner on {kind} {{ total: totalCount }}",
    }


@pytest.mark.parametrize("field", list(CONNECTIONS))
async def test_total_count_costs_a_statement_only_when_selected(
    client: GraphQLClient, gateway: Gateway, world: World, tokens: dict[str, str], field: str
) -> None:
    await _fill(world, 4)  # Alice is in every booking; only admins list users
    caller = "admin" if field == "users" else "alice"
    counts: dict[str, int] = {}
    totals: dict[str, int] = {}
    for form, query in _forms(field).items():
        with counting_statements(gateway) as statements:
            data = await client.data(query, token=tokens[caller])
        counts[form] = len(statements)
        connection = data[field]
        assert len(connection["edges"]) == 3, (form, connection)
        if form != "without":
            totals[form] = connection.get("totalCount", connection.get("total"))

    assert counts["without"] >= 1
    assert {form: n - counts["without"] for form, n in counts.items()} == {
        "without": 0,
        "direct": 1,
        "fragment": 1,
        "inline": 1,
        "nested-fragments": 1,
    }
    assert len(set(totals.values())) == 1, totals
    assert next(iter(totals.values())) > 3
