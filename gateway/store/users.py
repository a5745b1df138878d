"""Users repository."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, insert, or_, select, update
from sqlalchemy.engine import Row
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import DomainError, ErrorCode
from domain.users import Role, User
from gateway.services.ports import Clock
from gateway.services.records import Page, PageRequest, TokenHolder, UserQuery
from gateway.store.pages import Keyset, fetch_page
from gateway.store.tables import presence_sessions, users

USER_COLUMNS = (users.c.id, users.c.email, users.c.name, users.c.role)


def to_user(row: Row[Any]) -> User:
    return User(id=row.id, email=row.email, name=row.name, role=Role(row.role))


def select_users() -> Select[Any]:
    return select(*USER_COLUMNS)


USER_ORDER = Keyset("users", (users.c.email,))


class SqlUsers:
    def __init__(self, session: AsyncSession, clock: Clock) -> None:
        self._session = session
        self._clock = clock

    async def get(self, user_id: int) -> User | None:
        row = (await self._session.execute(select_users().where(users.c.id == user_id))).first()
        return to_user(row) if row else None

    async def by_email(self, email: str) -> User | None:
        row = (await self._session.execute(select_users().where(users.c.email == email))).first()
        return to_user(row) if row else None

    async def by_emails(self, emails: Iterable[str]) -> Mapping[str, User]:
        wanted = list(emails)
        if not wanted:
            return {}
        rows = await self._session.execute(select_users().where(users.c.email.in_(wanted)))
        return {row.email: to_user(row) for row in rows}

    async def password_hash(self, user_id: int) -> str:
        hashed = await self._session.scalar(
            select(users.c.password_hash).where(users.c.id == user_id)
        )
        if hashed is None:
            raise DomainError(ErrorCode.NOT_FOUND, f"no user with id {user_id}")
        return str(hashed)

    async def token_holder(self, user_id: int) -> TokenHolder | None:
        stmt: Select[Any] = select(*USER_COLUMNS, users.c.tokens_valid_from).where(
            users.c.id == user_id
        )
        row = (await self._session.execute(stmt)).first()
        return None if row is None else TokenHolder(to_user(row), row.tokens_valid_from)

    async def set_password_hash(self, user_id: int, password_hash: str) -> None:
        await self._session.execute(
            update(users).where(users.c.id == user_id).values(password_hash=password_hash)
        )

    async def revoke_tokens(self, user_id: int, valid_from: datetime) -> None:
        await self._session.execute(
            update(users).where(users.c.id == user_id).values(tokens_valid_from=valid_from)
        )

    async def add(self, *, email: str, name: str, role: Role, password_hash: str) -> User:
        values = {
            "email": email,
            "name": name,
            "role": role.value,
            "password_hash": password_hash,
            "created_at": self._clock.now(),
        }
        try:
            async with self._session.begin_nested():
                user_id = await self._session.scalar(
                    insert(users).values(**values).returning(users.c.id)
                )
        except IntegrityError:
            raise DomainError(
                ErrorCode.EMAIL_TAKEN, f"{email} already has an account", field="email"
            ) from None
        assert user_id is not None
        return User(id=user_id, email=email, name=name, role=role)

    async def list(self, query: UserQuery, page: PageRequest) -> Page[User]:
        stmt = select_users()
        if query.role is not None:
            stmt = stmt.where(users.c.role == query.role.value)
        if query.search:
            needle = query.search.lower()
            stmt = stmt.where(
                or_(
                    func.lower(users.c.email).contains(needle, autoescape=True),
                    func.lower(users.c.name).contains(needle, autoescape=True),
                )
            )
        if query.department:
            stmt = stmt.where(func.lower(users.c.department) == query.department.lower())
        if query.emails is not None:
            stmt = stmt.where(users.c.email.in_(query.emails))
        if query.on_site is not None:
            open_stay = (
                select(presence_sessions.c.id)
                .where(
                    presence_sessions.c.user_id == users.c.id,
                    presence_sessions.c.exited_at.is_(None),
                )
                .exists()
            )
            stmt = stmt.where(open_stay if query.on_site else ~open_stay)
        found = await fetch_page(self._session, stmt, page, USER_ORDER)
        return found.of([to_user(r) for r in found.rows])
