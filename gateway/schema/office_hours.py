"""The OfficeHours type: a site's weekly office hours (no dependency on the node types,
so `Location.officeHours` can use it)."""

from __future__ import annotations

from datetime import time

import strawberry

from domain.office_hours import WEEKDAYS
from domain.office_hours import OfficeHours as OfficeHoursTable


@strawberry.type(description="One weekday's office hours, in the site's local time.")
class OfficeDay:
    weekday: int = strawberry.field(description="ISO weekday: 1 = Monday … 7 = Sunday.")
    name: str
    opens: time
    closes: time


@strawberry.type(description="A site's weekly office hours; weekdays not listed are closed.")
class OfficeHours:
    days: list[OfficeDay]
    description: str

    @classmethod
    def of(cls, table: OfficeHoursTable) -> OfficeHours:
        return cls(
            days=[
                OfficeDay(weekday=d, name=WEEKDAYS[d - 1], opens=h.opens, closes=h.closes)
                for d, h in table.days.items()
            ],
            description=table.describe(),
        )
