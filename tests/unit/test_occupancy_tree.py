"""The occupancy of the location tree: sums, capacities, active/stale, percentages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from domain.locations import Location, LocationKind
from domain.occupancy import (
    LeafState,
    is_active,
    occupancy_tree,
    percentage,
    round_half_up,
    subtree,
)

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
STALE = timedelta(minutes=15)
SITE, BUILDING, FLOOR, ROOM, ZONE = LocationKind


def tree() -> list[Location]:
    return [
        Location(1, None, SITE, "Campus", "Europe/Zurich"),
        Location(2, 1, BUILDING, "Library"),
        Location(3, 2, FLOOR, "Ground"),
        Location(4, 3, ZONE, "Lobby", capacity=40),
        Location(5, 3, ROOM, "Reading room", capacity=60),
        Location(6, 2, FLOOR, "Empty floor"),
    ]


def state(count: int, minutes_ago: int, first_days_ago: int = 10) -> LeafState:
    return LeafState(
        count, NOW - timedelta(minutes=minutes_ago), NOW - timedelta(days=first_days_ago)
    )


def test_a_parent_sums_its_childrens_counts_and_capacities() -> None:
    found = occupancy_tree(
        tree(), {4: state(10, 1), 5: state(21, 30, 3)}, now=NOW, stale_after=STALE
    )
    floor = found[3]
    assert (floor.count, floor.capacity, floor.percentage) == (31, 100, 0.31)
    assert floor.is_active  # the lobby reported a minute ago
    assert floor.timestamp == NOW - timedelta(minutes=1)
    assert floor.earliest_at == NOW - timedelta(days=10)
    assert floor.children == (4, 5)
    assert not found[5].is_active  # 30 minutes is stale
    assert found[1].count == 31
    assert found[1].capacity == 100


def test_a_location_that_never_reported_counts_zero_and_is_inactive() -> None:
    found = occupancy_tree(tree(), {}, now=NOW, stale_after=STALE)
    empty = found[6]
    assert (empty.count, empty.capacity, empty.percentage, empty.is_active) == (
        0,
        None,
        None,
        False,
    )
    assert (empty.timestamp, empty.earliest_at, empty.children) == (None, None, ())


def test_presence_is_a_floor_on_the_site_count_not_an_addition() -> None:
    leaves = {4: state(10, 1)}
    assert (
        occupancy_tree(tree(), leaves, now=NOW, stale_after=STALE, at_least={1: 4})[1].count == 10
    )
    assert (
        occupancy_tree(tree(), leaves, now=NOW, stale_after=STALE, at_least={1: 25})[1].count == 25
    )


def test_active_means_reported_within_the_stale_time() -> None:
    assert is_active(NOW - STALE, NOW, STALE)
    assert not is_active(NOW - STALE - timedelta(seconds=1), NOW, STALE)
    assert not is_active(None, NOW, STALE)


def test_percentages_are_fractions_rounded_half_up() -> None:
    assert percentage(1, 8) == 0.13  # 0.125: banker's rounding would give 0.12
    assert percentage(19, 289) == 0.07  # the Occuspace document's example
    assert percentage(102, 292) == 0.35
    assert percentage(5, 0) is None
    assert percentage(5, None) is None
    assert round_half_up(2.5) == 3
    assert round_half_up(3.5) == 4
    assert round_half_up(2.49) == 2


def test_subtree_is_the_root_and_all_its_descendants() -> None:
    assert subtree(tree(), 3) == {3, 4, 5}
    assert subtree(tree(), 1) == {1, 2, 3, 4, 5, 6}
    assert subtree(tree(), 5) == {5}


@st.composite
def forests(draw: st.DrawFn) -> tuple[list[Location], dict[int, LeafState]]:
    size = draw(st.integers(1, 25))
    locations = [Location(1, None, SITE, "root", "UTC")]
    for location_id in range(2, size + 1):
        parent = draw(st.integers(1, location_id - 1))
        capacity = draw(st.none() | st.integers(0, 500))
        locations.append(Location(location_id, parent, ROOM, f"n{location_id}", capacity=capacity))
    leaves = {
        loc.id: LeafState(
            draw(st.integers(0, 300)),
            NOW - timedelta(minutes=draw(st.integers(0, 60))),
            NOW - timedelta(days=draw(st.integers(0, 30))),
        )
        for loc in locations
        if draw(st.booleans())
    }
    return locations, leaves


@given(forests())
def test_every_parent_is_the_sum_of_its_children(
    forest: tuple[list[Location], dict[int, LeafState]],
) -> None:
    locations, leaves = forest
    found = occupancy_tree(locations, leaves, now=NOW, stale_after=STALE)
    for node in found.values():
        assert node.count >= 0
        if node.children:
            kids = [found[c] for c in node.children]
            assert node.count == sum(k.count for k in kids)
            assert node.is_active == any(k.is_active for k in kids)
            known = [k.capacity for k in kids if k.capacity is not None]
            assert node.capacity == (sum(known) if known else None)
        if node.percentage is not None:
            assert node.percentage >= 0
