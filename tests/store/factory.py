"""Small builders for repository tests: they go through the repositories themselves."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from domain.bookings import Attendee, Booking, BookingSource, BookingStatus
from domain.calendar import BookableHours
from domain.intervals import Interval
from domain.locations import Location, LocationKind, OccupancyLimits
from domain.rooms import Room
from domain.users import Role, User
from gateway.store.uow import SqlUnitOfWork
from tests.support.clock import START

ZONE = "Africa/Johannesburg"
HOUR = timedelta(hours=1)


def at(hours: float) -> datetime:
    """An instant `hours` after the test clock's start (aware, UTC)."""
    return START + timedelta(hours=hours)


def span(start: float, end: float) -> Interval:
    return Interval(at(start), at(end))


@dataclass(frozen=True)
class Tree:
    site: Location
    building: Location
    floor: Location


async def add_tree(
    uow: SqlUnitOfWork,
    name: str = "HQ",
    *,
    time_zone: str = ZONE,
    hours: BookableHours | None = None,
) -> Tree:
    """A site with one building and one floor."""
    site = await uow.locations.add(
        parent_id=None,
        kind=LocationKind.SITE,
        name=name,
        time_zone=time_zone,
        bookable_hours=hours,
    )
    building = await uow.locations.add(
        parent_id=site.id, kind=LocationKind.BUILDING, name=f"{name} building"
    )
    floor = await uow.locations.add(
        parent_id=building.id, kind=LocationKind.FLOOR, name=f"{name} floor"
    )
    return Tree(site, building, floor)


async def add_room(
    uow: SqlUnitOfWork,
    floor_id: int,
    code: str,
    *,
    name: str | None = None,
    limits: OccupancyLimits = OccupancyLimits(1, 10),  # noqa: B008 - frozen value
    resources: Sequence[str] = (),
) -> Room:
    return await uow.rooms.add(
        floor_id=floor_id,
        code=code,
        name=name or f"Room {code}",
        number=code[2:],
        description=f"about {code}",
        limits=limits,
        resources=resources,
    )


async def add_user(uow: SqlUnitOfWork, handle: str, role: Role = Role.BASIC) -> User:
    return await uow.users.add(
        email=f"{handle}@example.com",
        name=handle.title(),
        role=role,
        password_hash=f"hash-of-{handle}",
    )


async def add_booking(
    uow: SqlUnitOfWork,
    code: str,
    *,
    room: Room,
    creator: User,
    interval: Interval,
    others: Sequence[str] = (),
    source: BookingSource = BookingSource.ADHOC,
    title: str = "",
) -> Booking:
    """A booking whose first attendee is its creator, followed by `others` (e-mails)."""
    return await uow.bookings.add(
        code=code,
        room_id=room.id,
        creator_id=creator.id,
        interval=interval,
        source=source,
        title=title,
        attendees=[Attendee(creator.email, creator.id), *(Attendee(e) for e in others)],
        created_at=START,
    )


async def cancel_booking(
    uow: SqlUnitOfWork, booking: Booking, *, by: User, at: datetime = START
) -> Booking:
    """Store `booking` as cancelled by `by` at `at`; the cancelled booking."""
    cancelled = replace(
        booking, status=BookingStatus.CANCELLED, cancelled_at=at, cancelled_by=by.id
    )
    await uow.bookings.save_cancellation(cancelled)
    return cancelled


@dataclass(frozen=True)
class Scene:
    """One site → building → floor with two rooms, and two people."""

    tree: Tree
    room_a: Room
    room_b: Room
    alice: User
    bob: User


async def add_scene(uow: SqlUnitOfWork) -> Scene:
    tree = await add_tree(uow)
    return Scene(
        tree=tree,
        room_a=await add_room(uow, tree.floor.id, "RMA"),
        room_b=await add_room(uow, tree.floor.id, "RMB"),
        alice=await add_user(uow, "alice"),
        bob=await add_user(uow, "bob"),
    )
