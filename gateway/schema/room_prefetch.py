"""A page of rooms loads what its selected fields will ask for before they are resolved:
the floors, the room-days of each `bookings(date:)` asked for, and the accounts of their
attendees, in the same batches the fields' DataLoaders would have made; `Room.floor`,
`Room.bookings` and `Attendee.user` then answer from the cache (gateway.schema.lookahead).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Iterable, Sequence
from datetime import date
from typing import Any

from domain.rooms import Room
from gateway.schema.context import Info
from gateway.schema.lookahead import below, named, selects
from gateway.services.reads import RoomDay
from gateway.services.views import BookingView


async def prefetch_rooms(info: Info, rooms: Sequence[Room], *path: str) -> None:
    """Load ahead for the Room selections at `path` below the field being resolved. A
    batch that fails is left in its loader: the field that asks for it reports it."""
    if not rooms:
        return
    selections = below(info, *path)
    loaders = info.context.loaders
    pending: list[Awaitable[Any]] = []
    if selects(selections, "floor"):
        pending.append(loaders.locations.load_many(sorted({room.floor_id for room in rooms})))
    asked = named(selections, "bookings")
    days = {day for field in asked if not isinstance(day := _day(field.arguments.get("date")), str)}
    loading = [loaders.room_days.load_many([(room, day) for room in rooms]) for day in days]
    results = await asyncio.gather(*pending, *loading, return_exceptions=True)
    if any(selects(field.selections, "attendees", "user") for field in asked):
        loaded: list[list[RoomDay]] = [r for r in results[len(pending) :] if isinstance(r, list)]
        accounts = attendee_accounts(b for days in loaded for day in days for b in day.bookings)
        if accounts:
            await asyncio.gather(loaders.people.load_many(accounts), return_exceptions=True)


UNREADABLE = "unreadable"


def _day(argument: object) -> date | str | None:
    """The day a `bookings(date:)` selection asks for: a variable arrives as a date, a
    literal as its text; UNREADABLE for what this cannot read (the field loads it)."""
    if argument is None or isinstance(argument, date):
        return argument
    if isinstance(argument, str):
        try:
            return date.fromisoformat(argument)
        except ValueError:
            return UNREADABLE
    return UNREADABLE


def attendee_accounts(bookings: Iterable[BookingView]) -> list[int]:
    """The accounts of the attendees the caller may see, each once."""
    found = {
        attendee.user_id
        for booking in bookings
        if booking.details is not None
        for attendee in booking.details.attendees
        if attendee.user_id is not None
    }
    return sorted(found)
