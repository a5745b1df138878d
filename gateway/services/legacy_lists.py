"""Occupi's collection reads that name a person by e-mail address (view-bookings,
get-notifications). Who may name whom is `people_lookup.named_user`'s rule: a basic
user only themselves, whatever address the request gives; an admin anybody."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from domain.bookings import BookingStatus
from domain.rooms import Room
from gateway.services.authz import Principal
from gateway.services.people_lookup import named_user, require_own
from gateway.services.ports import Database
from gateway.services.records import BookingQuery, Page, PageRequest
from gateway.services.views import BookingView


@dataclass(frozen=True)
class BookingListing:
    """A page of bookings as the caller may see them, and the rooms they are in."""

    bookings: Page[BookingView]
    rooms: Mapping[int, Room]


class LegacyLists:
    """Reads for signed-in callers, each about one named person, and the check that an
    address given for an action taken as oneself is one's own."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def bookings_of(
        self,
        principal: Principal,
        email: str,
        page: PageRequest,
        *,
        room_codes: tuple[str, ...] | None = None,
    ) -> BookingListing:
        """Active bookings the named person created or is invited to, by start, with
        their rooms; optionally only in these rooms (unknown ids match nothing)."""
        actor = principal.require()
        async with self._db.reading() as uow:
            person = (await named_user(uow, actor, email, "filter.email")).as_actor()
            room_ids: tuple[int, ...] | None = None
            if room_codes is not None:
                found = [await uow.rooms.by_code(code) for code in room_codes]
                room_ids = tuple(r.id for r in found if r is not None)
            query = BookingQuery(
                room_ids=room_ids, involving=person, statuses=(BookingStatus.ACTIVE,)
            )
            listed = await uow.bookings.list(query, page)
            rooms = {}
            for room_id in {b.room_id for b in listed.items}:
                room = await uow.rooms.by_id(room_id)
                if room is not None:
                    rooms[room_id] = room
        return BookingListing(listed.map(lambda b: BookingView.of(b, actor)), rooms)

    async def person_id(self, principal: Principal, email: str, field: str) -> int:
        """The account an address names, for the caller (see `people_lookup.named_user`)."""
        actor = principal.require()
        async with self._db.reading() as uow:
            return (await named_user(uow, actor, email, field)).id

    @staticmethod
    def require_self(principal: Principal, email: str | None, field: str) -> None:
        """For actions one only ever takes as oneself (booking, checking in): an address
        a request gives must be the caller's own, admins included; FORBIDDEN otherwise.
        None (not given) is the caller."""
        require_own(principal.require(), email, field)
