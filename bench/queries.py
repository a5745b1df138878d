"""The GraphQL documents of the benchmark scenarios (issue 12), shared by the load
generator and by the tests that pin each one's SQL statement count
(tests/perf/test_statement_counts.py): what is measured is what is pinned.

Each scenario takes its variables from the dataset it runs on.
"""

from __future__ import annotations

TRIVIAL = "{ __typename }"

ME = "query Me { me { email name } }"

ROOM = "query Room($id: ID!) { room(id: $id) { code name maxOccupancy } }"

# One floor of 10 rooms with 5 bookings each, their organisers' attendee lists.
NESTED = (
    "query Floor($floor: ID!, $date: Date!) { rooms(first: 10, filter: {locationId: $floor}) "
    "{ edges { node { code name floor { name } bookings(date: $date) { code start end "
    "attendees { email user { name } } } } } } }"
)

UPCOMING = (
    "query Upcoming($after: DateTime!) { myBookings(first: 20, filter: {endsAfter: $after}) "
    "{ edges { node { code title start end room { code name } } } } }"
)

SLOTS = (
    "query Slots($room: ID!, $date: Date!) "
    "{ availableSlots(roomId: $room, date: $date) { start end } }"
)

BOOK = (
    "mutation Book($input: BookRoomInput!) "
    "{ bookRoom(input: $input) { booking { id code } errors { code message } } }"
)

FREE_ROOMS = (
    "query Free($slots: [SlotInput!]!) { freeRooms(slots: $slots) "
    "{ room { code } distanceMeters } }"
)

HISTORY = (
    "query History($input: OccupancyHistoryInput!) { occupancyHistory(input: $input) "
    "{ message capacity dailyOccupancy { date avg peak } hourlyOccupancy { hour avg peak } } }"
)

# The GraphQL twin of the REST shim's `GET /api/view-rooms` on one floor (limit 10): the
# same rooms with the same fields (floorNo, the floor's number, has no field of its own).
ROOMS_OF_FLOOR = (
    "query FloorRooms($floor: ID!) { rooms(first: 10, filter: {locationId: $floor}) "
    "{ edges { node { code name number minOccupancy maxOccupancy description resources } } } }"
)
