"""Object and input types of profile details and security settings."""

from __future__ import annotations

from datetime import date
from typing import Any

import strawberry

from domain.profiles import Profile
from gateway.services.views import SecuritySettings


@strawberry.type(name="ProfileDetails", description="A person's details.")
class ProfileDetailsType:
    date_of_birth: date | None
    gender: str | None
    pronouns: str | None
    contact_number: str | None
    employee_id: str | None = strawberry.field(description="OCCUPI followed by digits.")
    position: str | None
    department: str | None

    @classmethod
    def of(cls, profile: Profile) -> ProfileDetailsType:
        return cls(
            date_of_birth=profile.date_of_birth,
            gender=profile.gender,
            pronouns=profile.pronouns,
            contact_number=profile.contact_number,
            employee_id=profile.employee_id,
            position=profile.position,
            department=profile.department,
        )


@strawberry.type(name="SecuritySettings")
class SecuritySettingsType:
    mfa: bool = strawberry.field(description="Sign-ins also need a code mailed to you.")

    @classmethod
    def of(cls, settings: SecuritySettings) -> SecuritySettingsType:
        return cls(mfa=settings.mfa)


_DETAILS = (
    "date_of_birth",
    "gender",
    "pronouns",
    "contact_number",
    "employee_id",
    "position",
    "department",
)


@strawberry.input(
    description="Profile details; an absent field is left as it is, null clears it. "
    "employeeId, position and department are for admins to set."
)
class UserDetailsInput:
    date_of_birth: date | None = strawberry.UNSET
    gender: str | None = strawberry.UNSET
    pronouns: str | None = strawberry.UNSET
    contact_number: str | None = strawberry.UNSET
    employee_id: str | None = strawberry.UNSET
    position: str | None = strawberry.UNSET
    department: str | None = strawberry.UNSET

    def changes(self) -> dict[str, Any]:
        """The fields given, by their profile names."""
        given = {name: getattr(self, name) for name in _DETAILS}
        return {name: value for name, value in given.items() if value is not strawberry.UNSET}
