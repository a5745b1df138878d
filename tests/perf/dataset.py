"""The data the benchmark documents (bench/queries.py) run on in the statement-count tests
and in the timing loop (tests/perf/measure.py), made through the real use cases.

Two floors of one site: a big one of `rooms` rooms and a small one of two, each room with
`bookings` bookings of three attendees (Alice and two more people, all with accounts) on
the read day, and a counted zone with a day of sensor readings. The same read costs the
same statements on either floor: that is what shows that nothing is loaded per room.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from domain.locations import LocationKind
from domain.users import Role, User
from gateway.services.authz import Principal
from gateway.services.bookings import BookingRequest
from gateway.services.directory import NewRoom
from tests.support.world import PASSWORD, ZONE, World, location_gid

SITE_ZONE = ZoneInfo(ZONE)
READ_DAY = date(2026, 11, 24)  # the test clock's tomorrow (tests/support/clock.py)
BOOK_DAY = date(2026, 11, 25)  # bookRoom writes here, away from what the reads show
FIRST_HOUR = 8
HOURS = 9  # 08:00-17:00, the default bookable hours
PEOPLE = 6


@dataclass
class PerfData:
    world: World
    tokens: dict[str, str]
    big_floor: int
    small_floor: int
    zone: int
    room_codes: list[str]
    booked: int = 0

    def variables(self, scenario: str, *, floor: int | None = None) -> dict[str, Any]:
        """The variables of one bench/queries.py document on this data."""
        now = self.world.gateway.app.clock.now()
        if scenario == "NESTED":
            return {"floor": location_gid(floor or self.big_floor), "date": READ_DAY.isoformat()}
        if scenario == "ROOMS_OF_FLOOR":
            return {"floor": location_gid(floor or self.big_floor)}
        if scenario == "ROOM":
            return {"id": self.room_codes[0]}
        if scenario == "UPCOMING":
            return {"after": now.isoformat()}
        if scenario == "SLOTS":
            return {"room": self.room_codes[0], "date": READ_DAY.isoformat()}
        if scenario == "FREE_ROOMS":
            return {"slots": [_slot(READ_DAY, 14, 15), _slot(READ_DAY, 16, 17)]}
        if scenario == "HISTORY":
            today = now.astimezone(SITE_ZONE).date()
            span = {"start": str(today - timedelta(days=1)), "end": str(today)}
            return {"input": {"location": location_gid(self.zone), **span}}
        if scenario == "BOOK":
            return {"input": self.next_booking()}
        return {}

    def next_booking(self) -> dict[str, Any]:
        """A free hour for bookRoom: each call a new one, so every run books."""
        turn, self.booked = self.booked, self.booked + 1
        room = self.room_codes[turn % len(self.room_codes)]
        turn //= len(self.room_codes)
        day, hour = BOOK_DAY + timedelta(days=turn // HOURS), FIRST_HOUR + turn % HOURS
        return {"roomId": room, **_slot(day, hour, hour + 1), "attendees": []}


def _slot(day: date, start: int, end: int) -> dict[str, str]:
    return {
        "start": datetime.combine(day, time(start), tzinfo=SITE_ZONE).isoformat(),
        "end": datetime.combine(day, time(end), tzinfo=SITE_ZONE).isoformat(),
    }


async def seed(world: World, *, rooms: int = 10, bookings: int = 5) -> PerfData:
    """`rooms` rooms on the big floor and two on the small one, `bookings` each."""
    app = world.gateway.app
    admin = world.principal(world.admin)
    floor = await app.directory.location(admin, world.floor_id)
    small = await app.directory.add_location(
        admin, kind=LocationKind.FLOOR, name="Small", parent_id=floor.parent_id
    )
    zone = await app.directory.add_location(
        admin, kind=LocationKind.ZONE, name="Lobby", parent_id=world.floor_id, capacity=40
    )
    await world.add_rooms(rooms - len(world.rooms))
    codes = list(world.rooms)
    small_codes = [f"RMS{n:02d}" for n in range(2)]
    for n, code in enumerate(small_codes):
        await app.directory.add_room(
            admin, NewRoom(floor_id=small.id, code=code, name=f"Small {n}", number=f"S{n}")
        )
    people = [world.alice, world.bob, world.carol] + [
        await app.accounts.provision(
            email=f"person{n}@example.com", name=f"Person {n}", password=PASSWORD, role=Role.BASIC
        )
        for n in range(PEOPLE - 3)
    ]
    for r, code in enumerate(codes + small_codes):
        for b in range(bookings):
            await _book(world, code, FIRST_HOUR + b, people, r + b)
    await app.ingest.submit(admin, _readings(world, zone.id))
    # The invitations' pushes run in the background; they must not count as a query's.
    await world.gateway.pushes.drain()
    handles = {"admin": world.admin, "alice": world.alice, "bob": world.bob}
    tokens = {
        handle: (await app.accounts.login(user.email, PASSWORD)).token.token
        for handle, user in handles.items()
    }
    return PerfData(world, tokens, world.floor_id, small.id, zone.id, codes)


async def _book(world: World, code: str, hour: int, people: list[User], turn: int) -> None:
    """Alice is in every booking, so a basic user's read shows every detail."""
    others = people[1:]
    creator = others[turn % len(others)]
    guests = [world.alice.email, others[(turn + 1) % len(others)].email]
    await world.gateway.app.bookings.book(
        Principal(actor=creator.as_actor()),
        BookingRequest(
            room_code=code,
            start=datetime.combine(READ_DAY, time(hour), tzinfo=SITE_ZONE),
            end=datetime.combine(READ_DAY, time(hour + 1), tzinfo=SITE_ZONE),
            attendees=guests,
        ),
    )


def _readings(world: World, zone: int) -> list[dict[str, Any]]:
    """A count every ten minutes over the last day."""
    now = world.gateway.app.clock.now()
    return [
        {
            "locationId": zone,
            "time": (now - timedelta(minutes=10 * n)).isoformat(),
            "count": (n * 7) % 30,
        }
        for n in range(1, 144)
    ]
