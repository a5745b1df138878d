"""Available slots: the free parts of a room's bookable day."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from domain.intervals import Interval


def free_slots(
    window: Interval, busy: Iterable[Interval], *, not_before: datetime | None = None
) -> list[Interval]:
    """The gaps between `busy` intervals inside `window`, sorted and clipped.

    Busy intervals may come unsorted, overlapping or partly outside the window; the result
    is the same. With `not_before`, time already past is not offered.
    """
    if not_before is not None:
        if not_before >= window.end:
            return []
        if not_before > window.start:
            window = Interval(not_before, window.end)
    clipped = sorted(c for c in (b.clip(window) for b in busy) if c is not None)
    slots: list[Interval] = []
    cursor = window.start
    for taken in clipped:
        if taken.start > cursor:
            slots.append(Interval(cursor, taken.start))
        cursor = max(cursor, taken.end)
    if cursor < window.end:
        slots.append(Interval(cursor, window.end))
    return slots
