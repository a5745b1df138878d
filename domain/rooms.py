"""Rooms: the bookable leaves of the location tree."""

from __future__ import annotations

from dataclasses import dataclass

from domain.calendar import SiteCalendar
from domain.locations import OccupancyLimits


@dataclass(frozen=True)
class Room:
    """A room with the calendar of the site it belongs to."""

    id: int
    code: str
    name: str
    number: str
    description: str
    floor_id: int
    limits: OccupancyLimits
    resources: tuple[str, ...]
    calendar: SiteCalendar
