"""The fields the audit log keeps of each kind of thing: what an admin needs to see
what changed, and nothing secret (domain.audit.snapshot drops secret keys besides)."""

from __future__ import annotations

from typing import Any

from domain.api_tokens import ApiToken
from domain.audit import snapshot
from domain.bookings import Booking
from domain.locations import Location
from domain.profiles import Profile
from domain.rooms import Room
from domain.users import User


def booking_fields(booking: Booking) -> dict[str, Any]:
    return {
        "room_id": booking.room_id,
        "creator_id": booking.creator_id,
        "start": booking.interval.start.isoformat(),
        "end": booking.interval.end.isoformat(),
        "status": booking.status.value,
        "source": booking.source.value,
        "title": booking.title,
        "attendees": [
            {
                "email": a.email,
                "user_id": a.user_id,
                "checked_in_at": None if a.checked_in_at is None else a.checked_in_at.isoformat(),
            }
            for a in booking.attendees
        ],
        "cancelled_at": None if booking.cancelled_at is None else booking.cancelled_at.isoformat(),
        "cancelled_by": booking.cancelled_by,
    }


def user_fields(user: User) -> dict[str, Any]:
    return {"email": user.email, "name": user.name, "role": user.role.value}


def profile_fields(profile: Profile) -> dict[str, Any]:
    fields: dict[str, Any] = snapshot(profile)
    return fields


def location_fields(location: Location) -> dict[str, Any]:
    fields: dict[str, Any] = snapshot(location)
    fields.pop("id", None)
    return fields


def room_fields(room: Room) -> dict[str, Any]:
    return {
        "id": room.id,
        "name": room.name,
        "number": room.number,
        "description": room.description,
        "floor_id": room.floor_id,
        "min_occupancy": room.limits.minimum,
        "max_occupancy": room.limits.maximum,
        "resources": list(room.resources),
    }


def token_fields(token: ApiToken) -> dict[str, Any]:
    return {
        "name": token.name,
        "location_id": token.location_id,
        "scopes": sorted(s.value for s in token.scopes),
        "created_by": token.created_by,
        "revoked_at": None if token.revoked_at is None else token.revoked_at.isoformat(),
    }
