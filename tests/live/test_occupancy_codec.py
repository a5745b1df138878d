"""OccupancyChanged on the wire between processes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from gateway.live.codec import UndecodableMessage, decode, encode
from gateway.services.events import OccupancyChanged

AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def test_an_occupancy_change_round_trips_in_the_documented_shape() -> None:
    event = OccupancyChanged(42, AT)
    assert encode(event) == (
        b'{"v":1,"type":"occupancy","location_id":42,"occurred_at":"2026-03-02T09:30:00+00:00"}'
    )
    assert decode(encode(event)) == event
    assert event.topic == "location:42:occupancy"


@pytest.mark.parametrize(
    "raw",
    [
        b'{"v":1,"type":"occupancy","occurred_at":"2026-03-02T09:30:00+00:00"}',
        b'{"v":1,"type":"occupancy","location_id":"42","occurred_at":"2026-03-02T09:30:00Z"}',
        b'{"v":1,"type":"occupancy","location_id":true,"occurred_at":"2026-03-02T09:30:00Z"}',
        b'{"v":1,"type":"occupancy","location_id":4}',
    ],
)
def test_a_malformed_occupancy_change_is_undecodable(raw: bytes) -> None:
    with pytest.raises(UndecodableMessage):
        decode(raw)
