"""Rows of the benchmark dataset's tables (bench.bulk), one function per table."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

FLOORS_PER_BUILDING = 4


def email_of(user_id: int, admin_id: int = 1) -> str:
    return "bench-admin@occupi.example" if user_id == admin_id else f"p{user_id}@occupi.example"


def room_code(index: int) -> str:
    return f"RM{index + 1:05d}"


def place(location_id: int, parent: int, kind: str, name: str) -> dict[str, Any]:
    return {
        "id": location_id,
        "parent_id": parent,
        "kind": kind,
        "name": name,
        "time_zone": None,
        "opens_at": None,
        "closes_at": None,
    }


def room(location_id: int, n: int, rng: random.Random) -> dict[str, Any]:
    return {
        "location_id": location_id,
        "code": room_code(n),
        "number": str(n + 1),
        "description": "",
        "min_occupancy": 1,
        "max_occupancy": 10,
        "resources": ["projector"],
        "room_type": "seminar room",
        "capacity": 10,
        "level": n % FLOORS_PER_BUILDING,
        "latitude": -26.1 + rng.random() / 100,
        "longitude": 28.05 + rng.random() / 100,
        "available": True,
    }


def booking(
    booking_id: int, room_id: int, creator: int, start: datetime, now: datetime, timetable: bool
) -> dict[str, Any]:
    return {
        "id": booking_id,
        "code": f"BK{booking_id:07d}",
        "room_id": room_id,
        "creator_id": creator,
        "title": "Bench meeting",
        "source": "timetable" if timetable else "adhoc",
        "status": "active",
        "starts_at": start,
        "ends_at": start + timedelta(hours=1),
        "created_at": now,
        "cancelled_at": None,
        "cancelled_by": None,
    }


def attendee(booking_id: int, user_id: int, position: int) -> dict[str, Any]:
    return {
        "booking_id": booking_id,
        "email": email_of(user_id),
        "position": position,
        "user_id": user_id,
        "checked_in_at": None,
    }
