"""The schema. Alembic migrations must produce exactly this (a test compares them)."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    Time,
    UniqueConstraint,
    false,
    text,
    true,
)

from gateway.store.types import UtcDateTime

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("email", String(254), nullable=False, unique=True),
    Column("name", String(120), nullable=False),
    Column("role", String(16), nullable=False),
    Column("password_hash", String(255), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    # Tokens issued (iat) before this instant are refused; NULL: none ever revoked.
    Column("tokens_valid_from", UtcDateTime),
    CheckConstraint("role IN ('admin', 'basic')", name="role"),
    # Profile details and security settings (migration 0005).
    Column("date_of_birth", Date),
    Column("gender", String(40)),
    Column("pronouns", String(40)),
    Column("contact_number", String(20)),
    Column("employee_id", String(20), unique=True),
    Column("position", String(100)),
    Column("department", String(100)),
    Column("mfa_enabled", Boolean, nullable=False, server_default=false()),
    # Only allowed or confirmed addresses may sign in; a new one is refused, not confirmed.
    Column("block_anonymous_ip", Boolean, nullable=False, server_default=false()),
)

locations = Table(
    "locations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("parent_id", Integer, ForeignKey("locations.id", ondelete="RESTRICT"), index=True),
    Column("kind", String(16), nullable=False),
    Column("name", String(200), nullable=False),
    Column("time_zone", String(64)),
    Column("opens_at", Time),
    Column("closes_at", Time),
    CheckConstraint("kind IN ('site', 'building', 'floor', 'room', 'zone')", name="kind"),
    CheckConstraint("(kind = 'site') = (time_zone IS NOT NULL)", name="site_time_zone"),
    # People the place holds; only a leaf's own counts (a parent's is its children's sum).
    Column("capacity", Integer),
    CheckConstraint("capacity >= 0", name="capacity_not_negative"),
)

rooms = Table(
    "rooms",
    metadata,
    Column(
        "location_id",
        Integer,
        ForeignKey("locations.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("code", String(40), nullable=False, unique=True),
    Column("number", String(200), nullable=False),
    Column("description", Text, nullable=False),
    Column("min_occupancy", Integer, nullable=False),
    Column("max_occupancy", Integer),
    Column("resources", JSON, nullable=False),
    CheckConstraint("min_occupancy >= 0", name="min_occupancy"),
    CheckConstraint(
        "max_occupancy IS NULL OR max_occupancy >= min_occupancy", name="max_occupancy"
    ),
)

bookings = Table(
    "bookings",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(40), nullable=False, unique=True),
    Column(
        "room_id",
        Integer,
        ForeignKey("rooms.location_id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("creator_id", Integer, ForeignKey("users.id"), nullable=False, index=True),
    Column("title", String(200), nullable=False),
    Column("source", String(16), nullable=False),
    Column("status", String(16), nullable=False),
    Column("starts_at", UtcDateTime, nullable=False),
    Column("ends_at", UtcDateTime, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("cancelled_at", UtcDateTime),
    Column("cancelled_by", Integer, ForeignKey("users.id")),
    CheckConstraint("starts_at < ends_at", name="interval"),
    CheckConstraint("status IN ('active', 'cancelled')", name="status"),
    CheckConstraint("source IN ('adhoc', 'timetable', 'external')", name="source"),
    Index("ix_bookings_room_id_starts_at", "room_id", "starts_at"),
)

booking_attendees = Table(
    "booking_attendees",
    metadata,
    Column(
        "booking_id",
        Integer,
        ForeignKey("bookings.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("email", String(254), primary_key=True),
    Column("position", Integer, nullable=False),
    Column("user_id", Integer, ForeignKey("users.id"), index=True),
    Column("checked_in_at", UtcDateTime),
    Index("ix_booking_attendees_email", "email"),
)

one_time_codes = Table(
    "one_time_codes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("email", String(254), nullable=False, index=True),
    Column("code_hash", String(64), nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("consumed_at", UtcDateTime),
    Column("created_at", UtcDateTime, nullable=False),
    # What the code may be used for, and the account it was sent for (migration 0005).
    Column("purpose", String(16), nullable=False, server_default="registration"),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), index=True),
    # 'reset' (migration 0012): a forgotten password's code.
    CheckConstraint(
        "purpose IN ('registration', 'email_change', 'login', 'reset')", name="purpose"
    ),
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("recipients", JSON, nullable=False),
    Column("subject", String(300), nullable=False),
    Column("body", Text, nullable=False),
    Column("kind", String(32), nullable=False, server_default="booking_confirmation"),
    Column("created_at", UtcDateTime, nullable=False),
    Column("sent_at", UtcDateTime, index=True),
    Column("attempts", Integer, nullable=False),
    Column("last_error", Text),
    # A relay's claim (or a failure's backoff) lasts until then; NULL: free to claim.
    Column("locked_until", UtcDateTime),
    # Only unsent mail, in queue order: the claim walks it and stops after one batch,
    # however much sent mail has piled up. (SQLite's planner may take ix_outbox_sent_at
    # instead: its NULL entries come in rowid order too, so the walk is the same.)
    Index(
        "ix_outbox_unsent_id",
        "id",
        sqlite_where=text("sent_at IS NULL"),
        postgresql_where=text("sent_at IS NULL"),
    ),
)

mail_deliveries = Table(
    "mail_deliveries",
    metadata,
    Column("mail_id", Integer, ForeignKey("outbox.id", ondelete="CASCADE"), primary_key=True),
    Column("email", String(254), primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("queued_at", UtcDateTime, nullable=False),
    Index("ix_mail_deliveries_email_queued_at", "email", "queued_at"),
)
"""One row per recipient of a mail sent on somebody's behalf: the per-address ration."""

