"""The exact SQL statement count of every benchmark document (bench/queries.py), through
the real app over HTTP on seeded data, and the proof that no count grows with the data:
the benchmark measures time, these pin the work behind it."""

from __future__ import annotations

from typing import Any

from bench import queries
from gateway.app import Gateway
from tests.perf.dataset import PerfData, seed
from tests.support.graphql import GraphQLClient
from tests.support.statements import counting_statements
from tests.support.world import World

# On SQLite a read of several statements starts with the `BEGIN` of gateway.store.engine,
# counted here; a read of one statement needs none (SqlDatabase.glancing). A signed-in
# request starts with one statement: the token holder's account.
EXPECTED = {
    "TRIVIAL": 0,
    "ME": 1,  # authentication, whose account read `me` answers from
    "ROOM": 3,  # authentication; the room (BEGIN, SELECT)
    # authentication; the page of rooms (BEGIN, SELECT); its floors; its room-days
    # (BEGIN, bookings, attendees); who shares a booking with the caller; their accounts
    "NESTED": 9,
    "UPCOMING": 5,  # authentication; the bookings and their attendees; their rooms
    "SLOTS": 6,  # authentication; the room; its day (BEGIN, bookings, attendees)
    "FREE_ROOMS": 2,  # nobody signed in; the rooms free in every slot (BEGIN, SELECT)
    "HISTORY": 5,  # authentication; the tree, the counts now and the hourly rollups
    # authentication; BEGIN IMMEDIATE, the room, the overlap check, the invitees, the
    # booking, its attendees, the mail, notification settings and the reminders
    "BOOK": 10,
}
# Who sends each document (None: nobody signed in); Alice, a basic user, otherwise.
CALLER = {"TRIVIAL": None, "FREE_ROOMS": None, "HISTORY": "admin"}


def documents() -> dict[str, str]:
    """Every document of bench/queries.py, by name."""
    return {
        name: value
        for name, value in vars(queries).items()
        if name.isupper() and isinstance(value, str)
    }


async def _count(
    client: GraphQLClient, gateway: Gateway, data: PerfData, name: str, **kw: Any
) -> tuple[int, dict[str, Any]]:
    caller = CALLER.get(name, "alice")
    token = data.tokens[caller] if caller else None
    variables = data.variables(name, **kw)
    with counting_statements(gateway) as statements:
        found = await client.data(documents()[name], variables, token=token)
    await gateway.pushes.drain()  # a booking's pushes are not the next document's
    return len(statements), found


async def test_every_benchmark_document_costs_its_pinned_number_of_statements(
    client: GraphQLClient, gateway: Gateway, world: World
) -> None:
    data = await seed(world)
    assert set(documents()) == set(EXPECTED)
    counts = {}
    for name in EXPECTED:
        first, found = await _count(client, gateway, data, name)
        again, _ = await _count(client, gateway, data, name)  # warm caches change nothing
        assert found, name
        counts[name] = (first, again)
    assert counts == {name: (n, n) for name, n in EXPECTED.items()}


async def test_the_nested_read_costs_the_same_on_2_rooms_as_on_10(
    client: GraphQLClient, gateway: Gateway, world: World
) -> None:
    """No N+1: the rooms, their bookings, attendees and accounts are batched."""
    data = await seed(world)
    small, small_found = await _count(client, gateway, data, "NESTED", floor=data.small_floor)
    big, big_found = await _count(client, gateway, data, "NESTED", floor=data.big_floor)
    assert [len(f["rooms"]["edges"]) for f in (small_found, big_found)] == [2, 10]
    bookings = [e["node"]["bookings"] for e in big_found["rooms"]["edges"]]
    assert {len(b) for b in bookings} == {5}
    attendees = [a for day in bookings for b in day for a in b["attendees"]]
    assert len(attendees) == 150
    assert all(a["user"]["name"] for a in attendees)
    assert small == big == EXPECTED["NESTED"]
