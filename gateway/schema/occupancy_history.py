"""Occupancy history and small-batch ingest in GraphQL."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from functools import partial

import strawberry

from domain.errors import invalid
from domain.history import DwellRow, OccupancyRow, VisitorRow
from domain.occupancy import percentage
from gateway.schema.context import FreshLoaders, Info
from gateway.schema.errors import UserError, attempt
from gateway.schema.ids import location_ref
from gateway.services.history import LocationHistory
from gateway.services.ingest import IngestReport

mutation = partial(strawberry.mutation, extensions=[FreshLoaders()])
MAX_GRAPHQL_READINGS = 500


@strawberry.enum
class PassageDirection(StrEnum):
    IN = "in"
    OUT = "out"


@strawberry.type(description="Mean and peak people over a local day or an hour of day.")
class OccupancyFigures:
    row: strawberry.Private[OccupancyRow]
    capacity: strawberry.Private[int | None]

    @strawberry.field(description="The local day (daily rows); null in the hourly profile.")
    def date(self) -> date | None:
        return self.row.day

    @strawberry.field(description="The hour of day 0-23 (profile rows); null in daily rows.")
    def hour(self) -> int | None:
        return self.row.hour_of_day

    @strawberry.field(description="The mean, unrounded.")
    def avg(self) -> float:
        return self.row.avg

    @strawberry.field
    def peak(self) -> int:
        return self.row.peak

    @strawberry.field(description="avg / capacity, rounded half-up to 2 decimals.")
    def avg_percentage(self) -> float | None:
        return percentage(self.row.avg, self.capacity)

    @strawberry.field
    def peak_percentage(self) -> float | None:
        return percentage(self.row.peak, self.capacity)


@strawberry.type(description="Entries (not unique people) in a local day or hour.")
class Visitors:
    row: strawberry.Private[VisitorRow]

    @strawberry.field
    def date(self) -> date:
        return self.row.day

    @strawberry.field(description="Hourly rows: the start of the local hour; null daily.")
    def hour_start(self) -> datetime | None:
        return self.row.hour

    @strawberry.field
    def visitors(self) -> int:
        return self.row.visitors


@strawberry.type(
    description="Minutes per visit on a local day; visits of 3 minutes or less left out."
)
class DwellTime:
    row: strawberry.Private[DwellRow]

    @strawberry.field
    def date(self) -> date:
        return self.row.day

    @strawberry.field
    def avg_minutes(self) -> float:
        return self.row.avg_minutes

    @strawberry.field
    def peak_minutes(self) -> float:
        return self.row.peak_minutes


@strawberry.type(description="A location's history over local days of its site's zone.")
class OccupancyHistory:
    found: strawberry.Private[LocationHistory]
    now: strawberry.Private[datetime]

    @strawberry.field(description='"OK", or why the answer holds less than the range.')
    def message(self) -> str:
        return self.found.message

    @strawberry.field(description="The location's capacity now (the percentages' base).")
    def capacity(self) -> int | None:
        return self.found.occupancy.capacity

    @strawberry.field
    def daily_occupancy(self) -> list[OccupancyFigures]:
        cap = self.found.occupancy.capacity
        return [OccupancyFigures(row=r, capacity=cap) for r in self.found.history.daily_occupancy()]

    @strawberry.field(description="24 rows, one per hour of day, over the whole range.")
    def hourly_occupancy(self) -> list[OccupancyFigures]:
        cap = self.found.occupancy.capacity
        return [OccupancyFigures(row=r, capacity=cap) for r in self.found.history.hourly_profile()]

    @strawberry.field
    def daily_visitors(self) -> list[Visitors]:
        return [Visitors(row=r) for r in self.found.history.daily_visitors()]

    @strawberry.field(description="One row per local hour of each day (23 or 25 on DST days).")
    def hourly_visitors(self) -> list[Visitors]:
        return [Visitors(row=r) for r in self.found.history.hourly_visitors()]

    @strawberry.field(description="Only days that have ended.")
    def daily_dwell_time(self) -> list[DwellTime]:
        return [DwellTime(row=r) for r in self.found.history.daily_dwell(self.now)]


@strawberry.input
class OccupancyHistoryInput:
    location: strawberry.ID
    start: date = strawberry.field(description="First local day.")
    end: date = strawberry.field(description="Last local day; at most 366 days in all.")


@strawberry.input
class ReadingInput:
    location_id: strawberry.ID
    time: datetime
    count: int | None = strawberry.field(default=None, description="A count snapshot…")
    direction: PassageDirection | None = strawberry.field(
        default=None, description="…or a passage."
    )
    visitor: str | None = strawberry.field(default=None, description="Passages: a visit reference.")


@strawberry.input
class IngestReadingsInput:
    readings: list[ReadingInput] = strawberry.field(
        description=f"At most {MAX_GRAPHQL_READINGS}; POST /ingest/readings takes thousands."
    )


@strawberry.type
class RejectedReading:
    index: int
    reason: str


@strawberry.type
class IngestReadingsPayload:
    accepted: int
    duplicates: int
    rejected: list[RejectedReading]
    errors: list[UserError]


def _item(reading: ReadingInput) -> dict[str, object]:
    item: dict[str, object] = {
        "locationId": location_ref(reading.location_id, "locationId"),
        "time": reading.time.isoformat(),
    }
    if reading.count is not None:
        item["count"] = reading.count
    if reading.direction is not None:
        item["direction"] = reading.direction.value
    if reading.visitor is not None:
        item["visitor"] = reading.visitor
    return item


@strawberry.type
class OccupancyHistoryQuery:
    @strawberry.field(description="For anybody signed in, or a read API token in its subtree.")
    async def occupancy_history(self, info: Info, input: OccupancyHistoryInput) -> OccupancyHistory:
        app = info.context.app
        found = await app.history.of(
            info.context.principal, location_ref(input.location, "location"), input.start, input.end
        )
        return OccupancyHistory(found=found, now=app.clock.now())


@strawberry.type
class IngestMutation:
    @mutation(description="Small batches from an ingest API token or an admin.")
    async def ingest_readings(
        self, info: Info, input: IngestReadingsInput
    ) -> IngestReadingsPayload:
        async def submit() -> IngestReport:
            if len(input.readings) > MAX_GRAPHQL_READINGS:
                raise invalid(f"send at most {MAX_GRAPHQL_READINGS} readings here", "readings")
            items = [_item(r) for r in input.readings]
            return await info.context.app.ingest.submit(info.context.principal, items)

        report, errors = await attempt(submit)
        if report is None:
            return IngestReadingsPayload(accepted=0, duplicates=0, rejected=[], errors=errors)
        return IngestReadingsPayload(
            accepted=report.accepted,
            duplicates=report.duplicates,
            rejected=[RejectedReading(index=r.index, reason=r.reason) for r in report.rejected],
            errors=[],
        )
