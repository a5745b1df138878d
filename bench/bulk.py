"""The benchmark suite's dataset, built fast: the real migrations on an empty SQLite file,
then bulk inserts with SQLAlchemy Core into the real tables (gateway.store.tables).

One site of 10 buildings x 4 floors. The first floor holds exactly the 10 rooms of the
nested read: on the read day (tomorrow, site-local) each has 5 bookings of 3 attendees.
Every other booking is one hour inside 08:00-17:00 on a distinct day of its room, so no
two overlap; a tenth of them belong to timetable sessions. Readings are stored as the
hourly rollups the history reads (`occupancy_hours`), as ingest would have left them.
One password hash is computed and shared by every account. Writes (bookRoom) go to days
after every seeded booking, so they never change what the reads return.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Table
from sqlalchemy.ext.asyncio import create_async_engine

from bench.bulk_rows import (
    FLOORS_PER_BUILDING,
    attendee,
    booking,
    email_of,
    place,
    room,
    room_code,
)
from bench.scale import NESTED_ATTENDEES, NESTED_BOOKINGS, NESTED_ROOMS, Scale
from gateway.auth.passwords import Argon2Hasher
from gateway.migrate import upgrade
from gateway.store import tables

ZONE = ZoneInfo("Africa/Johannesburg")
BUILDINGS = 10
OPENS, CLOSES = time(8), time(17)
HOURS_PER_DAY = 9
BATCH = 20_000
ADMIN_ID = 1
# Tables whose ids the inserts give (the rest have composite or foreign-key keys).
SEQUENCED = ("users", "locations", "bookings", "semesters", "courses", "course_sessions")


@dataclass(frozen=True)
class BenchData:
    """What the scenarios need to know of the data they run on."""

    database_url: str
    scale: Scale
    read_day: date
    floor_id: int  # the nested read's floor
    room_codes: tuple[str, ...]  # the first NESTED_ROOMS are the floor's
    first_write_day: date
    read_day_bookings: int  # on the floor, on the read day
    sensor_rooms: int

    @property
    def basic_user_ids(self) -> range:
        return range(ADMIN_ID + 1, self.scale.users + 1)

    @property
    def write_room_codes(self) -> tuple[str, ...]:
        return self.room_codes[NESTED_ROOMS:]


def local(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=ZONE)


def build(database_url: str, scale: Scale, *, now: datetime, seed: int = 12) -> BenchData:
    """Migrate the empty database at `database_url` (a new SQLite file, or an empty
    PostgreSQL database) and fill it at `scale`; blocks until done."""
    upgrade(database_url)
    read_day = (now.astimezone(ZONE) + timedelta(days=1)).date()
    past = scale.booking_days * 6 // 10
    data = BenchData(
        database_url=database_url,
        scale=scale,
        read_day=read_day,
        floor_id=0,
        room_codes=tuple(room_code(n) for n in range(scale.rooms)),
        first_write_day=read_day + timedelta(days=scale.booking_days - past + 1),
        read_day_bookings=NESTED_ROOMS * NESTED_BOOKINGS,
        sensor_rooms=scale.sensor_rooms,
    )

    def fill(db: Connection) -> int:
        writer = _Writer(db, scale, now, random.Random(seed))
        floor_id = writer.places()
        writer.people()
        writer.bookings(read_day, read_day - timedelta(days=past))
        writer.timetable()
        writer.readings(read_day)
        return floor_id

    floor_id = asyncio.run(_filled(database_url, fill))
    return BenchData(**{**data.__dict__, "floor_id": floor_id})


async def _filled(database_url: str, fill: Callable[[Connection], int]) -> int:
    """Core's inserts run on the async driver's connection (the gateway's own drivers)."""
    engine = create_async_engine(database_url)
    try:
        async with engine.begin() as db:
            floor_id = await db.run_sync(fill)
            if db.dialect.name == "postgresql":
                # The ids were given explicitly: move each table's sequence past them.
                for table in SEQUENCED:
                    await db.exec_driver_sql(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                        f"(SELECT max(id) FROM {table}))"
                    )
            await db.exec_driver_sql("ANALYZE")
        return floor_id
    finally:
        await engine.dispose()


def _batches(rows: Iterator[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


class _Writer:
    def __init__(self, db: Connection, scale: Scale, now: datetime, rng: random.Random) -> None:
        self.db, self.scale, self.now, self.rng = db, scale, now, rng
        self.room_ids: list[int] = []
        self.booking_id = 0
        self.timetable_bookings: list[tuple[int, int, datetime, datetime]] = []

    def insert(
        self, table: Table, rows: Iterator[dict[str, Any]] | Sequence[dict[str, Any]]
    ) -> None:
        for batch in _batches(iter(rows)):
            self.db.execute(table.insert(), batch)

    def places(self) -> int:
        """The site, buildings, floors and rooms; returns the nested read's floor."""
        site = {"id": 1, "parent_id": None, "kind": "site", "name": "Bench campus"}
        locations = [{**site, "time_zone": ZONE.key, "opens_at": OPENS, "closes_at": CLOSES}]
        floors: list[int] = []
        next_id = 2
        for b in range(BUILDINGS):
            building = next_id
            locations.append(place(building, 1, "building", f"Building {b}"))
            for f in range(FLOORS_PER_BUILDING):
                next_id += 1
                locations.append(place(next_id, building, "floor", f"B{b} floor {f}"))
                floors.append(next_id)
            next_id += 1
        rooms = []
        for n in range(self.scale.rooms):
            # The first floor holds only the nested read's rooms; the rest share the others.
            floor = floors[0] if n < NESTED_ROOMS else floors[1 + n % (len(floors) - 1)]
            locations.append({**place(next_id, floor, "room", f"Room {n + 1}"), "capacity": 10})
            rooms.append(room(next_id, n, self.rng))
            self.room_ids.append(next_id)
            next_id += 1
        self.db.execute(tables.locations.insert(), locations)
        self.insert(tables.rooms, rooms)
        return floors[0]

    def people(self) -> None:
        hashed = Argon2Hasher().hash("bench-password-not-used")  # once, shared by all
        created = self.now - timedelta(days=365)

        def rows() -> Iterator[dict[str, Any]]:
            for user_id in range(ADMIN_ID, self.scale.users + 1):
                yield {
                    "id": user_id,
                    "email": email_of(user_id),
                    "name": f"Person {user_id}",
                    "role": "admin" if user_id == ADMIN_ID else "basic",
                    "password_hash": hashed,
                    "created_at": created,
                }

        self.insert(tables.users, rows())

    def bookings(self, read_day: date, first_day: date) -> None:
        per_room = self.scale.bookings_per_room
        days = [first_day + timedelta(days=d) for d in range(self.scale.booking_days)]
        users = self.scale.users - ADMIN_ID
        booked: list[dict[str, Any]] = []
        attendees: list[dict[str, Any]] = []
        for index, room_id in enumerate(self.room_ids):
            nested = index < NESTED_ROOMS
            choices = [d for d in days if not (nested and d == read_day)]
            slots = [
                (d, self.rng.randrange(HOURS_PER_DAY)) for d in self.rng.sample(choices, per_room)
            ]
            if nested:
                slots += [(read_day, 2 * k) for k in range(NESTED_BOOKINGS)]
            for day, hour in slots:
                self.booking_id += 1
                start = local(day, OPENS) + timedelta(hours=hour)
                creator = ADMIN_ID + 1 + self.booking_id % users
                group = NESTED_ATTENDEES if nested and day == read_day else 1
                timetable = not nested and self.booking_id % 10 == 0
                booked.append(
                    booking(self.booking_id, room_id, creator, start, self.now, timetable)
                )
                attendees += [
                    attendee(
                        self.booking_id, ADMIN_ID + 1 + (creator - ADMIN_ID - 1 + k) % users, k
                    )
                    for k in range(group)
                ]
                if timetable:
                    self.timetable_bookings.append(
                        (self.booking_id, room_id, start, start + timedelta(hours=1))
                    )
        self.insert(tables.bookings, booked)
        self.insert(tables.booking_attendees, attendees)

    def timetable(self) -> None:
        """A semester, its courses, and a session for each timetable booking."""
        first = min((s for _, _, s, _ in self.timetable_bookings), default=self.now)
        last = max((e for _, _, _, e in self.timetable_bookings), default=self.now)
        self.db.execute(
            tables.semesters.insert(),
            [
                {
                    "id": 1,
                    "name": "Bench semester",
                    "type": "year",
                    "start_date": first.astimezone(ZONE).date(),
                    "end_date": last.astimezone(ZONE).date(),
                    "skip_dates": [],
                    "available": True,
                }
            ],
        )
        self.db.execute(
            tables.courses.insert(),
            [
                {
                    "id": c + 1,
                    "code": f"BENCH-{c + 1:03d}",
                    "name": f"Course {c + 1}",
                    "credits": 5,
                    "edu_url": "https://occupi.example/courses",
                    "available": True,
                }
                for c in range(self.scale.courses)
            ],
        )
        sessions, held = [], []
        for n, (booking_id, room_id, start, end) in enumerate(self.timetable_bookings, start=1):
            course = 1 + n % self.scale.courses
            sessions.append(
                {
                    "id": n,
                    "course_id": course,
                    "label": f"lecture {n}",
                    "starts_at": start,
                    "ends_at": end,
                    "available": True,
                }
            )
            held.append(
                {"session_id": n, "room_id": room_id, "booking_id": booking_id, "available": True}
            )
        self.insert(tables.course_sessions, sessions)
        self.insert(tables.session_rooms, held)

    def readings(self, read_day: date) -> None:
        """Hourly rollups of the sensor rooms over the days up to the read day."""
        first = read_day - timedelta(days=self.scale.reading_days)

        def rows() -> Iterator[dict[str, Any]]:
            for room_id in self.room_ids[: self.scale.sensor_rooms]:
                for d in range(self.scale.reading_days):
                    day = first + timedelta(days=d)
                    for hour in range(HOURS_PER_DAY):
                        start = (local(day, OPENS) + timedelta(hours=hour)).astimezone(UTC)
                        peak = self.rng.randrange(1, 11)
                        yield {
                            "location_id": room_id,
                            "hour": start,
                            "samples": 12,
                            "count_sum": peak * 6,
                            "count_max": peak,
                            "entries": peak,
                            "visits": peak,
                            "dwell_seconds": peak * 1800.0,
                            "dwell_max_seconds": 3600.0,
                        }

        self.insert(tables.occupancy_hours, rows())
        # The live count of each sensor room, and its first reading (the history's start).
        earliest = local(first, OPENS)
        latest = local(read_day, OPENS) - timedelta(hours=24 - HOURS_PER_DAY)
        self.insert(
            tables.occupancy_now,
            [
                {"location_id": i, "count": 0, "counted_at": latest, "earliest_at": earliest}
                for i in self.room_ids[: self.scale.sensor_rooms]
            ],
        )
