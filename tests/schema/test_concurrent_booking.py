"""Twenty simultaneous requests for one slot: the database lets exactly one through."""

from __future__ import annotations

import asyncio
from collections import Counter

from tests.support.graphql import GraphQLClient
from tests.support.world import World

BOOK = """
mutation Book($input: BookRoomInput!) {
  bookRoom(input: $input) { booking { id } errors { code } }
}
"""
SLOT = {"roomId": "RM000", "start": "2026-11-24T10:00:00+02:00", "end": "2026-11-24T11:00:00+02:00"}


async def test_twenty_concurrent_bookings_of_one_slot_let_exactly_one_through(
    client: GraphQLClient, world: World, tokens: dict[str, str]
) -> None:
    people = list(tokens.values())
    responses = await asyncio.gather(
        *(client.data(BOOK, {"input": SLOT}, token=people[i % len(people)]) for i in range(20))
    )
    payloads = [r["bookRoom"] for r in responses]
    booked = [p["booking"]["id"] for p in payloads if p["booking"]]
    refused = Counter(e["code"] for p in payloads for e in p["errors"])
    assert len(booked) == 1
    assert refused == {"SLOT_TAKEN": 19}

    listing = await client.data(
        '{ bookings(filter: {roomId: "RM000"}) { totalCount edges { node { id } } } }',
        token=tokens["admin"],
    )
    assert listing["bookings"]["totalCount"] == 1
    assert listing["bookings"]["edges"][0]["node"]["id"] == booked[0]


async def test_concurrent_bookings_of_different_slots_all_succeed(
    client: GraphQLClient, world: World, tokens: dict[str, str]
) -> None:
    slots = [
        {
            "roomId": "RM000",
            "start": f"2026-11-24T{hour:02d}:00:00+02:00",
            "end": f"2026-11-24T{hour + 1:02d}:00:00+02:00",
        }
        for hour in range(8, 17)
    ]
    responses = await asyncio.gather(
        *(client.data(BOOK, {"input": slot}, token=tokens["alice"]) for slot in slots)
    )
    assert all(r["bookRoom"]["errors"] == [] for r in responses)
