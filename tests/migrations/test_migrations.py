"""The Alembic history: every revision goes up and down cleanly, head matches the models,
and the constraints the application relies on exist in a migrated database.

Migrations run through `gateway.migrate`, which calls `asyncio.run`: those tests are sync.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from pprint import pformat
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.migrate import alembic_config, downgrade, upgrade
from gateway.store.engine import create_engine
from gateway.store.tables import (
    booking_attendees,
    bookings,
    locations,
    metadata,
    rooms,
    users,
)
from tests.support.databases import ON_POSTGRES

INITIAL_TABLES = frozenset(
    {"users", "locations", "rooms", "bookings", "booking_attendees", "one_time_codes", "outbox"}
)
MAIL_TABLES = INITIAL_TABLES | {"mail_deliveries"}
THROTTLE_TABLES = MAIL_TABLES | {"login_failures"}
IMAGE_TABLES = frozenset({"images", "image_variants"})
IP_RULE_TABLES = frozenset(
    {"user_allowed_addresses", "user_confirmed_addresses", "user_blocked_addresses"}
)
PRESENCE_TABLES = frozenset({"office_hours", "presence_sessions"})
NOTIFICATION_TABLES = frozenset(
    {
        "notification_settings",
        "push_tokens",
        "notifications",
        "notification_recipients",
        "booking_reminders",
    }
)
TIMETABLE_TABLES = frozenset(
    {
        "semesters",
        "teachers",
        "courses",
        "course_teachers",
        "units",
        "study_plans",
        "study_plan_courses",
        "course_sessions",
        "session_rooms",
        "timetable_events",
    }
)
PRESENCE_HEAD_TABLES = (
    THROTTLE_TABLES | NOTIFICATION_TABLES | IMAGE_TABLES | IP_RULE_TABLES | PRESENCE_TABLES
)
OCCUPANCY_TABLES = frozenset(
    {
        "api_tokens",
        "occupancy_now",
        "occupancy_readings",
        "occupancy_hours",
        "occupancy_visit_ends",
    }
)
LEGACY_HEAD_TABLES = (
    PRESENCE_HEAD_TABLES | OCCUPANCY_TABLES | TIMETABLE_TABLES | {"pending_registrations"}
)
AUDIT_TABLES = LEGACY_HEAD_TABLES | {"audit_events"}
HEAD_TABLES = AUDIT_TABLES

# The application tables each revision leaves behind (alembic_version aside). A new
# revision must be listed here; test_every_revision_declares_its_tables insists on it.
EXPECTED_TABLES: dict[str, frozenset[str]] = {
    "0001": INITIAL_TABLES,
    "0002": MAIL_TABLES,
    "0003": MAIL_TABLES,
    "0004": THROTTLE_TABLES,
    "0005": THROTTLE_TABLES,
    "0006": THROTTLE_TABLES | NOTIFICATION_TABLES,
    "0007": THROTTLE_TABLES | NOTIFICATION_TABLES | IMAGE_TABLES,
    "0008": THROTTLE_TABLES | NOTIFICATION_TABLES | IMAGE_TABLES | IP_RULE_TABLES,
    "0009": PRESENCE_HEAD_TABLES,
    "0010": PRESENCE_HEAD_TABLES | OCCUPANCY_TABLES,
    "0011": PRESENCE_HEAD_TABLES | OCCUPANCY_TABLES | TIMETABLE_TABLES,
    "0012": LEGACY_HEAD_TABLES,
    "0013": AUDIT_TABLES,
}
BASE = "base"


def script_directory() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config("sqlite+aiosqlite://"))


def revisions_base_to_head() -> list[str]:
    return [r.revision for r in reversed(list(script_directory().walk_revisions()))]


def down_of(revision: str) -> str:
    """The revision below `revision`, or "base" for the first one."""
    down = script_directory().get_revision(revision).down_revision
    assert down is None or isinstance(down, str), f"{revision} is a merge point"
    return down or BASE


REVISIONS = revisions_base_to_head()


def expected_tables(revision: str) -> frozenset[str]:
    return frozenset() if revision == BASE else EXPECTED_TABLES[revision]


def url_of(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


def plain(value: Any) -> str:
    """A reflected detail as text; a partial index's predicate (a SQL clause, whose repr
    is only its address) by its SQL."""
    if isinstance(value, dict):
        return repr(sorted((k, plain(v)) for k, v in value.items()))
    return str(value)


class Inspected:
    """What a sync engine sees in the SQLite file at `path`."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @contextmanager
    def _connect(self) -> Iterator[sa.Connection]:
        engine = sa.create_engine(f"sqlite:///{self.path}")
        try:
            with engine.connect() as connection:
                yield connection
        finally:
            engine.dispose()

    def tables(self) -> frozenset[str]:
        """The application tables (alembic's own bookkeeping table left out)."""
        with self._connect() as connection:
            return frozenset(sa.inspect(connection).get_table_names()) - {"alembic_version"}

    def revision(self) -> str:
        with self._connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
        return current or BASE

    def schema(self) -> dict[str, dict[str, list[str]]]:
        """Every reflected detail of every table, as sorted lists of reprs."""
        with self._connect() as connection:
            inspector = sa.inspect(connection)

            def canon(items: list[Any]) -> list[str]:
                return sorted(repr(sorted((k, plain(v)) for k, v in i.items())) for i in items)

            return {
                table: {
                    "columns": canon(inspector.get_columns(table)),
                    "pk": canon([inspector.get_pk_constraint(table)]),
                    "fks": canon(inspector.get_foreign_keys(table)),
                    "indexes": canon(inspector.get_indexes(table)),
                    "uniques": canon(inspector.get_unique_constraints(table)),
                    "checks": canon(inspector.get_check_constraints(table)),
                }
                for table in inspector.get_table_names()
                if table != "alembic_version"
            }


