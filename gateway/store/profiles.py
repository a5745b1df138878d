"""Profile details, security settings, address and role of accounts (columns of `users`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select, update
from sqlalchemy.engine import Row
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import DomainError, ErrorCode
from domain.profiles import Profile
from domain.users import Role
from gateway.store.tables import users

PROFILE_COLUMNS = (
    users.c.date_of_birth,
    users.c.gender,
    users.c.pronouns,
    users.c.contact_number,
    users.c.employee_id,
    users.c.position,
    users.c.department,
)


def to_profile(row: Row[Any]) -> Profile:
    return Profile(**{c.name: getattr(row, c.name) for c in PROFILE_COLUMNS})


class SqlProfiles:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, user_id: int) -> Profile | None:
        stmt: Select[Any] = select(*PROFILE_COLUMNS).where(users.c.id == user_id)
        row = (await self._session.execute(stmt)).first()
        return None if row is None else to_profile(row)

    async def save(self, user_id: int, profile: Profile) -> None:
        values = {c.name: getattr(profile, c.name) for c in PROFILE_COLUMNS}
        try:
            async with self._session.begin_nested():
                await self._session.execute(
                    update(users).where(users.c.id == user_id).values(**values)
                )
        except IntegrityError:
            raise DomainError(
                ErrorCode.EMPLOYEE_ID_TAKEN,
                f"{profile.employee_id} is another person's employee id",
                field="employeeId",
            ) from None

    async def employee_id_taken(self, employee_id: str) -> bool:
        found = await self._session.scalar(
            select(users.c.id).where(users.c.employee_id == employee_id)
        )
        return found is not None

    async def mfa_enabled(self, user_id: int) -> bool:
        found = await self._session.scalar(select(users.c.mfa_enabled).where(users.c.id == user_id))
        return bool(found)

    async def set_mfa(self, user_id: int, enabled: bool) -> None:
        await self._session.execute(
            update(users).where(users.c.id == user_id).values(mfa_enabled=enabled)
        )

    async def set_email(self, user_id: int, email: str) -> None:
        try:
            async with self._session.begin_nested():
                await self._session.execute(
                    update(users).where(users.c.id == user_id).values(email=email)
                )
        except IntegrityError:
            raise DomainError(
                ErrorCode.EMAIL_TAKEN, f"{email} already has an account", field="newEmail"
            ) from None

    async def set_role(self, user_id: int, role: Role) -> None:
        await self._session.execute(
            update(users).where(users.c.id == user_id).values(role=role.value)
        )

    async def set_name(self, user_id: int, name: str) -> None:
        await self._session.execute(update(users).where(users.c.id == user_id).values(name=name))

    async def count_admins(self) -> int:
        stmt = select(func.count()).select_from(users).where(users.c.role == Role.ADMIN.value)
        return int(await self._session.scalar(stmt) or 0)