login_failures = Table(
    "login_failures",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("scope", String(16), nullable=False),
    Column("key", String(254), nullable=False),
    Column("failed_at", UtcDateTime, nullable=False),
    CheckConstraint("scope IN ('account', 'client')", name="scope"),
    # The tally of one key within the window, and the purge of expired failures.
    Index("ix_login_failures_scope_key_failed_at", "scope", "key", "failed_at"),
    Index("ix_login_failures_failed_at", "failed_at"),
)
"""Failed sign-ins, per typed address and per client address, for throttling."""

user_allowed_addresses = Table(
    "user_allowed_addresses",
    metadata,
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("address", String(45), primary_key=True),
    Column("added_by", Integer, ForeignKey("users.id", ondelete="SET NULL")),
    Column("added_at", UtcDateTime, nullable=False),
    # Which users allow an address (addressInfo).
    Index("ix_user_allowed_addresses_address", "address"),
)
"""Addresses (canonical text form) an admin allowed a user to sign in from."""

user_confirmed_addresses = Table(
    "user_confirmed_addresses",
    metadata,
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("address", String(45), primary_key=True),
    Column("confirmed_at", UtcDateTime, nullable=False),
    Column("last_seen", UtcDateTime, nullable=False),
)
"""Addresses a user signed in from and confirmed (or trusted on first use)."""

user_blocked_addresses = Table(
    "user_blocked_addresses",
    metadata,
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("address", String(45), primary_key=True),
    Column("blocked_by", Integer, ForeignKey("users.id", ondelete="SET NULL")),
    Column("blocked_at", UtcDateTime, nullable=False),
)
"""Addresses an admin removed from a user: refused until an admin allows them again."""
office_hours = Table(
    "office_hours",
    metadata,
    Column("site_id", Integer, ForeignKey("locations.id", ondelete="CASCADE"), primary_key=True),
    Column("weekday", Integer, primary_key=True),
    # Both NULL: closed that weekday. A site without rows keeps the default hours.
    Column("opens_at", Time),
    Column("closes_at", Time),
    CheckConstraint("weekday BETWEEN 1 AND 7", name="weekday"),
    CheckConstraint(
        "(opens_at IS NULL AND closes_at IS NULL) OR opens_at < closes_at", name="opens_first"
    ),
)
"""A site's weekly office hours (ISO weekdays), in its local wall time."""