@pytest.fixture
def db_file(tmp_path: Path) -> Path:
    return tmp_path / "migrations.db"


def test_history_is_linear_with_one_head() -> None:
    script = script_directory()
    assert len(script.get_heads()) == 1
    assert REVISIONS[-1] == script.get_current_head()
    for revision in REVISIONS:
        down_of(revision)  # asserts there is no merge point


def test_every_revision_declares_its_tables() -> None:
    assert set(EXPECTED_TABLES) == set(REVISIONS)
    assert EXPECTED_TABLES[REVISIONS[-1]] == HEAD_TABLES


@pytest.mark.sqlite_only
@pytest.mark.parametrize("revision", REVISIONS)
def test_revision_upgrades_downgrades_and_upgrades_again(revision: str, db_file: Path) -> None:
    """Stairway: up to the revision below, up to `revision`, down one, up again."""
    url, db = url_of(db_file), Inspected(db_file)
    below = down_of(revision)
    if below != BASE:
        upgrade(url, below)
    before = db.schema()
    assert db.tables() == expected_tables(below)

    upgrade(url, revision)
    after = db.schema()
    assert db.revision() == revision
    assert db.tables() == expected_tables(revision)

    downgrade(url, below)
    assert db.revision() == below
    assert db.schema() == before

    upgrade(url, revision)
    assert db.revision() == revision
    assert db.schema() == after


@pytest.mark.sqlite_only
def test_walk_from_head_down_to_base_and_back_up(db_file: Path) -> None:
    url, db = url_of(db_file), Inspected(db_file)
    upgrade(url, "head")
    assert db.revision() == REVISIONS[-1]
    assert db.tables() == HEAD_TABLES
    head_schema = db.schema()

    for revision in reversed(REVISIONS):
        below = down_of(revision)
        downgrade(url, below)
        assert db.revision() == below
        assert db.tables() == expected_tables(below)

    assert db.tables() == frozenset()
    upgrade(url, "head")
    assert db.revision() == REVISIONS[-1]
    assert db.schema() == head_schema


@pytest.mark.sqlite_only
def test_models_match_the_migrations(db_file: Path) -> None:
    upgrade(url_of(db_file), "head")
    engine = sa.create_engine(f"sqlite:///{db_file}")
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "render_as_batch": True}
            )
            diff = compare_metadata(context, metadata)
    finally:
        engine.dispose()
    assert diff == [], pformat(diff)


