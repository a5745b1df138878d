"""The range of the numbers that name rows (users, locations, …) and of stored integers."""

from __future__ import annotations

from domain.errors import invalid

# Row ids are 32-bit integer columns on PostgreSQL (int4) as on SQLite: a larger number
# names no row, and sending it to PostgreSQL would fail as an overflow, not as "not found".
MAX_ROW_ID = 2**31 - 1


def check_row_id(value: int, field: str) -> int:
    """`value` itself when it can name a row, else INVALID_INPUT naming `field`."""
    if not 0 < value <= MAX_ROW_ID:
        raise invalid(f"{field} must be a whole number from 1 to {MAX_ROW_ID}", field)
    return value
