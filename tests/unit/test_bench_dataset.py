"""bench.bulk at a tiny scale, through the real migrations on SQLite: the sizes asked
for, the nested floor, and bookings that never overlap."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from bench.bulk import HOURS_PER_DAY, BenchData, build
from bench.scale import NESTED_ATTENDEES, NESTED_BOOKINGS, NESTED_ROOMS, TINY, Scale

NOW = datetime(2026, 12, 1, 10, tzinfo=UTC)


@pytest.fixture(scope="module")
def built(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[BenchData, sqlite3.Connection]]:
    path = tmp_path_factory.mktemp("bench") / "bench.db"
    data = build(f"sqlite+aiosqlite:///{path}", TINY, now=NOW)
    with sqlite3.connect(path) as db:
        yield data, db


def count(db: sqlite3.Connection, sql: str) -> int:
    return int(db.execute(sql).fetchone()[0])


def test_the_sizes_are_the_scales(built: tuple[BenchData, sqlite3.Connection]) -> None:
    data, db = built
    assert count(db, "SELECT count(*) FROM users") == TINY.users
    assert count(db, "SELECT count(*) FROM rooms") == TINY.rooms == len(data.room_codes)
    assert count(db, "SELECT count(*) FROM locations WHERE kind = 'site'") == 1
    seeded = TINY.bookings_per_room * TINY.rooms + NESTED_ROOMS * NESTED_BOOKINGS
    assert count(db, "SELECT count(*) FROM bookings WHERE status = 'active'") == seeded
    hours = TINY.sensor_rooms * TINY.reading_days * HOURS_PER_DAY
    assert count(db, "SELECT count(*) FROM occupancy_hours") == hours
    assert count(db, "SELECT count(*) FROM occupancy_now") == TINY.sensor_rooms
    sessions = count(db, "SELECT count(*) FROM course_sessions")
    assert sessions == count(db, "SELECT count(*) FROM bookings WHERE source = 'timetable'") > 0
    assert count(db, "SELECT count(*) FROM session_rooms") == sessions
    assert count(db, "SELECT count(DISTINCT password_hash) FROM users") == 1


def test_the_nested_floor_has_10_rooms_of_5_bookings_of_3_attendees_on_the_read_day(
    built: tuple[BenchData, sqlite3.Connection],
) -> None:
    data, db = built
    rooms = db.execute(
        "SELECT r.code FROM rooms r JOIN locations l ON l.id = r.location_id "
        "WHERE l.parent_id = ? ORDER BY r.code",
        (data.floor_id,),
    ).fetchall()
    assert [code for (code,) in rooms] == list(data.room_codes[:NESTED_ROOMS])
    per_booking = db.execute(
        "SELECT b.room_id, count(a.email), count(u.id) FROM bookings b "
        "JOIN locations l ON l.id = b.room_id JOIN booking_attendees a ON a.booking_id = b.id "
        "LEFT JOIN users u ON u.id = a.user_id "
        "WHERE l.parent_id = ? AND b.starts_at >= ? AND b.starts_at < ? GROUP BY b.id",
        (data.floor_id, f"{data.read_day} 00:00", f"{data.read_day} 23:59"),
    ).fetchall()
    assert len(per_booking) == NESTED_ROOMS * NESTED_BOOKINGS
    assert {(n, named) for _, n, named in per_booking} == {(NESTED_ATTENDEES, NESTED_ATTENDEES)}


def test_no_two_bookings_of_a_room_overlap_and_writes_come_after_them(
    built: tuple[BenchData, sqlite3.Connection],
) -> None:
    data, db = built
    overlapping = count(
        db,
        "SELECT count(*) FROM bookings a JOIN bookings b ON a.room_id = b.room_id "
        "AND a.id < b.id AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at",
    )
    assert overlapping == 0
    last = db.execute("SELECT max(ends_at) FROM bookings").fetchone()[0]
    assert last < f"{data.first_write_day} 00:00"


def test_a_scale_too_small_for_the_nested_floor_is_refused() -> None:
    with pytest.raises(ValueError, match="too few rooms"):
        Scale("x", rooms=5, bookings=5, users=9, reading_days=1, sensor_rooms=10, courses=1)
    with pytest.raises(ValueError, match="more bookings per room"):
        Scale("x", rooms=20, bookings=2000, users=9, reading_days=1, sensor_rooms=10, courses=1)
