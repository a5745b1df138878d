"""The Occupi API (COS301-SE-2024/occupi, a Gin server), at the root of the gateway."""

from __future__ import annotations

from rest_compat.occupi import (
    addresses,
    auth,
    bookings,
    create_user,
    envelopes,
    images,
    listings,
    notices,
    notification_settings,
    onsite,
    passwords,
    people,
    ping,
    registration,
    roles,
    room_images,
    rooms,
    security_settings,
    slots,
)
from rest_compat.routing import Api

API = Api(
    name="Occupi",
    description="Users, rooms, bookings and on-site presence; Gin's envelopes byte for byte.",
    prefix="",
    endpoints=(
        *ping.ENDPOINTS,
        *auth.ENDPOINTS,
        *registration.ENDPOINTS,
        *passwords.ENDPOINTS,
        *listings.ENDPOINTS,
        *bookings.ENDPOINTS,
        *rooms.ENDPOINTS,
        *slots.ENDPOINTS,
        *people.ENDPOINTS,
        *roles.ENDPOINTS,
        *create_user.ENDPOINTS,
        *security_settings.ENDPOINTS,
        *notification_settings.ENDPOINTS,
        *onsite.ENDPOINTS,
        *images.ENDPOINTS,
        *room_images.ENDPOINTS,
        *addresses.ENDPOINTS,
        *notices.ENDPOINTS,
    ),
    failure=envelopes.failure,
    internal_error=envelopes.internal_error,
    bad_input=registration.BAD,
    # The original read the `token` cookie or a raw `Authorization` header; `Bearer` is
    # accepted as well. Any one of the three will do.
    security_schemes={
        "occupiCookie": {"type": "apiKey", "in": "cookie", "name": "token"},
        "occupiHeader": {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "The raw JWT, as the mobile client sends it.",
        },
        "occupiBearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
    },
)
