"""The suite's scenarios (issue 12): which document, at how many connections, on which
servers, with which requests, and what a right answer looks like.

Requests are `Request`s, written one a line for bench/suite.lua. Reads cycle through a
fixed list; bookRoom writes take each (room, half-hour) of the write days once
(`SlotCursor`), so every booking can succeed and any SLOT_TAKEN is a finding.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator, Sequence, Sized
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from bench import queries
from bench.bulk import ADMIN_ID, CLOSES, OPENS, BenchData, local
from bench.bulk_rows import email_of
from bench.scale import NESTED_ATTENDEES, NESTED_BOOKINGS, NESTED_ROOMS
from domain.users import Actor, Role
from gateway.auth.tokens import JwtCodec

GATEWAY, PLAIN, FLOOR = "gateway", "plain", "floor"
SERVERS = (GATEWAY, PLAIN, FLOOR)
GRAPHQL_SERVERS = (GATEWAY, PLAIN)
SLOT = timedelta(minutes=30)
SLOTS_PER_DAY = 18  # 08:00-17:00 in half hours
TOKEN_USERS = 50  # people whose tokens the plans use
HISTORY_DAYS = 30


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    token: str
    body: str

    def line(self) -> str:
        return f"{self.method}\t{self.path}\t{self.token}\t{self.body}\n"


def graphql(token: str, document: str, variables: dict[str, Any] | None = None) -> Request:
    body: dict[str, Any] = {"query": document}
    if variables:
        body["variables"] = variables
    return Request("POST", "/graphql", token, json.dumps(body, separators=(",", ":")))


@dataclass(frozen=True)
class Scenario:
    name: str
    label: str
    connections: int
    servers: tuple[str, ...]
    writes: bool = False

    @property
    def key(self) -> str:
        return f"{self.name}@{self.connections}"


SCENARIOS = (
    Scenario("trivial", "`{ __typename }`", 1, SERVERS),
    Scenario("trivial", "`{ __typename }`", 16, SERVERS),
    Scenario("me", "`me { email name }` (PK)", 1, SERVERS),
    Scenario("me", "`me { email name }` (PK)", 16, SERVERS),
    Scenario("room", "`room(id:)` (PK)", 1, SERVERS),
    Scenario("nested", "NESTED: 10 rooms x 5 bookings x 3 attendees", 1, SERVERS),
    Scenario("nested", "NESTED: 10 rooms x 5 bookings x 3 attendees", 16, SERVERS),
    Scenario("upcoming", "UPCOMING: `myBookings(first: 20)`", 16, GRAPHQL_SERVERS),
    Scenario("slots", "SLOTS: `availableSlots`", 16, GRAPHQL_SERVERS),
    Scenario("book", "BOOK: `bookRoom`, distinct free slots", 50, GRAPHQL_SERVERS, writes=True),
    Scenario("free-rooms", "FREE_ROOMS: 2 one-hour slots", 16, GRAPHQL_SERVERS),
    Scenario("history", f"HISTORY: {HISTORY_DAYS} days of a floor", 16, GRAPHQL_SERVERS),
    Scenario("rest-rooms", "REST `GET /api/view-rooms` (one floor)", 16, (GATEWAY,)),
    Scenario("rest-twin", "its GraphQL twin `rooms(first: 10)`", 16, GRAPHQL_SERVERS),
)


class Tokens:
    """JWTs as the gateway issues them (same secret and claims), minted without a login."""

    def __init__(self, secret: str, now: datetime, data: BenchData) -> None:
        codec = JwtCodec(secret, lifetime=timedelta(days=1))
        people = list(data.basic_user_ids)[:TOKEN_USERS]
        self.admin = codec.issue(Actor(ADMIN_ID, email_of(ADMIN_ID), Role.ADMIN), now).token
        self.people = tuple(
            codec.issue(Actor(i, email_of(i), Role.BASIC), now).token for i in people
        )


def read_requests(name: str, data: BenchData, tokens: Tokens, now: datetime) -> list[Request]:
    """The requests a read scenario cycles through."""
    floor = _global_id("Location", data.floor_id)
    day = data.read_day.isoformat()
    people = tokens.people
    if name == "trivial":
        return [graphql("", queries.TRIVIAL)]
    if name == "me":
        return [graphql(t, queries.ME) for t in people]
    if name == "room":
        return [graphql(people[0], queries.ROOM, {"id": code}) for code in data.room_codes[:50]]
    if name == "nested":
        return [graphql(tokens.admin, queries.NESTED, {"floor": floor, "date": day})]
    if name == "upcoming":
        return [graphql(t, queries.UPCOMING, {"after": now.isoformat()}) for t in people]
    if name == "slots":
        codes = data.write_room_codes[:50]
        return [
            graphql(t, queries.SLOTS, {"room": c, "date": day})
            for t, c in zip(people, codes, strict=False)
        ]
    if name == "free-rooms":
        slots = [
            {
                "start": local(data.read_day, OPENS).isoformat(),
                "end": (local(data.read_day, OPENS) + 2 * SLOT).isoformat(),
            },
            {
                "start": (local(data.read_day, CLOSES) - 2 * SLOT).isoformat(),
                "end": local(data.read_day, CLOSES).isoformat(),
            },
        ]
        return [graphql(people[0], queries.FREE_ROOMS, {"slots": slots})]
    if name == "history":
        first = data.read_day - timedelta(days=HISTORY_DAYS)
        span = {
            "location": floor,
            "start": first.isoformat(),
            "end": (data.read_day - timedelta(days=1)).isoformat(),
        }
        return [graphql(t, queries.HISTORY, {"input": span}) for t in people]
    if name == "rest-rooms":
        query = urlencode({"filter": json.dumps({"floorNo": str(data.floor_id)}), "limit": 10})
        return [Request("GET", f"/api/view-rooms?{query}", t, "") for t in people]
    if name == "rest-twin":
        return [graphql(t, queries.ROOMS_OF_FLOOR, {"floor": floor}) for t in people]
    raise ValueError(f"no read scenario {name!r}")


def _global_id(type_name: str, key: int) -> str:
    return base64.b64encode(f"{type_name}:{key}".encode()).decode()


class SlotCursor:
    """Hands out each (write room, half-hour) of the write days once, in order: the same
    time in every room first, then the next half hour, then the next day."""

    def __init__(self, data: BenchData) -> None:
        self._data = data
        self._slots = self._all()
        self.issued = 0

    def _all(self) -> Iterator[tuple[str, datetime]]:
        day = self._data.first_write_day
        while True:
            for index in range(SLOTS_PER_DAY):
                start = local(day, OPENS) + index * SLOT
                for code in self._data.write_room_codes:
                    yield code, start
            day += timedelta(days=1)

    def requests(self, tokens: Sequence[str], count: int) -> list[Request]:
        """`count` bookRoom requests for slots nobody has been handed before."""
        made = []
        for _ in range(count):
            code, start = next(self._slots)
            span = {"roomId": code, "start": start.isoformat(), "end": (start + SLOT).isoformat()}
            made.append(graphql(tokens[self.issued % len(tokens)], queries.BOOK, {"input": span}))
            self.issued += 1
        return made


def write_plan(path: Path, requests: Sequence[Request]) -> Path:
    with path.open("w") as plan:
        plan.writelines(r.line() for r in requests)
    return path


Check = Callable[[Any, BenchData], str | None]


def _edges(connection: Any) -> list[Any]:
    return [edge["node"] for edge in connection["edges"]]


def _nested(answer: Any, _data: BenchData) -> str | None:
    rooms = _edges(answer["data"]["rooms"])
    bookings = [b for room in rooms for b in room["bookings"]]
    named = [a for b in bookings for a in b["attendees"] if a["user"] and a["user"]["name"]]
    want = (
        NESTED_ROOMS,
        NESTED_ROOMS * NESTED_BOOKINGS,
        NESTED_ROOMS * NESTED_BOOKINGS * NESTED_ATTENDEES,
    )
    got = (len(rooms), len(bookings), len(named))
    return None if got == want else f"rooms, bookings, named attendees: {got}, expected {want}"


def _sized(path: Callable[[Any], Sized], low: int, high: int | None = None) -> Check:
    def check(answer: Any, _data: BenchData) -> str | None:
        size = len(path(answer))
        if size < low or (high is not None and size > high):
            return f"{size} items, expected {low} to {high or 'any'}"
        return None

    return check


CHECKS: dict[str, Check] = {
    "trivial": lambda a, _d: None if a["data"]["__typename"] == "Query" else "no __typename",
    "me": lambda a, _d: None if a["data"]["me"]["email"].endswith("@occupi.example") else "no me",
    "room": lambda a, d: None if a["data"]["room"]["code"] in d.room_codes else "no room",
    "nested": _nested,
    "upcoming": _sized(lambda a: _edges(a["data"]["myBookings"]), 1, 20),
    "slots": _sized(lambda a: a["data"]["availableSlots"], 1),
    "book": lambda a, _d: None if a["data"]["bookRoom"]["errors"] == [] else "booking refused",
    "free-rooms": _sized(lambda a: a["data"]["freeRooms"], NESTED_ROOMS),
    "history": _sized(
        lambda a: a["data"]["occupancyHistory"]["dailyOccupancy"], HISTORY_DAYS, HISTORY_DAYS
    ),
    "rest-rooms": _sized(lambda a: a["data"], NESTED_ROOMS, NESTED_ROOMS),
    "rest-twin": _sized(lambda a: _edges(a["data"]["rooms"]), NESTED_ROOMS, NESTED_ROOMS),
}


def problem(name: str, answer: Any, data: BenchData) -> str | None:
    """What is wrong with a scenario's answer, or None: non-empty, of the right sizes."""
    if not isinstance(answer, dict) or answer.get("errors"):
        return f"errors: {str(answer)[:300]}"
    try:
        return CHECKS[name](answer, data)
    except (KeyError, TypeError, IndexError) as error:
        return f"unexpected shape ({error!r}): {str(answer)[:300]}"
