"""What bookings tell people: invitations and cancellations as notifications, and the
"starting soon" reminders scheduled at booking time (sent later by the ReminderWorker)."""

from __future__ import annotations

from datetime import datetime, timedelta

from domain.bookings import Booking
from domain.notifications import Notification, NotificationKind, reminder_due
from domain.rooms import Room
from domain.users import Actor
from gateway.services.notify import notify
from gateway.services.ports import UnitOfWork
from gateway.services.records import MailKind, OutgoingMail

REMINDER_TITLE = "Booking starting soon"


def _when(booking: Booking, room: Room) -> str:
    start = booking.interval.start.astimezone(room.calendar.zone)
    return f"{start:%A %d %B %Y, %H:%M} ({room.calendar.zone.key})"


async def on_booked(
    uow: UnitOfWork,
    booking: Booking,
    room: Room,
    creator_email: str,
    now: datetime,
    reminder_lead: timedelta,
) -> list[Notification]:
    """Invite the attendees who have accounts (if they want invitations) and schedule a
    reminder for everybody with an account who wants reminders, creator included."""
    guests = [
        a.user_id
        for a in booking.attendees
        if a.user_id is not None and a.user_id != booking.creator_id
    ]
    delivered = []
    if guests:
        delivered = await notify(
            uow,
            guests,
            "Booking Invitation",
            f"{creator_email} invited you to a booking in {room.name} on {_when(booking, room)}.",
            NotificationKind.INVITATION,
            now,
            booking_code=booking.code,
        )
    people = [a.user_id for a in booking.attendees if a.user_id is not None]
    settings = await uow.notifications.settings(people)
    reminded = [p for p in people if settings[p].booking_reminders]
    due = reminder_due(booking.interval.start, now, reminder_lead)
    await uow.reminders.schedule(booking.id, reminded, due)
    return delivered


async def on_cancelled(
    uow: UnitOfWork, booking: Booking, room: Room, actor: Actor, now: datetime
) -> list[Notification]:
    """Tell the booking's other people, and call its reminders off."""
    await uow.reminders.cancel(booking.id, now)
    others = [
        a.user_id for a in booking.attendees if a.user_id is not None and a.user_id != actor.user_id
    ]
    if not others:
        return []
    return await notify(
        uow,
        others,
        "Booking Cancelled",
        f"{actor.email} cancelled the booking in {room.name} on {_when(booking, room)}.",
        NotificationKind.CANCELLATION,
        now,
        booking_code=booking.code,
    )


def reminder_message(booking: Booking, room: Room) -> str:
    return f"Your booking in {room.name} starts on {_when(booking, room)}."


def reminder_mail(email: str, booking: Booking, room: Room) -> OutgoingMail:
    """The reminder by mail; a mail the person asked for, so not rationed."""
    return OutgoingMail(
        to=(email,),
        subject=f"{REMINDER_TITLE}: {room.name}",
        body=f"{reminder_message(booking, room)}\n\nBooking: {booking.code}\n"
        f"Room: {room.name} ({room.code})\n",
        kind=MailKind.BOOKING_REMINDER,
    )
