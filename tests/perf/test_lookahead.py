"""Looking ahead (gateway.schema.lookahead) saves awaits and changes no answer: a parent
that loads its children's data first leaves them answering from the cache, through
fragments too, with the statements the children's own batches would have cost; a child
without such a parent loads as before."""

from __future__ import annotations

import asyncio
import inspect
from datetime import date, timedelta

import pytest
from strawberry.dataloader import DataLoader
from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField

from bench import queries
from gateway.app import Gateway
from gateway.schema.lookahead import now_or_later, selects
from tests.perf.dataset import seed
from tests.support.graphql import GraphQLClient
from tests.support.statements import counting_statements
from tests.support.world import World, location_gid


def _field(name: str, *below: SelectedField | InlineFragment | FragmentSpread) -> SelectedField:
    return SelectedField(name=name, directives={}, arguments={}, selections=list(below))


def test_a_path_is_found_directly_and_through_fragments() -> None:
    direct = [_field("attendees", _field("email"), _field("user", _field("name")))]
    spread = [
        _field(
            "attendees",
            FragmentSpread(
                name="Who",
                type_condition="Attendee",
                directives={},
                selections=[InlineFragment(None, [_field("user")], {})],
            ),
        )
    ]
    assert selects(direct, "attendees", "user")
    assert selects(spread, "attendees", "user")
    assert not selects(direct, "attendees", "checkedInAt")
    assert not selects([_field("user")], "attendees", "user")  # not below attendees
    assert selects(direct)  # the empty path is the selection itself


async def test_a_cached_value_is_answered_at_once_and_a_missing_one_later() -> None:
    asked: list[list[int]] = []

    async def load(keys: list[int]) -> list[str]:
        asked.append(list(keys))
        return [f"person {key}" for key in keys]

    loader = DataLoader[int, str](load_fn=load)
    await loader.load_many([1, 2])
    assert now_or_later(loader, 1, str.upper) == "PERSON 1"  # no await, no statement
    later = now_or_later(loader, 3, str.upper)
    assert inspect.isawaitable(later)
    assert await later == "PERSON 3"
    assert asked == [[1, 2], [3]]


async def test_a_failed_load_is_not_answered_from_the_cache() -> None:
    async def load(keys: list[int]) -> list[str]:
        raise LookupError("gone")

    loader = DataLoader[int, str](load_fn=load)
    first = loader.load(1)
    await asyncio.gather(first, return_exceptions=True)
    later = now_or_later(loader, 1, str.upper)
    assert inspect.isawaitable(later)
    with pytest.raises(LookupError, match="gone"):
        await later


NESTED_BY_FRAGMENT = (
    "query Floor($floor: ID!, $date: Date!) { rooms(first: 10, filter: {locationId: $floor}) "
    "{ edges { node { code name floor { name } bookings(date: $date) { code start end "
    "attendees { email ...Who } } } } } } fragment Who on Attendee { user { name } }"
)


async def test_the_nested_read_through_a_fragment_answers_and_costs_the_same(
    client: GraphQLClient, gateway: Gateway, world: World
) -> None:
    data = await seed(world)
    token = data.tokens["alice"]
    variables = data.variables("NESTED")
    with counting_statements(gateway) as plain_sent:
        plain = await client.data(queries.NESTED, variables, token=token)
    with counting_statements(gateway) as spread_sent:
        spread = await client.data(NESTED_BY_FRAGMENT, variables, token=token)
    assert spread == plain
    assert len(spread_sent) == len(plain_sent)
    names = {
        attendee["user"]["name"]
        for edge in plain["rooms"]["edges"]
        for booking in edge["node"]["bookings"]
        for attendee in booking["attendees"]
    }
    assert "Alice" in names
    assert len(names) >= 2


async def test_attendees_without_a_looking_parent_still_load_their_accounts(
    client: GraphQLClient, world: World
) -> None:
    data = await seed(world)
    found = await client.data(
        "query($after: DateTime!) { myBookings(first: 5, filter: {endsAfter: $after}) "
        "{ edges { node { attendees { email user { name } } } } } }",
        data.variables("UPCOMING"),
        token=data.tokens["alice"],
    )
    attendees = [
        attendee for edge in found["myBookings"]["edges"] for attendee in edge["node"]["attendees"]
    ]
    assert attendees
    assert all(attendee["user"] is not None for attendee in attendees)
    assert {"Alice"} <= {attendee["user"]["name"] for attendee in attendees}


FLOOR_ROOMS = (
    "query($floor: ID!) { location(id: $floor) { rooms { code floor { name } "
    'bookings(date: "%s") { code attendees { user { name } } } '
    'other: bookings(date: "%s") { code } } } }'
)


async def test_a_floors_rooms_look_ahead_for_literal_dates_and_aliases_alike(
    client: GraphQLClient, gateway: Gateway, world: World
) -> None:
    data = await seed(world)
    token = data.tokens["alice"]
    day = data.variables("NESTED")["date"]
    next_day = (date.fromisoformat(day) + timedelta(days=1)).isoformat()
    counts = []
    for floor in (data.big_floor, data.small_floor):
        with counting_statements(gateway) as sent:
            found = await client.data(
                FLOOR_ROOMS % (day, next_day), {"floor": location_gid(floor)}, token=token
            )
        counts.append(len(sent))
        rooms = found["location"]["rooms"]
        assert rooms
        assert all(room["bookings"] for room in rooms)  # the read day is booked
        assert all(room["other"] == [] for room in rooms)  # the day after is not
        assert all(
            attendee["user"] is not None
            for room in rooms
            for booking in room["bookings"]
            for attendee in booking["attendees"]
        )
    assert counts[0] == counts[1]  # as many statements for 10 rooms as for 2


async def test_a_date_that_is_no_date_is_refused_as_without_looking_ahead(
    client: GraphQLClient, world: World
) -> None:
    data = await seed(world)
    answer = await client.run(
        FLOOR_ROOMS % ("2026-13-40", "tomorrow"),
        {"floor": location_gid(data.small_floor)},
        token=data.tokens["alice"],
    )
    assert answer.get("data") is None
    messages = [error["message"] for error in answer["errors"]]
    assert any("2026-13-40" in message for message in messages), messages
    assert not any("Unexpected" in message for message in messages), messages
