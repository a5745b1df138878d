"""The timetable's records, synced by natural key with soft deletion: semesters,
teachers, courses (with their teachers), units and study plans (with their courses)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Table, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.timetables import Course, Semester, StudyPlan, Teacher, Unit
from gateway.store.tables import (
    course_teachers,
    courses,
    semesters,
    study_plan_courses,
    study_plans,
    teachers,
    units,
)


class SqlTimetableRecords:
    """The `sync_*` half of the TimetableRepository port (SqlTimetables is the whole)."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def _sync(
        self, table: Table, key: str, wanted: Sequence[dict[str, Any]]
    ) -> dict[Any, int]:
        """Make `table` match `wanted` by the column `key`; absent rows are withdrawn."""
        stored = {
            row._mapping[key]: row._mapping for row in await self._session.execute(select(table))
        }
        ids: dict[Any, int] = {}
        for values in wanted:
            values = {**values, "available": True}
            found = stored.get(values[key])
            if found is None:
                new_id = await self._session.scalar(
                    insert(table).values(**values).returning(table.c.id)
                )
                assert new_id is not None
                ids[values[key]] = new_id
                continue
            ids[values[key]] = found["id"]
            if any(found[column] != value for column, value in values.items()):
                await self._session.execute(
                    update(table).where(table.c.id == found["id"]).values(**values)
                )
        gone = [row["id"] for k, row in stored.items() if k not in ids and row["available"]]
        if gone:
            await self._session.execute(
                update(table).where(table.c.id.in_(gone)).values(available=False)
            )
        return ids

    async def sync_semesters(self, wanted: Sequence[Semester]) -> Mapping[str, int]:
        return await self._sync(
            semesters,
            "name",
            [
                {
                    "name": s.name,
                    "type": s.type.value,
                    "start_date": s.start_date,
                    "end_date": s.end_date,
                    "skip_dates": [d.isoformat() for d in s.skip_dates],
                }
                for s in wanted
            ],
        )

    async def sync_teachers(self, wanted: Sequence[Teacher]) -> Mapping[str, int]:
        return await self._sync(
            teachers, "name", [{"name": t.name, "people_url": t.people_url} for t in wanted]
        )

    async def sync_courses(
        self, wanted: Sequence[Course], teacher_ids: Mapping[str, int]
    ) -> Mapping[str, int]:
        ids = await self._sync(
            courses,
            "code",
            [
                {
                    "code": c.code,
                    "name": c.name,
                    "credits": c.credits,
                    "edu_url": c.edu_url,
                    "language": c.language,
                }
                for c in wanted
            ],
        )
        links = [
            {"course_id": ids[c.code], "teacher_id": teacher_ids[name], "position": i}
            for c in wanted
            for i, name in enumerate(dict.fromkeys(c.teachers))
        ]
        await self._replace(course_teachers, "course_id", list(ids.values()), links)
        return ids

    async def sync_units(self, wanted: Sequence[Unit]) -> Mapping[str, int]:
        return await self._sync(
            units,
            "code",
            [
                {"code": u.code, "name": u.name, "section": u.section, "promo": u.promo}
                for u in wanted
            ],
        )

    async def sync_study_plans(
        self,
        plans: Sequence[StudyPlan],
        unit_ids: Mapping[str, int],
        semester_ids: Mapping[str, int],
        course_ids: Mapping[str, int],
    ) -> None:
        stored = {
            (r.unit_id, r.semester_id): (r.id, r.available)
            for r in await self._session.execute(select(study_plans))
        }
        kept: dict[int, list[int]] = {}
        for plan in plans:
            key = (unit_ids[plan.unit], semester_ids[plan.semester])
            plan_id, available = stored.get(key, (None, False))
            if plan_id is None:
                plan_id = await self._session.scalar(
                    insert(study_plans)
                    .values(unit_id=key[0], semester_id=key[1], available=True)
                    .returning(study_plans.c.id)
                )
                assert plan_id is not None
            elif not available:
                await self._session.execute(
                    update(study_plans).where(study_plans.c.id == plan_id).values(available=True)
                )
            kept[plan_id] = [course_ids[c] for c in dict.fromkeys(plan.courses)]
        gone = [i for i, on in stored.values() if on and i not in kept]
        if gone:
            await self._session.execute(
                update(study_plans).where(study_plans.c.id.in_(gone)).values(available=False)
            )
        links = [
            {"study_plan_id": plan_id, "course_id": c} for plan_id, cs in kept.items() for c in cs
        ]
        await self._replace(study_plan_courses, "study_plan_id", list(kept), links)

    async def _replace(
        self, table: Table, owner: str, owners: list[int], rows: list[dict[str, Any]]
    ) -> None:
        """Replace the link rows of these owners, writing only when they differ."""
        if not owners:
            return
        current = [
            dict(r._mapping)
            for r in await self._session.execute(select(table).where(table.c[owner].in_(owners)))
        ]

        def canonical(items: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
            return sorted(tuple(sorted(i.items())) for i in items)

        if canonical(current) == canonical(rows):
            return
        await self._session.execute(delete(table).where(table.c[owner].in_(owners)))
        if rows:
            await self._session.execute(insert(table), rows)
