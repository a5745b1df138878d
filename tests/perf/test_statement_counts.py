"""The exact SQL statement count of every benchmark document (bench/queries.py), through
the real app over HTTP on seeded data, and the proof that no count grows with the data:
the benchmark measures time, these pin the work behind it."""

from __future__ import annotations

from typing import Any

from bench import queries
from gateway.app import Gateway
from tests.perf.dataset import PerfData, seed
from tests.support.databases import ON_POSTGRES
from tests.support.graphql import GraphQLClient
from tests.support.statements import counting_statements
from tests.support.world import World

# (statements, transactions begun): a read of several statements runs in a transaction,
# whose `BEGIN` (gateway.store.engine) SQLite sees as a statement and PostgreSQL's driver
# sends on its own; a read of one statement needs none (SqlDatabase.glancing). A
# signed-in request starts with one statement: the token holder's account.
EXPECTED = {
    "TRIVIAL": (0, 0),
    "ME": (1, 0),  # authentication, whose account read `me` answers from
    "ROOM": (2, 1),  # authentication; the room
    "ROOMS_OF_FLOOR": (2, 1),  # authentication; the page of rooms (the REST twin's data)
    # authentication; the page of rooms; its floors; its room-days (bookings, then
    # their attendees, in one transaction); who shares a booking with the caller; their
    # accounts
    "NESTED": (7, 2),
    "UPCOMING": (4, 1),  # authentication; the bookings, their attendees; their rooms
    "SLOTS": (4, 2),  # authentication; the room; its day (bookings, attendees)
    "FREE_ROOMS": (1, 1),  # nobody signed in; the rooms free in every slot
    "HISTORY": (4, 1),  # authentication; the tree, the counts now, the hourly rollups
    # authentication; then in one write transaction: the room, the overlap check, the
    # invitees, the booking, its attendees, the mail, notification settings, reminders,
    # the audit event
    "BOOK": (10, 1),
}
ON_SQLITE = not ON_POSTGRES
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
) -> tuple[tuple[int, int | None], dict[str, Any]]:
    caller = CALLER.get(name, "alice")
    token = data.tokens[caller] if caller else None
    variables = data.variables(name, **kw)
    with counting_statements(gateway) as sent:
        found = await client.data(documents()[name], variables, token=token)
    await gateway.pushes.drain()  # a booking's pushes are not the next document's
    begun = sum(1 for statement in sent if statement.startswith("BEGIN"))
    statements = len(sent) - begun
    # Only SQLite's BEGIN passes through the cursor; elsewhere the driver sends it.
    return (statements, begun) if ON_SQLITE else (statements, None), found


def _expected(name: str) -> tuple[int, int | None]:
    statements, begun = EXPECTED[name]
    return statements, begun if ON_SQLITE else None


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
    assert counts == {name: (_expected(name), _expected(name)) for name in EXPECTED}


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
    assert small == big == _expected("NESTED")
