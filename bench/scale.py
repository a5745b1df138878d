"""How big the benchmark suite's dataset is: issue 12's sizes, a quick one, a tiny one for tests."""

from __future__ import annotations

from dataclasses import dataclass

NESTED_ROOMS = 10  # one floor of 10 rooms...
NESTED_BOOKINGS = 5  # ...with 5 bookings each on the read day...
NESTED_ATTENDEES = 3  # ...of 3 attendees (the organiser first)


@dataclass(frozen=True)
class Scale:
    """Sizes of one dataset. Bookings are spread evenly over the rooms, at most one per
    room and day, so `bookings // rooms` must fit in `booking_days`."""

    name: str
    rooms: int
    bookings: int
    users: int
    reading_days: int
    sensor_rooms: int  # rooms (the read floor's first) with 90 days of hourly readings
    courses: int
    booking_days: int = 100  # days around the read day that hold the bookings

    @property
    def bookings_per_room(self) -> int:
        return self.bookings // self.rooms

    def __post_init__(self) -> None:
        if self.rooms < NESTED_ROOMS * 2 or self.users < NESTED_ATTENDEES + 1:
            raise ValueError(f"{self.name}: too few rooms or users for the nested floor")
        if not NESTED_ROOMS <= self.sensor_rooms <= self.rooms:
            raise ValueError(f"{self.name}: sensor_rooms must cover the read floor")
        if self.bookings_per_room >= self.booking_days:
            raise ValueError(f"{self.name}: more bookings per room than booking days")


FULL = Scale(
    "full",
    rooms=2000,
    bookings=200_000,
    users=5000,
    reading_days=90,
    sensor_rooms=200,
    courses=40,
    booking_days=120,
)
QUICK = Scale(
    "quick", rooms=400, bookings=20_000, users=1000, reading_days=90, sensor_rooms=40, courses=10
)
TINY = Scale("tiny", rooms=24, bookings=480, users=12, reading_days=31, sensor_rooms=10, courses=2)
