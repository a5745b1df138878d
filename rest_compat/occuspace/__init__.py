"""The Occuspace occupancy API v1, mounted under /v1 as at api.occuspace.io/v1."""

from __future__ import annotations

from rest_compat.occuspace import envelopes, history, locations
from rest_compat.routing import Api, Endpoint, Reply

ENDPOINTS: tuple[Endpoint, ...] = (*locations.ENDPOINTS, *history.ENDPOINTS)

API = Api(
    name="Occuspace",
    description="The location tree, real-time counts, occupancy, visitors and dwell time.",
    prefix="/v1",
    endpoints=ENDPOINTS,
    failure=envelopes.failure,
    internal_error=envelopes.internal_error,
    bad_input=Reply(envelopes.OccuspaceError, "Bad input: the message names the argument."),
    security_schemes={
        "occuspaceToken": {
            "type": "http",
            "scheme": "bearer",
            "description": "An API token, sent as `Authorization: Bearer <token>`.",
        },
    },
)
