"""A small timetable for the world's rooms (RM000, RM001), and a snapshot of every
table an import writes, to prove what it changed and what it left alone."""

from __future__ import annotations

import copy
from typing import Any

import sqlalchemy as sa

from gateway.app import Gateway
from gateway.store.tables import metadata

# The test clock starts on Monday 23 November 2026, 08:00 in Johannesburg.
DOCUMENT: dict[str, Any] = {
    "time_zone": "Africa/Johannesburg",
    "rooms": [
        {
            "code": "RM000",
            "type": "auditorium",
            "capacity": 80,
            "level": 0,
            "coordinates": [-26.1076, 28.0567],
        },
        {"code": "RM001", "type": "laboratory", "capacity": 8, "level": 1},
    ],
    "semesters": [
        {
            "name": "Fall 2026",
            "type": "fall",
            "start_date": "2026-11-23",
            "end_date": "2026-12-11",
            "skip_dates": ["2026-12-02"],
        },
    ],
    "teachers": [{"name": "Thandi Nkosi", "people_url": "https://people.example/tn"}],
    "courses": [
        {
            "code": "CS-305",
            "name": "Software engineering",
            "credits": 4,
            "language": "English",
            "teachers": ["Thandi Nkosi"],
        },
        {"code": "CS-320", "name": "Compilers", "credits": 6},
    ],
    "units": [{"code": "IN-BA5", "name": "Computer science BA5", "section": "IN", "promo": "BA5"}],
    "study_plans": [{"unit": "IN-BA5", "semester": "Fall 2026", "courses": ["CS-305", "CS-320"]}],
    "schedules": [
        # Tuesdays 24 Nov, 1 Dec, 8 Dec; Wednesdays 25 Nov, 9 Dec (2 Dec is skipped).
        {
            "course": "CS-305",
            "semester": "Fall 2026",
            "weekday": 2,
            "start": "10:00",
            "end": "12:00",
            "label": "lecture",
            "rooms": ["RM000"],
        },
        {
            "course": "CS-320",
            "semester": "Fall 2026",
            "weekday": 3,
            "start": "14:00",
            "end": "15:00",
            "label": "exercise",
            "rooms": ["RM000", "RM001"],
        },
    ],
    "events": [
        {
            "room": "RM001",
            "name": "Open day",
            "start": "2026-11-27T09:00",
            "end": "2026-11-27T11:00",
        },
    ],
}
SESSIONS = 3 + 2
EVENTS = 1


def document() -> dict[str, Any]:
    return copy.deepcopy(DOCUMENT)


async def snapshot(gateway: Gateway) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in primary-key order."""
    tables: dict[str, list[tuple[Any, ...]]] = {}
    async with gateway.db.engine.connect() as connection:
        for table in metadata.sorted_tables:
            order = list(table.primary_key.columns)
            rows = await connection.execute(sa.select(table).order_by(*order))
            tables[table.name] = [tuple(r) for r in rows]
    return tables
