"""Domain enums exposed to GraphQL under their domain names."""

from __future__ import annotations

import strawberry

from domain.bookings import BookingSource, BookingStatus
from domain.errors import ErrorCode
from domain.locations import LocationKind
from domain.logins import LoginChallengeReason
from domain.users import Role

strawberry.enum(Role, name="Role")
strawberry.enum(LocationKind, name="LocationKind")
strawberry.enum(BookingStatus, name="BookingStatus")
strawberry.enum(BookingSource, name="BookingSource")
strawberry.enum(LoginChallengeReason, name="LoginChallengeReason")
strawberry.enum(ErrorCode, name="ErrorCode", description="Stable machine codes of expected errors.")
