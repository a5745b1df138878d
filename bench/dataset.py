"""The benchmark's data, made through the real migrations and use cases.

One site of 24 rooms, an admin and 24 people. On the read day each of the first 20
rooms (the page `rooms(first: 20)` returns) has six bookings of three attendees, so
the nested read resolves 20 rooms, 120 bookings and 360 attendees with their accounts.
Writes go to later days, so they never change what the read query returns.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from domain.locations import LocationKind
from domain.users import Role, User
from gateway.app import Gateway, build_gateway
from gateway.migrate import upgrade
from gateway.seed import SITE_ZONE, generate_password
from gateway.services.authz import Principal
from gateway.services.bookings import BookingRequest
from gateway.services.directory import NewRoom
from gateway.settings import Settings

BUILDINGS = ("North", "South")
FLOORS = ("Ground", "First", "Second")
ROOMS_PER_FLOOR = 4
PEOPLE = 24
ADMIN_EMAIL = "bench-admin@occupi.example"
READ_ROOMS = 20
ATTENDEES = 3
READ_SLOTS = (  # (start, end) site-local, inside the 08:00-17:00 bookable hours
    (time(8), time(9)),
    (time(9, 30), time(10, 30)),
    (time(11), time(12)),
    (time(13), time(14)),
    (time(14, 30), time(15, 30)),
    (time(16), time(17)),
)


@dataclass(frozen=True)
class Dataset:
    zone: ZoneInfo
    room_codes: tuple[str, ...]
    read_day: date
    admin_token: str
    user_tokens: tuple[str, ...]
    read_bookings: int

    @property
    def first_write_day(self) -> date:
        return self.read_day + timedelta(days=1)


def build(database_url: str, jwt_secret: str, data_dir: Path) -> Dataset:
    """Migrate the empty database, then fill it; blocks until done."""
    upgrade(database_url)
    settings = Settings(data_dir=data_dir, database_url=database_url, jwt_secret=jwt_secret)
    return asyncio.run(_fill(build_gateway(settings)))


async def _fill(gateway: Gateway) -> Dataset:
    try:
        password = generate_password()
        accounts = gateway.app.accounts
        admin = await accounts.provision(
            email="bench-admin@occupi.example",
            name="Bench Admin",
            password=password,
            role=Role.ADMIN,
        )
        people = [
            await accounts.provision(
                email=f"person{n:02d}@occupi.example",
                name=f"Person {n:02d}",
                password=password,
                role=Role.BASIC,
            )
            for n in range(PEOPLE)
        ]
        codes = await _rooms(gateway, Principal(actor=admin.as_actor()))
        zone = ZoneInfo(SITE_ZONE)
        read_day = (gateway.app.clock.now().astimezone(zone) + timedelta(days=1)).date()
        made = await _read_day_bookings(gateway, people, codes[:READ_ROOMS], read_day, zone)
        tokens = [
            (await accounts.login(user.email, password)).token.token for user in [admin, *people]
        ]
        return Dataset(zone, codes, read_day, tokens[0], tuple(tokens[1:]), made)
    finally:
        await gateway.db.dispose()


async def _rooms(gateway: Gateway, admin: Principal) -> tuple[str, ...]:
    directory = gateway.app.directory
    site = await directory.add_location(
        admin, kind=LocationKind.SITE, name="Bench campus", time_zone=SITE_ZONE
    )
    codes: list[str] = []
    for building_name in BUILDINGS:
        building = await directory.add_location(
            admin, kind=LocationKind.BUILDING, name=building_name, parent_id=site.id
        )
        for floor_name in FLOORS:
            floor = await directory.add_location(
                admin, kind=LocationKind.FLOOR, name=floor_name, parent_id=building.id
            )
            for _ in range(ROOMS_PER_FLOOR):
                code = f"RM{len(codes) + 1:03d}"
                await directory.add_room(
                    admin,
                    NewRoom(floor_id=floor.id, code=code, name=f"Room {code}", max_occupancy=10),
                )
                codes.append(code)
    return tuple(codes)


async def _read_day_bookings(
    gateway: Gateway, people: list[User], codes: tuple[str, ...], day: date, zone: ZoneInfo
) -> int:
    made = 0
    for code in codes:
        for start, end in READ_SLOTS:
            group = [people[(made + k) % len(people)] for k in range(ATTENDEES)]
            await gateway.app.bookings.book(
                Principal(actor=group[0].as_actor()),
                BookingRequest(
                    room_code=code,
                    start=datetime.combine(day, start, tzinfo=zone),
                    end=datetime.combine(day, end, tzinfo=zone),
                    attendees=[person.email for person in group[1:]],
                    title="Bench meeting",
                ),
            )
            made += 1
    return made
