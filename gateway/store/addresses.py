"""Sign-in address rules per user: allowed, confirmed and blocked addresses."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import String, Table, delete, insert, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import Label

from domain.addresses import AllowedAddress, LoginAddresses
from domain.users import User
from gateway.store.tables import user_allowed_addresses as allowed
from gateway.store.tables import user_blocked_addresses as blocked
from gateway.store.tables import user_confirmed_addresses as confirmed
from gateway.store.tables import users
from gateway.store.users import select_users, to_user


class SqlAddresses:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def rules(self, user_id: int) -> LoginAddresses:
        listed = (
            select(allowed.c.address, _label("allowed"))
            .where(allowed.c.user_id == user_id)
            .union_all(
                select(confirmed.c.address, _label("confirmed")).where(
                    confirmed.c.user_id == user_id
                ),
                select(blocked.c.address, _label("blocked")).where(blocked.c.user_id == user_id),
            )
        )
        rows = (await self._session.execute(listed)).all()
        flag = await self._session.scalar(
            select(users.c.block_anonymous_ip).where(users.c.id == user_id)
        )
        kinds: dict[str, set[str]] = {"allowed": set(), "confirmed": set(), "blocked": set()}
        for address, kind in rows:
            kinds[kind].add(address)
        return LoginAddresses(
            allowed=frozenset(kinds["allowed"]),
            confirmed=frozenset(kinds["confirmed"]),
            blocked=frozenset(kinds["blocked"]),
            block_anonymous=bool(flag),
        )

    async def allowed(self, user_id: int) -> list[AllowedAddress]:
        rows = await self._session.execute(
            select(allowed.c.address, allowed.c.added_at, allowed.c.added_by)
            .where(allowed.c.user_id == user_id)
            .order_by(allowed.c.added_at, allowed.c.address)
        )
        return [AllowedAddress(r.address, r.added_at, r.added_by) for r in rows]

    async def users_allowing(self, address: str) -> list[User]:
        rows = await self._session.execute(
            select_users()
            .join(allowed, allowed.c.user_id == users.c.id)
            .where(allowed.c.address == address)
            .order_by(users.c.email)
        )
        return [to_user(r) for r in rows]

    async def people(self, user_ids: Sequence[int]) -> Mapping[int, User]:
        if not user_ids:
            return {}
        rows = await self._session.execute(select_users().where(users.c.id.in_(user_ids)))
        return {row.id: to_user(row) for row in rows}

    async def allow(
        self, user_ids: Sequence[int], address: str, *, by: int, at: datetime
    ) -> set[int]:
        had = await self._holding(allowed, user_ids, address)
        fresh = [i for i in dict.fromkeys(user_ids) if i not in had]
        if fresh:
            await self._session.execute(
                insert(allowed),
                [{"user_id": i, "address": address, "added_by": by, "added_at": at} for i in fresh],
            )
        await self._session.execute(
            delete(blocked).where(blocked.c.address == address, blocked.c.user_id.in_(user_ids))
        )
        return set(fresh)

    async def disallow(
        self, user_ids: Sequence[int], address: str, *, by: int, at: datetime
    ) -> set[int]:
        known = await self._holding(allowed, user_ids, address)
        known |= await self._holding(confirmed, user_ids, address)
        already = await self._holding(blocked, user_ids, address)
        for table in (allowed, confirmed):
            await self._session.execute(
                delete(table).where(table.c.address == address, table.c.user_id.in_(user_ids))
            )
        fresh = [i for i in dict.fromkeys(user_ids) if i not in already]
        if fresh:
            await self._session.execute(
                insert(blocked),
                [
                    {"user_id": i, "address": address, "blocked_by": by, "blocked_at": at}
                    for i in fresh
                ],
            )
        return known | set(fresh)

    async def set_block_anonymous(self, user_ids: Sequence[int], block: bool) -> set[int]:
        changed = await self._session.scalars(
            update(users)
            .where(users.c.id.in_(user_ids), users.c.block_anonymous_ip != block)
            .values(block_anonymous_ip=block)
            .returning(users.c.id)
        )
        return set(changed)

    async def remember(self, user_id: int, address: str, at: datetime) -> None:
        seen = await self._session.execute(
            update(confirmed)
            .where(confirmed.c.user_id == user_id, confirmed.c.address == address)
            .values(last_seen=at)
        )
        if seen.rowcount == 0:  # type: ignore[attr-defined]
            await self._session.execute(
                insert(confirmed).values(
                    user_id=user_id, address=address, confirmed_at=at, last_seen=at
                )
            )

    async def _holding(self, table: Table, user_ids: Sequence[int], address: str) -> set[int]:
        if not user_ids:
            return set()
        found = await self._session.scalars(
            select(table.c.user_id).where(table.c.address == address, table.c.user_id.in_(user_ids))
        )
        return set(found)


def _label(kind: str) -> Label[str]:
    return literal(kind, String).label("kind")
