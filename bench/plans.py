"""Request plans for the load generator: one line per request,
`POST<TAB>/graphql<TAB>token<TAB>JSON body` (bench/suite.lua's format).

Write plans hand out distinct half-hour slots (08:00-17:00 site-local, on days after the
read day), so every booking can succeed: any SLOT_TAKEN the run reports is a finding.
Consecutive requests go to different rooms at the same time, the way a morning rush
would, and to different people's tokens.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

from bench.dataset import READ_ROOMS, Dataset

SLOT = timedelta(minutes=30)
OPENS, CLOSES = time(8), time(17)
SLOTS_PER_DAY = 18  # (17:00 - 08:00) / 30 minutes

BOOK = (
    "mutation Book($input: BookRoomInput!) "
    "{ bookRoom(input: $input) { booking { id } errors { code } } }"
)
ROOMS_READ = (
    "query Rooms($date: Date!) { rooms(first: " + str(READ_ROOMS) + ") { edges { node { "
    "code name floor { name } bookings(date: $date) { code start end "
    "attendees { email user { name } } } } } } }"
)


def _line(token: str, body: dict[str, Any]) -> str:
    """One request of bench/suite.lua's plan: METHOD, path, token, body."""
    return f"POST\t/graphql\t{token}\t{json.dumps(body, separators=(',', ':'))}\n"


def read_body(dataset: Dataset) -> dict[str, Any]:
    return {"query": ROOMS_READ, "variables": {"date": dataset.read_day.isoformat()}}


def write_read_plan(path: Path, dataset: Dataset) -> Path:
    """One request, repeated by the load generator; the admin sees every attendee."""
    path.write_text(_line(dataset.admin_token, read_body(dataset)))
    return path


class SlotCursor:
    """Hands out each (room, half-hour) of the write days once, in order."""

    def __init__(self, dataset: Dataset) -> None:
        self._dataset = dataset
        self._slots = self._all_slots()
        self.issued = 0

    def _all_slots(self) -> Iterator[tuple[str, datetime]]:
        day = self._dataset.first_write_day
        while True:
            for index in range(SLOTS_PER_DAY):
                start = datetime.combine(day, OPENS, tzinfo=self._dataset.zone) + index * SLOT
                for code in self._dataset.room_codes:
                    yield code, start
            day += timedelta(days=1)

    def write_plan(self, path: Path, count: int) -> Path:
        """`count` bookRoom requests for slots nobody has been handed before."""
        tokens = self._dataset.user_tokens
        with path.open("w") as plan:
            for _ in range(count):
                code, start = next(self._slots)
                variables = {
                    "input": {
                        "roomId": code,
                        "start": start.isoformat(),
                        "end": (start + SLOT).isoformat(),
                    }
                }
                token = tokens[(self.issued * 7 + self.issued // len(tokens)) % len(tokens)]
                plan.write(_line(token, {"query": BOOK, "variables": variables}))
                self.issued += 1
        return path