@pytest.mark.sqlite_only
def test_check_constraints_match_the_models(db_file: Path) -> None:
    """Autogenerate does not compare CHECK constraints, so compare them by name and text."""
    upgrade(url_of(db_file), "head")
    engine = sa.create_engine(f"sqlite:///{db_file}")
    try:
        with engine.connect() as connection:
            inspector = sa.inspect(connection)
            migrated = {
                (table, check["name"], check["sqltext"])
                for table in inspector.get_table_names()
                for check in inspector.get_check_constraints(table)
            }
    finally:
        engine.dispose()
    modelled = {
        (table.name, str(constraint.name), str(constraint.sqltext))
        for table in metadata.sorted_tables
        for constraint in table.constraints
        if isinstance(constraint, sa.CheckConstraint)
    }
    assert migrated == modelled
    assert ("bookings", "ck_bookings_interval", "starts_at < ends_at") in migrated


@pytest.mark.sqlite_only
def test_partial_indexes_match_the_models(db_file: Path) -> None:
    """Autogenerate does not compare a partial index's predicate either; the models give
    each one the same predicate on both databases."""
    upgrade(url_of(db_file), "head")
    engine = sa.create_engine(f"sqlite:///{db_file}")
    try:
        with engine.connect() as connection:
            inspector = sa.inspect(connection)
            migrated = {
                (table, index["name"], str(where))
                for table in inspector.get_table_names()
                for index in inspector.get_indexes(table)
                if (where := index.get("dialect_options", {}).get("sqlite_where")) is not None
            }
    finally:
        engine.dispose()
    modelled = {
        (table.name, str(index.name), str(index.dialect_options["sqlite"]["where"]))
        for table in metadata.sorted_tables
        for index in table.indexes
        if index.dialect_options["sqlite"]["where"] is not None
    }
    assert migrated == modelled
    assert ("outbox", "ix_outbox_unsent_id", "sent_at IS NULL") in modelled
    for table in metadata.sorted_tables:
        for index in table.indexes:
            on_sqlite = index.dialect_options["sqlite"]["where"]
            on_postgresql = index.dialect_options["postgresql"]["where"]
            assert str(on_sqlite) == str(on_postgresql), index.name


@pytest.mark.sqlite_only
def test_foreign_keys_and_their_delete_rules_match_the_models(db_file: Path) -> None:
    """On SQLite autogenerate ignores ON DELETE; the cascades matter, so compare them."""
    upgrade(url_of(db_file), "head")
    engine = sa.create_engine(f"sqlite:///{db_file}")
    try:
        with engine.connect() as connection:
            inspector = sa.inspect(connection)
            migrated = {
                (
                    table,
                    fk["name"],
                    tuple(fk["constrained_columns"]),
                    fk["referred_table"],
                    tuple(fk["referred_columns"]),
                    fk["options"].get("ondelete"),
                )
                for table in inspector.get_table_names()
                for fk in inspector.get_foreign_keys(table)
            }
    finally:
        engine.dispose()
    modelled = {
        (
            table.name,
            str(fk.name),
            tuple(fk.column_keys),
            fk.referred_table.name,
            tuple(element.column.name for element in fk.elements),
            fk.ondelete,
        )
        for table in metadata.sorted_tables
        for fk in table.foreign_key_constraints
    }
    assert migrated == modelled
    room_to_location = ("location_id",), "locations", ("id",), "CASCADE"
    assert ("rooms", "fk_rooms_location_id_locations", *room_to_location) in modelled


@pytest.mark.sqlite_only
def test_migrates_a_path_with_a_percent_sign_and_spaces(tmp_path: Path) -> None:
    folder = tmp_path / "50% off" / "my data"
    try:
        folder.mkdir(parents=True)
    except OSError:  # pragma: no cover - depends on the file system
        pytest.skip("the file system refuses '%' or spaces in names")
    path = folder / "occupi 100%.db"
    upgrade(url_of(path), "head")
    assert path.is_file()
    assert Inspected(path).tables() == HEAD_TABLES
    assert Inspected(path).revision() == REVISIONS[-1]
    downgrade(url_of(path), BASE)
    assert Inspected(path).tables() == frozenset()


# --- constraints in a migrated database, through the application's engine -------------

START = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
USER_ID, SITE_ID, BUILDING_ID, FLOOR_ID, ROOM_ID, BOOKING_ID = 1, 10, 11, 12, 13, 100


