"""Subscription root: live booking changes of a room."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime

import strawberry

from gateway.schema.context import Info
from gateway.schema.ids import BOOKING, ROOM, global_id, room_ref
from gateway.schema.notifications import NotificationSubscription
from gateway.schema.occupancy import OccupancySubscription
from gateway.services.events import BookingChange, BookingEvent

strawberry.enum(BookingChange, name="BookingChange")


@strawberry.type
class BookingChanged:
    change: BookingChange
    booking_id: strawberry.ID
    room_id: strawberry.ID
    start: datetime
    end: datetime
    occurred_at: datetime

    @classmethod
    def of(cls, event: BookingEvent) -> BookingChanged:
        booking = event.changed.booking
        return cls(
            change=event.change,
            booking_id=global_id(BOOKING, booking.code),
            room_id=global_id(ROOM, event.room_code),
            start=booking.interval.start,
            end=booking.interval.end,
            occurred_at=event.occurred_at,
        )


@strawberry.type
class Subscription(NotificationSubscription, OccupancySubscription):
    @strawberry.subscription(
        description="Bookings made or cancelled in a room; check-ins only of bookings you "
        "are part of (any, for admins). Ends with UNAUTHENTICATED when your token expires."
    )
    async def booking_changed(
        self, info: Info, room_id: strawberry.ID
    ) -> AsyncGenerator[BookingChanged, None]:
        watched = info.context.app.live.room_bookings(info.context.principal, room_ref(room_id))
        async for event in watched:
            yield BookingChanged.of(event)
