"""Subscription root: live booking changes of a room."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime

import strawberry

from gateway.schema.context import Info
from gateway.services.events import BookingChange, BookingEvent, room_bookings_topic

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
        return cls(
            change=event.change,
            booking_id=strawberry.ID(event.booking_code),
            room_id=strawberry.ID(event.room_code),
            start=event.starts_at,
            end=event.ends_at,
            occurred_at=event.occurred_at,
        )


@strawberry.type
class Subscription:
    @strawberry.subscription(description="Bookings made, cancelled or checked into in a room.")
    async def booking_changed(
        self, info: Info, room_id: strawberry.ID
    ) -> AsyncGenerator[BookingChanged, None]:
        room = await info.context.services.directory.room(info.context.principal, room_id)
        async with info.context.services.live.subscribe(room_bookings_topic(room.code)) as queue:
            while True:
                event = await queue.get()
                if isinstance(event, BookingEvent):
                    yield BookingChanged.of(event)
