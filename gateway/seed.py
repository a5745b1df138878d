"""The demo dataset: a site with buildings, floors, rooms, an admin, a few users, bookings."""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from domain.locations import LocationKind
from domain.users import Role, User
from gateway.app import Gateway
from gateway.services.authz import Principal
from gateway.services.bookings import BookingRequest
from gateway.services.directory import NewRoom
from gateway.services.records import PageRequest, UserQuery

SITE_ZONE = "Africa/Johannesburg"
ADMIN_EMAIL = "admin@occupi.example"
PEOPLE = (("Alice Mokoena", "alice"), ("Bongani Dlamini", "bongani"), ("Chen Li", "chen"))
ROOMS = (  # (building, floor, code, name, max occupancy, resources)
    ("North", "Ground", "RM001", "Boardroom", 12, ("screen", "video conferencing")),
    ("North", "Ground", "RM002", "Focus pod", 2, ()),
    ("North", "First", "RM101", "Workshop", 20, ("whiteboard", "projector")),
    ("North", "First", "RM102", "Huddle", 4, ("screen",)),
    ("South", "Ground", "RM201", "Lab", 8, ("whiteboard",)),
    ("South", "First", "RM301", "Quiet room", 1, ()),
)


@dataclass(frozen=True)
class DemoCredentials:
    admin_email: str
    admin_password: str
    user_emails: tuple[str, ...]
    user_password: str


def generate_password() -> str:
    """Random, and always satisfying the password policy."""
    alphabet = string.ascii_letters + string.digits
    core = "".join(secrets.choice(alphabet) for _ in range(14))
    return f"{core}aZ7!"


async def is_seeded(gateway: Gateway) -> bool:
    async with gateway.db.reading() as uow:
        return bool((await uow.users.list(UserQuery(), PageRequest(first=1))).items)


async def seed_demo(gateway: Gateway) -> DemoCredentials:
    services = gateway.app
    admin_password, user_password = generate_password(), generate_password()
    admin = await services.accounts.provision(
        email=ADMIN_EMAIL, name="Demo Admin", password=admin_password, role=Role.ADMIN
    )
    as_admin = Principal(actor=admin.as_actor())
    users = [
        await services.accounts.provision(
            email=f"{handle}@occupi.example", name=name, password=user_password, role=Role.BASIC
        )
        for name, handle in PEOPLE
    ]
    await _seed_rooms(gateway, as_admin)
    await _seed_bookings(gateway, users)
    return DemoCredentials(
        ADMIN_EMAIL, admin_password, tuple(u.email for u in users), user_password
    )


async def _seed_rooms(gateway: Gateway, admin: Principal) -> None:
    directory = gateway.app.directory
    site = await directory.add_location(
        admin, kind=LocationKind.SITE, name="Occupi HQ", time_zone=SITE_ZONE
    )
    parents: dict[tuple[str, ...], int] = {}
    for building, floor, code, name, capacity, resources in ROOMS:
        if (building,) not in parents:
            added = await directory.add_location(
                admin, kind=LocationKind.BUILDING, name=building, parent_id=site.id
            )
            parents[(building,)] = added.id
        if (building, floor) not in parents:
            added = await directory.add_location(
                admin, kind=LocationKind.FLOOR, name=floor, parent_id=parents[(building,)]
            )
            parents[(building, floor)] = added.id
        await directory.add_room(
            admin,
            NewRoom(
                floor_id=parents[(building, floor)],
                code=code,
                name=name,
                number=code.removeprefix("RM"),
                max_occupancy=capacity,
                resources=resources,
            ),
        )


async def _seed_bookings(gateway: Gateway, users: list[User]) -> None:
    """A few bookings on the next working day, so the demo shows busy and free slots."""
    bookings = gateway.app.bookings
    room = await gateway.app.directory.room(Principal(actor=users[0].as_actor()), "RM001")
    zone = room.calendar.zone
    day = (gateway.app.clock.now().astimezone(zone) + timedelta(days=1)).date()
    while day.weekday() >= 5:
        day += timedelta(days=1)
    plan = ((0, "RM001", 9, 10), (1, "RM001", 11, 12), (2, "RM101", 14, 16), (0, "RM102", 13, 14))
    for who, code, start, end in plan:
        creator = users[who]
        guests = [u.email for u in users if u.id != creator.id][:1]
        await bookings.book(
            Principal(actor=creator.as_actor()),
            BookingRequest(
                room_code=code,
                start=datetime.combine(day, time(start), tzinfo=zone),
                end=datetime.combine(day, time(end), tzinfo=zone),
                attendees=guests,
                title="Demo meeting",
            ),
        )
