"""The text of every mail the use cases queue; kept apart so both APIs send the same words."""

from __future__ import annotations

from domain.bookings import Booking
from domain.logins import LoginChallengeReason
from domain.rooms import Room
from gateway.services.records import MailKind, OutgoingMail


def _when(booking: Booking, room: Room) -> str:
    zone = room.calendar.zone
    start = booking.interval.start.astimezone(zone)
    end = booking.interval.end.astimezone(zone)
    return f"{start:%A %d %B %Y, %H:%M} to {end:%H:%M} ({zone.key})"


def _summary(booking: Booking, room: Room) -> str:
    people = "\n".join(f"  - {a.email}" for a in booking.attendees)
    return (
        f"Booking: {booking.code}\nRoom: {room.name} ({room.code})\n"
        f"When: {_when(booking, room)}\nAttendees:\n{people}\n"
    )


def booking_confirmation(booking: Booking, room: Room, creator_email: str) -> list[OutgoingMail]:
    """A confirmation to the creator and one invitation, by BCC, to everybody else."""
    mails = [
        OutgoingMail(
            to=(creator_email,),
            subject=f"Booking confirmed: {room.name}",
            body=f"Your booking is confirmed.\n\n{_summary(booking, room)}",
        )
    ]
    guests = tuple(a.email for a in booking.attendees if a.email != creator_email)
    if guests:
        mails.append(
            OutgoingMail(
                to=(),
                bcc=guests,
                subject=f"You're invited: {room.name}",
                body=f"{creator_email} invited you to a booking.\n\n{_summary(booking, room)}",
                kind=MailKind.INVITATION,
            )
        )
    return mails


def booking_cancellation(booking: Booking, room: Room) -> OutgoingMail:
    return OutgoingMail(
        to=(),
        bcc=tuple(a.email for a in booking.attendees),
        subject=f"Booking cancelled: {room.name}",
        body=f"This booking has been cancelled.\n\n{_summary(booking, room)}",
        kind=MailKind.CANCELLATION,
    )


def registration_code(email: str, code: str, minutes: int) -> OutgoingMail:
    return OutgoingMail(
        to=(email,),
        subject="Your Occupi verification code",
        body=f"Your verification code is {code}. It expires in {minutes} minutes.\n",
        kind=MailKind.REGISTRATION_CODE,
    )


def already_registered(email: str) -> OutgoingMail:
    return OutgoingMail(
        to=(email,),
        subject="You already have an Occupi account",
        body="Somebody asked to register this address, which already has an account. "
        "Sign in instead; if it was not you, you can ignore this mail.\n",
        kind=MailKind.ALREADY_REGISTERED,
    )


_WHY = {
    LoginChallengeReason.MFA: "two-step sign-in is on for your account",
    LoginChallengeReason.NEW_ADDRESS: "you are signing in from a network address we have "
    "not seen for your account",
}


def login_code(email: str, code: str, minutes: int, reason: LoginChallengeReason) -> OutgoingMail:
    return OutgoingMail(
        to=(email,),
        subject=f"Your Occupi sign-in code ({reason.value.replace('_', ' ')})",
        body=f"Your sign-in code is {code}. It expires in {minutes} minutes.\n"
        f"We asked for it because {_WHY[reason]}.\n"
        "If you did not try to sign in, change your password.\n",
        kind=MailKind.LOGIN_CODE,
    )


def email_change_code(new_email: str, code: str, minutes: int) -> OutgoingMail:
    return OutgoingMail(
        to=(new_email,),
        subject="Confirm your new Occupi e-mail address",
        body=f"Your confirmation code is {code}. It expires in {minutes} minutes.\n"
        "Somebody asked to move an Occupi account to this address; if it was not you, "
        "ignore this mail.\n",
        kind=MailKind.EMAIL_CHANGE_CODE,
    )


def email_changed(old_email: str, new_email: str) -> OutgoingMail:
    return OutgoingMail(
        to=(old_email,),
        subject="Your Occupi e-mail address was changed",
        body=f"Your Occupi account now uses {new_email}; this address no longer signs in.\n"
        "If you did not do this, contact an administrator.\n",
        kind=MailKind.EMAIL_CHANGED,
    )
