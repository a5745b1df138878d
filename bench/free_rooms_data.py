"""The free-room benchmark's dataset, written straight into a migrated SQLite file: one
site, 10 buildings of 4 floors, N rooms, and per room one-hour bookings (of all three
sources) on distinct working-day hours, so no two bookings of a room overlap."""

from __future__ import annotations

import random
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

START = datetime(2026, 1, 5, 6, tzinfo=UTC)  # a Monday, 08:00 in Johannesburg
HOURS_PER_DAY = 9
SOURCES = ("adhoc", "timetable", "external")


@dataclass(frozen=True)
class Dataset:
    rooms: int
    bookings: int
    days: int

    def day(self, n: int) -> datetime:
        """The first hour of the n-th working day."""
        weeks, weekday = divmod(n, 5)
        return START + timedelta(days=7 * weeks + weekday)


def _stamp(instant: datetime) -> str:
    """As SQLAlchemy stores a UTC instant in SQLite (compared as text there)."""
    return instant.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def build(path: Path, rooms: int, bookings: int, seed: int = 7) -> Dataset:
    """Fill the migrated database at `path`; bookings are spread evenly over rooms."""
    per_room = bookings // rooms
    days = max(1, -(-per_room // HOURS_PER_DAY) * 2)  # about half the cells taken
    data = Dataset(rooms, per_room * rooms, days)
    rng = random.Random(seed)
    db = sqlite3.connect(path)
    now = _stamp(START)
    db.execute(
        "INSERT INTO users (id, email, name, role, password_hash, created_at, mfa_enabled, "
        "block_anonymous_ip) VALUES (1, 'bench@example.com', 'Bench', 'admin', 'x', ?, 0, 0)",
        (now,),
    )
    db.execute(
        "INSERT INTO locations (id, parent_id, kind, name, time_zone, opens_at, closes_at) "
        "VALUES (1, NULL, 'site', 'Campus', 'Africa/Johannesburg', '08:00:00.000000', "
        "'17:00:00.000000')"
    )
    next_id = 2
    floors = []
    for b in range(10):
        building_id = next_id
        db.execute(
            "INSERT INTO locations (id, parent_id, kind, name) VALUES (?, 1, 'building', ?)",
            (building_id, f"B{b}"),
        )
        next_id += 1
        for f in range(4):
            db.execute(
                "INSERT INTO locations (id, parent_id, kind, name) VALUES (?, ?, 'floor', ?)",
                (next_id, building_id, f"F{f}"),
            )
            floors.append((next_id, f))
            next_id += 1
    room_ids = []
    for n in range(rooms):
        floor_id, level = floors[n % len(floors)]
        db.execute(
            "INSERT INTO locations (id, parent_id, kind, name) VALUES (?, ?, 'room', ?)",
            (next_id, floor_id, f"Room {n}"),
        )
        db.execute(
            "INSERT INTO rooms (location_id, code, number, description, min_occupancy, "
            "max_occupancy, resources, room_type, capacity, level, latitude, longitude, "
            "available) VALUES (?, ?, ?, '', 1, ?, '[]', 'classroom', ?, ?, ?, ?, 1)",
            (
                next_id,
                f"RM{n:05d}",
                str(n),
                200,
                rng.choice((10, 20, 40, 80, 200)),
                level,
                -26.1 + rng.random() / 100,
                28.05 + rng.random() / 100,
            ),
        )
        room_ids.append(next_id)
        next_id += 1
    cells = data.days * HOURS_PER_DAY
    rows = []
    booking_id = 1
    for room_id in room_ids:
        for cell in rng.sample(range(cells), per_room):
            day, hour = divmod(cell, HOURS_PER_DAY)
            start = data.day(day) + timedelta(hours=hour)
            rows.append(
                (
                    booking_id,
                    f"BOOKBENCH{booking_id}",
                    room_id,
                    SOURCES[booking_id % 3],
                    _stamp(start),
                    _stamp(start + timedelta(hours=1)),
                    now,
                )
            )
            booking_id += 1
    db.executemany(
        "INSERT INTO bookings (id, code, room_id, creator_id, title, source, status, starts_at, "
        "ends_at, created_at) VALUES (?, ?, ?, 1, '', ?, 'active', ?, ?, ?)",
        rows,
    )
    db.commit()
    db.execute("ANALYZE")
    db.close()
    return data
