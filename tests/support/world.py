"""A small, known world built through the real use cases: one site, rooms, people."""

from __future__ import annotations

from dataclasses import dataclass, field

from domain.locations import LocationKind
from domain.users import Role, User
from gateway.app import Gateway
from gateway.schema.ids import BOOKING, LOCATION, ROOM, USER, global_id
from gateway.services.authz import Principal
from gateway.services.directory import NewRoom

PASSWORD = "Corr3ct-Horse!"
ZONE = "Africa/Johannesburg"


def room_gid(code: str) -> str:
    """A room's global id, as the API shows it, from its code (RM…)."""
    return str(global_id(ROOM, code))


def booking_gid(code: str) -> str:
    """A booking's global id, from its code (BOOKOCCUPI…)."""
    return str(global_id(BOOKING, code))


def location_gid(number: int) -> str:
    """A location's global id, from its number."""
    return str(global_id(LOCATION, number))


def user_gid(user: User) -> str:
    """A person's global id."""
    return str(global_id(USER, user.id))


@dataclass
class World:
    gateway: Gateway
    admin: User
    alice: User
    bob: User
    carol: User
    floor_id: int
    site_id: int
    rooms: list[str] = field(default_factory=list)

    def principal(self, user: User) -> Principal:
        return Principal(actor=user.as_actor())

    async def add_rooms(self, count: int, *, max_occupancy: int | None = 10) -> list[str]:
        start = len(self.rooms)
        for n in range(start, start + count):
            code = f"RM{n:03d}"
            await self.gateway.app.directory.add_room(
                self.principal(self.admin),
                NewRoom(
                    floor_id=self.floor_id,
                    code=code,
                    name=f"Room {n}",
                    number=str(n),
                    max_occupancy=max_occupancy,
                ),
            )
            self.rooms.append(code)
        return self.rooms[start:]


async def build_world(gateway: Gateway, *, rooms: int = 2) -> World:
    accounts = gateway.app.accounts

    async def person(handle: str, role: Role = Role.BASIC) -> User:
        return await accounts.provision(
            email=f"{handle}@example.com", name=handle.title(), password=PASSWORD, role=role
        )

    admin = await person("admin", Role.ADMIN)
    as_admin = Principal(actor=admin.as_actor())
    directory = gateway.app.directory
    site = await directory.add_location(as_admin, kind=LocationKind.SITE, name="HQ", time_zone=ZONE)
    building = await directory.add_location(
        as_admin, kind=LocationKind.BUILDING, name="Main", parent_id=site.id
    )
    floor = await directory.add_location(
        as_admin, kind=LocationKind.FLOOR, name="Ground", parent_id=building.id
    )
    world = World(
        gateway=gateway,
        admin=admin,
        alice=await person("alice"),
        bob=await person("bob"),
        carol=await person("carol"),
        floor_id=floor.id,
        site_id=site.id,
    )
    await world.add_rooms(rooms)
    return world
