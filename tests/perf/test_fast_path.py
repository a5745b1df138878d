"""The request path's shortcuts change no answer: orjson writes the JSON json would (and
falls back where orjson would differ), the document caches hit but keep nothing of one
request for another (variables, callers), and trivial fields resolve directly."""

from __future__ import annotations

import json
import math
from typing import Any, Protocol, cast

from hypothesis import given
from hypothesis import strategies as st
from strawberry.extensions.parser_cache import _get_parse_cache
from strawberry.extensions.validation_cache import _get_validate_cache

from bench import queries
from gateway.schema.build import build_schema
from gateway.schema.lean_fields import lean_resolvers
from gateway.schema.perf_core import dumps, loads
from gateway.settings import Settings
from tests.support.graphql import GraphQLClient
from tests.support.world import World, room_gid


class Cached(Protocol):
    """functools.lru_cache's wrapper, as far as these tests look at it."""

    def cache_info(self) -> Any: ...


SCALARS = st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.text()
JSONISH = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


def _stdlib(value: object) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


@given(JSONISH)
def test_orjson_writes_the_bytes_json_writes(value: object) -> None:
    assert dumps(value) == _stdlib(value)
    assert loads(dumps(value)) == value


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_floats_read_back_the_same(value: float) -> None:
    assert json.loads(dumps({"avg": value})) == {"avg": value}


def test_what_orjson_refuses_takes_the_standard_path() -> None:
    assert dumps({"big": 2**70}) == b'{"big":1180591620717411303424}'
    assert math.isnan(loads('{"a": NaN}')["a"])  # as json.loads reads it
    assert loads('"\\ud800"') == json.loads('"\\ud800"')


async def test_http_answers_are_the_same_json(
    client: GraphQLClient, world: World, tokens: dict[str, str]
) -> None:
    response = await client.post(queries.ROOM, {"id": "RM000"}, token=tokens["alice"])
    assert response.headers["content-type"] == "application/json"
    assert response.content == _stdlib(
        {"data": {"room": {"code": "RM000", "name": "Room 0", "maxOccupancy": 10}}}
    )
    refused = await client.post(queries.ME)
    body = json.loads(refused.content)
    assert refused.content == _stdlib(body)
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_cached_document_answers_each_caller_and_each_variable_its_own(
    client: GraphQLClient, world: World, tokens: dict[str, str], settings: Settings
) -> None:
    parsed = cast(Cached, _get_parse_cache(settings.graphql_document_cache))
    validated = cast(Cached, _get_validate_cache(settings.graphql_document_cache))
    before = (parsed.cache_info().hits, validated.cache_info().hits)
    emails = [
        (await client.data(queries.ME, token=tokens[who]))["me"]["email"]
        for who in ("alice", "bob", "alice")
    ]
    assert emails == ["alice@example.com", "bob@example.com", "alice@example.com"]
    rooms = [
        (await client.data(queries.ROOM, {"id": ref}, token=tokens["bob"]))["room"]["code"]
        for ref in ("RM000", room_gid("RM001"), "RM000")
    ]
    assert rooms == ["RM000", "RM001", "RM000"]
    after = (parsed.cache_info().hits, validated.cache_info().hits)
    assert after[0] - before[0] >= 4  # the second and third use of each document
    assert after[1] - before[1] >= 4  # so the limits are the same rules on every request
    signed_out = await client.run(queries.ME)
    assert signed_out["data"] is None
    assert signed_out["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_refused_document_stays_refused_from_the_cache(
    client: GraphQLClient, tokens: dict[str, str]
) -> None:
    aliased = "{ " + " ".join(f"p{n}: ping" for n in range(20)) + " }"
    answers = [await client.run(aliased, token=tokens["alice"]) for _ in range(2)]
    assert answers[0] == answers[1]
    assert answers[0]["errors"][0]["message"] == "20 aliases found. Allowed: 15"


def test_trivial_fields_resolve_directly_and_the_rest_keep_strawberrys_path() -> None:
    made = set(lean_resolvers(build_schema()))
    assert {"Room.code", "Room.floor", "Booking.attendees", "Attendee.user"} <= made
    kept = {"Room.bookings", "Room.availableSlots", "Query.room", "Mutation.bookRoom"}
    assert not kept & made  # arguments, or (mutations) the FreshLoaders extension
    assert not {m for m in made if m.startswith(("Subscription.", "__"))}