def user_row(**changes: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": USER_ID,
        "email": "alice@example.com",
        "name": "Alice",
        "role": "basic",
        "password_hash": "hash",
        "created_at": START,
    }
    return row | changes


def location_row(**changes: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "parent_id": FLOOR_ID,
        "kind": "room",
        "name": "Extra",
        "time_zone": None,
    }
    return row | changes


def room_row(**changes: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "location_id": ROOM_ID,
        "code": "RM001",
        "number": "1",
        "description": "",
        "min_occupancy": 1,
        "max_occupancy": 10,
        "resources": [],
    }
    return row | changes


def booking_row(**changes: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "code": "BK-OTHER",
        "room_id": ROOM_ID,
        "creator_id": USER_ID,
        "title": "",
        "source": "adhoc",
        "status": "active",
        "starts_at": START + 2 * HOUR,
        "ends_at": START + 3 * HOUR,
        "created_at": START,
    }
    return row | changes


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """The app's engine on a migrated file holding one user, a site → room tree and a
    booking with one attendee."""
    engine = create_engine(database_url)
    async with engine.begin() as conn:
        await conn.execute(sa.insert(users).values(user_row()))
        await conn.execute(
            sa.insert(locations),
            [
                location_row(id=SITE_ID, parent_id=None, kind="site", name="HQ", time_zone="UTC"),
                location_row(id=BUILDING_ID, parent_id=SITE_ID, kind="building", name="Main"),
                location_row(id=FLOOR_ID, parent_id=BUILDING_ID, kind="floor", name="Ground"),
                location_row(id=ROOM_ID, parent_id=FLOOR_ID, kind="room", name="Room 1"),
            ],
        )
        await conn.execute(sa.insert(rooms).values(room_row()))
        await conn.execute(
            sa.insert(bookings).values(
                booking_row(id=BOOKING_ID, code="BK-1", starts_at=START, ends_at=START + HOUR)
            )
        )
        await conn.execute(
            sa.insert(booking_attendees).values(
                booking_id=BOOKING_ID, email="alice@example.com", position=0, user_id=USER_ID
            )
        )
    yield engine
    await engine.dispose()


async def count(engine: AsyncEngine, table: sa.Table) -> int:
    async with engine.connect() as conn:
        found = await conn.scalar(sa.select(sa.func.count()).select_from(table))
    return int(found or 0)


