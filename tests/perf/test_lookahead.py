"""Looking ahead (gateway.schema.lookahead) saves awaits and changes no answer: a parent
that loads its children's data first leaves them answering from the cache, through
fragments too, with the statements the children's own batches would have cost; a child
without such a parent loads as before."""

from __future__ import annotations

import asyncio
import inspect

import pytest
from strawberry.dataloader import DataLoader
from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField

from bench import queries
from gateway.app import Gateway
from gateway.schema.lookahead import now_or_later, selects
from tests.perf.dataset import seed
from tests.support.graphql import GraphQLClient
from tests.support.statements import counting_statements
from tests.support.world import World


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
