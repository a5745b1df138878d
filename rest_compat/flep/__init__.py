"""The Occupancy FLEP API (antoninfaure/occupancy-epfl), at its own /api/... paths.

Its paths (`/api/courses`, `/api/studyplans`, `/api/rooms`) do not collide with Occupi's
`/api/...` routes, so both share the root; a clash fails when the routes are built.
"""

from __future__ import annotations

from rest_compat.flep import envelopes
from rest_compat.routing import Api, Endpoint

ENDPOINTS: tuple[Endpoint, ...] = ()

API = Api(
    name="FLEP",
    description="Courses, study plans, timetabled rooms, free-room search, soonest bookings.",
    prefix="",
    endpoints=ENDPOINTS,
    failure=envelopes.failure,
    internal_error=envelopes.internal_error,
)