presence_sessions = Table(
    "presence_sessions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("site_id", Integer, ForeignKey("locations.id", ondelete="CASCADE"), nullable=False),
    Column("entered_at", UtcDateTime, nullable=False),
    Column("exited_at", UtcDateTime),
    Column("closed_by", String(8)),
    CheckConstraint("closed_by IN ('user', 'lazy', 'sweep')", name="closed_by"),
    CheckConstraint("(exited_at IS NULL) = (closed_by IS NULL)", name="closed_with_reason"),
    CheckConstraint("exited_at >= entered_at", name="exits_after_entry"),
    # At most one open session per person, on both databases.
    Index(
        "ix_presence_sessions_open_user_id",
        "user_id",
        unique=True,
        sqlite_where=text("exited_at IS NULL"),
        postgresql_where=text("exited_at IS NULL"),
    ),
    # A person's sessions by time (analytics), and everyone's (admin analytics).
    Index("ix_presence_sessions_user_id_entered_at", "user_id", "entered_at"),
    Index("ix_presence_sessions_entered_at", "entered_at"),
    # Who is on a site now.
    Index(
        "ix_presence_sessions_open_site_id",
        "site_id",
        sqlite_where=text("exited_at IS NULL"),
        postgresql_where=text("exited_at IS NULL"),
    ),
)
"""Stays on site; `exited_at` NULL while open, `closed_by` says who closed it."""
images = Table(
    "images",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("owner_kind", String(16), nullable=False),
    Column("owner_id", Integer, nullable=False),
    Column("format", String(8), nullable=False),
    Column("thumbnail_width", Integer, nullable=False),
    Column("thumbnail_height", Integer, nullable=False),
    Column("low_width", Integer, nullable=False),
    Column("low_height", Integer, nullable=False),
    Column("mid_width", Integer, nullable=False),
    Column("mid_height", Integer, nullable=False),
    Column("high_width", Integer, nullable=False),
    Column("high_height", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    CheckConstraint("owner_kind IN ('profile', 'room')", name="owner_kind"),
    CheckConstraint("format IN ('jpeg', 'png')", name="format"),
    # One image per profile and per room: a new upload replaces the old one.
    UniqueConstraint("owner_kind", "owner_id"),
)
"""Profile and room images (UUID ids) and the size of each of their four variants."""

image_variants = Table(
    "image_variants",
    metadata,
    # No foreign key to images: this is the database's ImageStore, which the use case
    # fills before the image's record is committed (as it would a directory).
    Column("image_id", String(36), primary_key=True),
    Column("quality", String(16), primary_key=True),
    Column("data", LargeBinary, nullable=False),
    Column("etag", String(64), nullable=False),
    CheckConstraint("quality IN ('thumbnail', 'low', 'mid', 'high')", name="quality"),
)
"""The variants' bytes when OCCUPI_IMAGE_STORE is `database`; etag = sha256 of the bytes."""
notification_settings = Table(
    "notification_settings",
    metadata,
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("invites", Boolean, nullable=False),
    Column("booking_reminders", Boolean, nullable=False),
)
"""A person's choices; no row: the defaults (everything on)."""

push_tokens = Table(
    "push_tokens",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    # One device, one token: a device signed in to another account moves to it.
    Column("token", String(200), nullable=False, unique=True),
    Column("registered_at", UtcDateTime, nullable=False),
    Index("ix_push_tokens_user_id_registered_at", "user_id", "registered_at"),
)

notifications = Table(
    "notifications",
    metadata,
    Column("id", Integer, primary_key=True),
    # The legacy API's notiId.
    Column("uuid", String(36), nullable=False, unique=True),
    Column("title", String(200), nullable=False),
    Column("message", Text, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("booking_code", String(40)),
)

notification_recipients = Table(
    "notification_recipients",
    metadata,
    Column(
        "notification_id",
        Integer,
        ForeignKey("notifications.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("read_at", UtcDateTime),
    # Deleted for this recipient only; the notification stays for the others.
    Column("deleted_at", UtcDateTime),
    # A person's notifications, newest first, and their unread count.
    Index("ix_notification_recipients_user_id_notification_id", "user_id", "notification_id"),
)

booking_reminders = Table(
    "booking_reminders",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("booking_id", Integer, ForeignKey("bookings.id", ondelete="CASCADE"), nullable=False),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("due_at", UtcDateTime, nullable=False),
    Column("state", String(16), nullable=False),
    Column("done_at", UtcDateTime),
    CheckConstraint("state IN ('pending', 'sent', 'cancelled', 'skipped')", name="state"),
    UniqueConstraint("booking_id", "user_id"),
    # The worker's poll: pending reminders in due order.
    Index("ix_booking_reminders_state_due_at", "state", "due_at"),
)
"""A "starting soon" reminder per booking and person; `state` leaves `pending` once."""

pending_registrations = Table(
    "pending_registrations",
    metadata,
    # A legacy registration waiting for its mailed code (migration 0012): the password
    # chosen at /auth/register, hashed, and the device to push to once it is an account.
    Column("email", String(254), primary_key=True),
    Column("password_hash", String(255), nullable=False),
    Column("push_token", String(255)),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
)

# Timetables (migration 0011): rooms gain what FLEP knows of them (columns below), and
# the timetable's records. Every record has `available`, the soft deletion of FLEP: a
# re-import that no longer lists a record withdraws it and keeps its history.
rooms.append_column(Column("room_type", String(100)))
rooms.append_column(Column("capacity", Integer))
rooms.append_column(Column("level", Integer))
rooms.append_column(Column("latitude", Float))
rooms.append_column(Column("longitude", Float))
rooms.append_column(Column("available", Boolean, nullable=False, server_default=true()))

semesters = Table(
    "semesters",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("type", String(8), nullable=False),
    Column("start_date", Date, nullable=False),
    Column("end_date", Date, nullable=False),
    Column("skip_dates", JSON, nullable=False),
    Column("available", Boolean, nullable=False),
    CheckConstraint("type IN ('fall', 'spring', 'year')", name="type"),
)

teachers = Table(
    "teachers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("people_url", String(500), nullable=False),
    Column("available", Boolean, nullable=False),
)

courses = Table(
    "courses",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(40), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("credits", Integer, nullable=False),
    Column("edu_url", String(500), nullable=False),
    Column("language", String(40)),
    Column("available", Boolean, nullable=False),
)

course_teachers = Table(
    "course_teachers",
    metadata,
    Column("course_id", Integer, ForeignKey("courses.id", ondelete="CASCADE"), primary_key=True),
    Column("teacher_id", Integer, ForeignKey("teachers.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, nullable=False),
)

units = Table(
    "units",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(40), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("section", String(40), nullable=False),
    Column("promo", String(40)),
    Column("available", Boolean, nullable=False),
)

study_plans = Table(
    "study_plans",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("unit_id", Integer, ForeignKey("units.id", ondelete="CASCADE"), nullable=False),
    Column("semester_id", Integer, ForeignKey("semesters.id", ondelete="CASCADE"), nullable=False),
    Column("available", Boolean, nullable=False),
    UniqueConstraint("unit_id", "semester_id"),
)

study_plan_courses = Table(
    "study_plan_courses",
    metadata,
    Column(
        "study_plan_id",
        Integer,
        ForeignKey("study_plans.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("course_id", Integer, ForeignKey("courses.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_study_plan_courses_course_id", "course_id"),
)

course_sessions = Table(
    "course_sessions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("course_id", Integer, ForeignKey("courses.id", ondelete="CASCADE"), nullable=False),
    Column("label", String(40), nullable=False),
    Column("starts_at", UtcDateTime, nullable=False),
    Column("ends_at", UtcDateTime, nullable=False),
    Column("available", Boolean, nullable=False),
    CheckConstraint("starts_at < ends_at", name="interval"),
    UniqueConstraint("course_id", "label", "starts_at", "ends_at"),
)
"""A dated course session; it holds its rooms through one booking per room."""

session_rooms = Table(
    "session_rooms",
    metadata,
    Column(
        "session_id",
        Integer,
        ForeignKey("course_sessions.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column(
        "room_id", Integer, ForeignKey("rooms.location_id", ondelete="CASCADE"), primary_key=True
    ),
    Column(
        "booking_id",
        Integer,
        ForeignKey("bookings.id", ondelete="CASCADE"),
        nullable=False,
        unique=True,
    ),
    Column("available", Boolean, nullable=False),
)
"""A session's booking of one room (source `timetable`), active while available."""

timetable_events = Table(
    "timetable_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("room_id", Integer, ForeignKey("rooms.location_id", ondelete="CASCADE"), nullable=False),
    Column(
        "booking_id",
        Integer,
        ForeignKey("bookings.id", ondelete="CASCADE"),
        nullable=False,
        unique=True,
    ),
    Column("name", String(200), nullable=False),
    Column("description", Text),
    Column("starts_at", UtcDateTime, nullable=False),
    Column("ends_at", UtcDateTime, nullable=False),
    Column("available", Boolean, nullable=False),
    UniqueConstraint("room_id", "name", "starts_at", "ends_at"),
)
"""A one-off event in a room (its booking has source `external`)."""

# Free-room search and soonest bookings: per room, the active bookings by start, with
# their ends in the index, so both reads touch no booking row (only index entries).
Index(
    "ix_bookings_active_room_id_starts_at_ends_at",
    bookings.c.room_id,
    bookings.c.starts_at,
    bookings.c.ends_at,
    sqlite_where=text("status = 'active'"),
    postgresql_where=text("status = 'active'"),
)
api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(100), nullable=False),
    # SHA-256 of the token, hex: the token itself is shown once and never stored.
    Column("token_hash", String(64), nullable=False, unique=True),
    # The subtree the token sees; NULL: the whole tree.
    Column("location_id", Integer, ForeignKey("locations.id", ondelete="CASCADE")),
    Column("can_read", Boolean, nullable=False),
    Column("can_ingest", Boolean, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("created_by", Integer, ForeignKey("users.id", ondelete="SET NULL")),
    Column("revoked_at", UtcDateTime),
    CheckConstraint("can_read OR can_ingest", name="some_scope"),
)
"""Sensor and dashboard tokens for the ingest endpoint and the Occuspace API."""

occupancy_now = Table(
    "occupancy_now",
    metadata,
    Column(
        "location_id", Integer, ForeignKey("locations.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("count", Integer, nullable=False),
    Column("counted_at", UtcDateTime, nullable=False),
    Column("earliest_at", UtcDateTime, nullable=False),
    CheckConstraint("count >= 0", name="count_not_negative"),
)
"""The latest count of each leaf that ever reported, and its first reading."""

occupancy_readings = Table(
    "occupancy_readings",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("location_id", Integer, ForeignKey("locations.id", ondelete="CASCADE"), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("kind", String(8), nullable=False),
    Column("count", Integer),
    Column("visitor", String(64)),
    # The occupancy sample it gave (None: it was older than the live count).
    Column("sample", Integer),
    Column("received_at", UtcDateTime, nullable=False),
    CheckConstraint("kind IN ('count', 'in', 'out')", name="kind"),
    CheckConstraint("(kind = 'count') = (count IS NOT NULL)", name="count_for_snapshots"),
    # Duplicates are found among a location's readings near the batch's times.
    Index("ix_occupancy_readings_location_id_at", "location_id", "at"),
    # The retention purge.
    Index("ix_occupancy_readings_at", "at"),
)
"""Raw readings, kept for OCCUPI_READINGS_RETENTION_DAYS; history answers from the hours."""

occupancy_hours = Table(
    "occupancy_hours",
    metadata,
    Column(
        "location_id", Integer, ForeignKey("locations.id", ondelete="CASCADE"), primary_key=True
    ),
    # The start of the site-local hour, as a UTC instant.
    Column("hour", UtcDateTime, primary_key=True),
    Column("samples", Integer, nullable=False),
    Column("count_sum", Integer, nullable=False),
    Column("count_max", Integer, nullable=False),
    Column("entries", Integer, nullable=False),
    Column("visits", Integer, nullable=False),
    Column("dwell_seconds", Float, nullable=False),
    Column("dwell_max_seconds", Float, nullable=False),
)
"""Readings rolled up per leaf and local hour at ingest; visits by their entry hour."""

occupancy_visit_ends = Table(
    "occupancy_visit_ends",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("location_id", Integer, ForeignKey("locations.id", ondelete="CASCADE"), nullable=False),
    Column("visitor", String(64), nullable=False),
    Column("entered_at", UtcDateTime),
    Column("left_at", UtcDateTime),
    CheckConstraint("(entered_at IS NULL) <> (left_at IS NULL)", name="one_end"),
    Index("ix_occupancy_visit_ends_location_id_visitor", "location_id", "visitor"),
)
"""Halves of visits waiting for the other half (an entry, or an exit that came first)."""

audit_events = Table(
    "audit_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", UtcDateTime, nullable=False),
    # No foreign keys: an event outlives the person, token or thing it names.
    Column("actor_kind", String(16), nullable=False),
    Column("actor_user_id", Integer),
    Column("actor_token_id", Integer),
    Column("entity", String(32), nullable=False),
    Column("entity_id", String(100), nullable=False),
    Column("action", String(100), nullable=False),
    # JSON objects (domain.audit.encode), secrets left out; NULL: nothing before or after.
    Column("before", Text),
    Column("after", Text),
    Column("client", String(64)),
    CheckConstraint("actor_kind IN ('user', 'token', 'system', 'anonymous')", name="actor_kind"),
    Index("ix_audit_events_entity_entity_id", "entity", "entity_id"),
    Index("ix_audit_events_actor_user_id", "actor_user_id"),
    # The retention purge and the since/until filters.
    Index("ix_audit_events_at", "at"),
)
"""Who changed which booking, user, location, room, IP rule or API token, and how."""
