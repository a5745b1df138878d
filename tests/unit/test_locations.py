"""Locations: the site → building → floor → room tree, room codes and occupancy limits."""

from __future__ import annotations

from itertools import product

import pytest

from domain.errors import DomainError, ErrorCode
from domain.locations import LocationKind, OccupancyLimits, check_parent, check_room_code

SITE, BUILDING, FLOOR, ROOM, ZONE = LocationKind
VALID_PARENTS: list[tuple[LocationKind, LocationKind | None]] = [
    (SITE, None),
    (BUILDING, SITE),
    (FLOOR, BUILDING),
    (ROOM, FLOOR),
    (ZONE, FLOOR),
]
INVALID_PARENTS = [
    pair for pair in product(LocationKind, [None, *LocationKind]) if pair not in VALID_PARENTS
]


def assert_invalid(exc: pytest.ExceptionInfo[DomainError], field: str) -> None:
    assert exc.value.code is ErrorCode.INVALID_INPUT
    assert exc.value.field == field


# --- parents ----------------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "parent"), VALID_PARENTS)
def test_check_parent_accepts_the_kind_directly_above(
    kind: LocationKind, parent: LocationKind | None
) -> None:
    check_parent(kind, parent)


def test_every_other_parent_is_invalid() -> None:
    # 5 kinds x 6 possible parents (none or a kind), 5 of them valid.
    assert len(INVALID_PARENTS) == 25


@pytest.mark.parametrize(("kind", "parent"), INVALID_PARENTS)
def test_check_parent_rejects_any_other_parent(
    kind: LocationKind, parent: LocationKind | None
) -> None:
    with pytest.raises(DomainError) as exc:
        check_parent(kind, parent)
    assert_invalid(exc, "parentId")


# --- room codes -------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["RM1", "RM101", "RMlab-2_b", "RMx", "RM" + "9" * 30])
def test_check_room_code_accepts_and_returns_valid_codes(code: str) -> None:
    assert check_room_code(code) == code


@pytest.mark.parametrize(
    "code",
    [
        "",
        "RM",
        "rm101",
        "Rm101",
        "101",
        "XRM101",
        " RM101",
        "RM101 ",
        "RM101\n",
        "RM 101",
        "RM101!",
        "RM10.1",
        "RM" + "9" * 31,
    ],
)
def test_check_room_code_rejects_malformed_codes(code: str) -> None:
    with pytest.raises(DomainError) as exc:
        check_room_code(code)
    assert_invalid(exc, "code")


# --- occupancy limits -------------------------------------------------------------------


def test_occupancy_limits_default_to_at_least_one_without_maximum() -> None:
    assert OccupancyLimits() == OccupancyLimits(minimum=1, maximum=None)


@pytest.mark.parametrize(
    ("minimum", "maximum"), [(0, None), (0, 1), (1, 1), (2, 2), (1, 10), (5, None)]
)
def test_occupancy_limits_accept_consistent_bounds(minimum: int, maximum: int | None) -> None:
    limits = OccupancyLimits(minimum, maximum)
    assert (limits.minimum, limits.maximum) == (minimum, maximum)


@pytest.mark.parametrize(
    ("minimum", "maximum", "field"),
    [
        (-1, None, "minOccupancy"),
        (-1, 5, "minOccupancy"),
        (3, 2, "maxOccupancy"),
        (1, 0, "maxOccupancy"),
        (0, 0, "maxOccupancy"),
        (0, -1, "maxOccupancy"),
    ],
)
def test_occupancy_limits_reject_inconsistent_bounds(
    minimum: int, maximum: int | None, field: str
) -> None:
    with pytest.raises(DomainError) as exc:
        OccupancyLimits(minimum, maximum)
    assert_invalid(exc, field)


@pytest.mark.parametrize(
    ("limits", "count", "expected"),
    [
        (OccupancyLimits(2, 4), 1, False),
        (OccupancyLimits(2, 4), 2, True),
        (OccupancyLimits(2, 4), 3, True),
        (OccupancyLimits(2, 4), 4, True),
        (OccupancyLimits(2, 4), 5, False),
        (OccupancyLimits(), 0, False),
        (OccupancyLimits(), 1, True),
        (OccupancyLimits(), 10_000, True),
        (OccupancyLimits(0, None), 0, True),
        (OccupancyLimits(3, 3), 3, True),
        (OccupancyLimits(3, 3), 2, False),
        (OccupancyLimits(3, 3), 4, False),
    ],
)
def test_occupancy_limits_admit_counts_within_bounds(
    limits: OccupancyLimits, count: int, expected: bool
) -> None:
    assert limits.admits(count) is expected