async def test_the_valid_rows_used_below_are_accepted(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.execute(sa.insert(bookings).values(booking_row()))
        await conn.execute(sa.insert(locations).values(location_row(id=ROOM_ID + 1)))
        await conn.execute(sa.insert(rooms).values(room_row(location_id=ROOM_ID + 1, code="RM2")))
        await conn.execute(sa.insert(users).values(user_row(id=2, email="bob@example.com")))
    assert await count(engine, bookings) == 2
    assert await count(engine, rooms) == 2
    assert await count(engine, users) == 2


FOREIGN_KEY = "violates foreign key constraint" if ON_POSTGRES else "FOREIGN KEY constraint failed"


def unique(table: str, column: str) -> str:
    """How each database words a unique violation."""
    if ON_POSTGRES:
        return f'violates unique constraint "uq_{table}_{column}"'
    return f"UNIQUE constraint failed: {table}.{column}"


@pytest.mark.parametrize(
    ("table", "row", "message"),
    [
        pytest.param(
            bookings, booking_row(ends_at=START + 2 * HOUR), "ck_bookings_interval", id="empty"
        ),
        pytest.param(
            bookings, booking_row(ends_at=START + HOUR), "ck_bookings_interval", id="reversed"
        ),
        pytest.param(bookings, booking_row(status="held"), "ck_bookings_status", id="status"),
        pytest.param(bookings, booking_row(source="email"), "ck_bookings_source", id="source"),
        pytest.param(bookings, booking_row(room_id=999), FOREIGN_KEY, id="unknown-room"),
        pytest.param(bookings, booking_row(creator_id=999), FOREIGN_KEY, id="unknown-creator"),
        pytest.param(bookings, booking_row(code="BK-1"), unique("bookings", "code"), id="code"),
        pytest.param(
            booking_attendees,
            {"booking_id": 999, "email": "x@example.com", "position": 0},
            FOREIGN_KEY,
            id="attendee-unknown-booking",
        ),
        pytest.param(
            booking_attendees,
            {"booking_id": BOOKING_ID, "email": "x@example.com", "position": 1, "user_id": 999},
            FOREIGN_KEY,
            id="attendee-unknown-user",
        ),
        pytest.param(
            locations,
            location_row(kind="site", parent_id=None),
            "ck_locations_site_time_zone",
            id="site-without-zone",
        ),
        pytest.param(
            locations,
            location_row(kind="building", parent_id=SITE_ID, time_zone="UTC"),
            "ck_locations_site_time_zone",
            id="building-with-zone",
        ),
        pytest.param(locations, location_row(kind="campus"), "ck_locations_kind", id="kind"),
        pytest.param(locations, location_row(parent_id=999), FOREIGN_KEY, id="unknown-parent"),
        pytest.param(users, user_row(id=2, role="root"), "ck_users_role", id="role"),
        pytest.param(users, user_row(id=2), unique("users", "email"), id="email-taken"),
        pytest.param(
            rooms, room_row(min_occupancy=-1), "ck_rooms_min_occupancy", id="negative-minimum"
        ),
        pytest.param(
            rooms,
            room_row(min_occupancy=5, max_occupancy=4),
            "ck_rooms_max_occupancy",
            id="maximum-below-minimum",
        ),
        pytest.param(rooms, room_row(location_id=999, code="RM9"), FOREIGN_KEY, id="room-no-loc"),
    ],
)
async def test_the_migrated_schema_refuses(
    engine: AsyncEngine, table: sa.Table, row: dict[str, Any], message: str
) -> None:
    before = await count(engine, table)
    with pytest.raises(IntegrityError, match=message):
        async with engine.begin() as conn:
            await conn.execute(sa.insert(table).values(row))
    assert await count(engine, table) == before


async def test_deleting_a_room_cascades_to_its_bookings_and_attendees(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.execute(sa.delete(locations).where(locations.c.id == ROOM_ID))
    assert await count(engine, rooms) == 0
    assert await count(engine, bookings) == 0
    assert await count(engine, booking_attendees) == 0
    assert await count(engine, locations) == 3


async def test_a_location_with_children_cannot_be_deleted(engine: AsyncEngine) -> None:
    with pytest.raises(IntegrityError, match=FOREIGN_KEY):
        async with engine.begin() as conn:
            await conn.execute(sa.delete(locations).where(locations.c.id == FLOOR_ID))
    assert await count(engine, locations) == 4


OVERLAP = 'violates exclusion constraint "ex_bookings_room_active_overlap"'


@pytest.mark.postgres_only
@pytest.mark.parametrize(
    ("starts", "ends"),
    [(0, 1), (-1, 0.5), (0.5, 2), (0.25, 0.75), (-1, 2)],
    ids=["same", "overlaps-start", "overlaps-end", "inside", "around"],
)
async def test_postgres_refuses_a_direct_insert_of_an_overlapping_active_booking(
    engine: AsyncEngine, starts: float, ends: float
) -> None:
    row = booking_row(starts_at=START + starts * HOUR, ends_at=START + ends * HOUR)
    with pytest.raises(IntegrityError, match=OVERLAP):
        async with engine.begin() as conn:
            await conn.execute(sa.insert(bookings).values(row))
    assert await count(engine, bookings) == 1


@pytest.mark.postgres_only
async def test_postgres_allows_back_to_back_and_cancelled_overlaps(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.execute(
            sa.insert(bookings),
            [
                booking_row(code="BK-BEFORE", starts_at=START - HOUR, ends_at=START),
                booking_row(code="BK-AFTER", starts_at=START + HOUR, ends_at=START + 2 * HOUR),
                booking_row(
                    code="BK-GONE", starts_at=START, ends_at=START + HOUR, status="cancelled"
                ),
            ],
        )
    assert await count(engine, bookings) == 4
    # Re-activating the cancelled one would double-book the slot: refused as well.
    with pytest.raises(IntegrityError, match=OVERLAP):
        async with engine.begin() as conn:
            await conn.execute(
                sa.update(bookings).where(bookings.c.code == "BK-GONE").values(status="active")
            )
