"""OCCUPI_* environment settings with working embedded defaults."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from domain.addresses import IPNetwork, parse_networks
from domain.errors import DomainError
from domain.zones import accept_time_zone
from gateway.auth.tokens import ALLOWED_ALGORITHMS
from gateway.http.config import HttpLimits, HttpSettingsError
from gateway.mail.smtp import DEFAULT_MAIL_FROM, SmtpConfig, SmtpConfigError, sender_address

LOG_LEVELS = ("critical", "error", "warning", "info", "debug")
# RFC 7518 §3.2: an HMAC key at least as long as the hash output.
MIN_SECRET_BYTES = {"HS256": 32, "HS384": 48, "HS512": 64}


DEFAULT_PUSH_URL = "https://exp.host/--/api/v2/push/send"


class SettingsError(ValueError):
    """A setting has a value the gateway cannot use; the message names it."""


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    jwt_secret: str
    broker_url: str | None = None
    broker_channel_prefix: str = "occupi:"
    # None sends mail to the log; the URL may hold a password, so it stays out of repr.
    smtp_url: str | None = field(default=None, repr=False)
    mail_from: str = DEFAULT_MAIL_FROM
    jwt_algorithm: str = "HS256"
    token_lifetime: timedelta = timedelta(hours=24)
    check_in_before: timedelta = timedelta(minutes=15)
    check_in_after: timedelta = timedelta(minutes=15)
    live_recheck: timedelta = timedelta(seconds=15)
    invites_per_day: int = 100
    mails_per_recipient_per_day: int = 20
    host: str = "127.0.0.1"
    port: int = 8000
    log_level: str = "info"
    secure_cookies: bool = False
    graphiql: bool = True
    sql_echo: bool = False
    # Forwarding headers are read only from these peers; none: the peer is the client.
    trusted_proxies: tuple[IPNetwork, ...] = ()
    presence_sweep: timedelta = timedelta(minutes=5)
    # None keeps image variants in the database; a directory keeps them there as files.
    image_dir: Path | None = None
    reminder_lead: timedelta = timedelta(minutes=15)
    push_sender: str = "log"
    push_url: str = DEFAULT_PUSH_URL
    # What a timetable import does with ad-hoc bookings in its way, and whether the
    # timetable reads (GraphQL and the FLEP API) need a signed-in caller.
    timetable_collisions: str = "timetable_wins"
    timetable_requires_sign_in: bool = False
    # The zone of the FLEP API's wall-clock times; None: the first site's zone.
    flep_time_zone: str | None = None
    occupancy_stale_after: timedelta = timedelta(minutes=15)
    readings_retention: timedelta = timedelta(days=30)
    ingest_max_readings: int = 10_000
    ingest_max_bytes: int = 4 * 1024 * 1024
    live_coalesce: timedelta = timedelta(milliseconds=250)
    # Body, header and time limits, CORS origins (gateway.http.config).
    http: HttpLimits = field(default_factory=HttpLimits)
    # None keeps audit events for ever; else older ones are purged.
    audit_retention: timedelta | None = None
    audit_export_max_rows: int = 1_000_000
    # How long an SQLite writer waits for another's write lock before UNAVAILABLE.
    sqlite_busy_timeout: timedelta = timedelta(seconds=30)
    # Writes a minute (sustained, and the burst) per account, client address and ingest
    # API token; 0 turns a limit off.
    rate_writes_per_minute: int = 60
    rate_address_writes_per_minute: int = 300
    rate_ingest_per_minute: int = 600
    # GraphQL limits (gateway.schema.limits); `production` turns the revealing parts off.
    profile: str = "development"
    graphql_max_cost: int = 50_000
    graphql_max_document_chars: int = 20_000
    graphql_max_directives: int = 20
    graphql_timeout_ms: int = 10_000
    graphql_introspection: bool = True
    graphql_suggestions: bool = True
    subscriptions_per_connection: int = 20
    subscriptions_per_user: int = 50
    persisted_queries: int = 1_000
    trusted_documents: Path | None = None
    # Input bounds (issue 11): how far ahead bookings may end; any string's and list's size.
    booking_horizon: timedelta = timedelta(days=366)
    max_input_string: int = 10_000
    max_input_list: int = 10_000
    jwt_issuer: str = "occupi-gateway"
    jwt_audience: str = "occupi-gateway"
    # One log line per request costs more than a trivial query's whole answer.
    access_log: bool = False
    # Parsed and validated GraphQL documents kept (LRU), by query text.
    graphql_document_cache: int = 256

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        data_dir = Path(env.get("OCCUPI_DATA_DIR", "var")).resolve()
        if data_dir.exists() and not data_dir.is_dir():
            raise SettingsError(f"OCCUPI_DATA_DIR must be a directory, not the file {data_dir}")
        algorithm = env.get("OCCUPI_JWT_ALGORITHM", "HS256")
        if algorithm not in ALLOWED_ALGORITHMS:
            raise SettingsError(
                f"OCCUPI_JWT_ALGORITHM must be one of {', '.join(ALLOWED_ALGORITHMS)}"
            )
        log_level = env.get("OCCUPI_LOG_LEVEL", "info").strip().lower()
        if log_level not in LOG_LEVELS:
            raise SettingsError(f"OCCUPI_LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}")
        development = _profile(env) == "development"
        return cls(
            data_dir=data_dir,
            database_url=_database_url(
                env.get("OCCUPI_DATABASE_URL", f"sqlite+aiosqlite:///{data_dir / 'occupi.db'}")
            ),
            jwt_secret=_secret(env.get("OCCUPI_JWT_SECRET"), data_dir, algorithm),
            broker_url=_broker_url(env.get("OCCUPI_BROKER_URL", "")),
            broker_channel_prefix=_prefix(env.get("OCCUPI_BROKER_PREFIX", "occupi:")),
            smtp_url=_smtp_url(env.get("OCCUPI_SMTP_URL", "")),
            mail_from=_mail_from(env.get("OCCUPI_MAIL_FROM") or DEFAULT_MAIL_FROM),
            jwt_algorithm=algorithm,
            token_lifetime=timedelta(minutes=_int(env, "OCCUPI_TOKEN_TTL_MINUTES", 1440, 1)),
            check_in_before=timedelta(minutes=_int(env, "OCCUPI_CHECK_IN_BEFORE_MINUTES", 15, 0)),
            check_in_after=timedelta(minutes=_int(env, "OCCUPI_CHECK_IN_AFTER_MINUTES", 15, 0)),
            live_recheck=timedelta(seconds=_int(env, "OCCUPI_LIVE_RECHECK_SECONDS", 15, 1, 3600)),
            invites_per_day=_int(env, "OCCUPI_INVITES_PER_DAY", 100, 0, 100_000),
            mails_per_recipient_per_day=_int(
                env, "OCCUPI_MAILS_PER_RECIPIENT_PER_DAY", 20, 0, 100_000
            ),
            host=env.get("OCCUPI_HOST", "127.0.0.1"),
            port=_int(env, "OCCUPI_PORT", 8000, 1, 65535),
            log_level=log_level,
            secure_cookies=_bool(env, "OCCUPI_SECURE_COOKIES", False),
            graphiql=_bool(env, "OCCUPI_GRAPHIQL", development),
            sql_echo=_bool(env, "OCCUPI_SQL_ECHO", False),
            trusted_proxies=_networks(env.get("OCCUPI_TRUSTED_PROXIES", "")),
            presence_sweep=timedelta(
                seconds=_int(env, "OCCUPI_PRESENCE_SWEEP_SECONDS", 300, 1, 86_400)
            ),
            image_dir=_image_store(env.get("OCCUPI_IMAGE_STORE", "database")),
            reminder_lead=timedelta(
                minutes=_int(env, "OCCUPI_REMINDER_LEAD_MINUTES", 15, 0, 7 * 24 * 60)
            ),
            push_sender=_push_sender(env.get("OCCUPI_PUSH_SENDER", "log")),
            push_url=_push_url(env.get("OCCUPI_PUSH_URL") or DEFAULT_PUSH_URL),
            timetable_collisions=_collisions(env.get("OCCUPI_TIMETABLE_COLLISIONS", "")),
            timetable_requires_sign_in=_bool(env, "OCCUPI_TIMETABLE_REQUIRES_SIGN_IN", False),
            flep_time_zone=_zone(env.get("OCCUPI_FLEP_TIME_ZONE", "")),
            occupancy_stale_after=timedelta(
                minutes=_int(env, "OCCUPI_OCCUPANCY_STALE_MINUTES", 15, 1, 7 * 24 * 60)
            ),
            readings_retention=timedelta(
                days=_int(env, "OCCUPI_READINGS_RETENTION_DAYS", 30, 1, 3660)
            ),
            ingest_max_readings=_int(env, "OCCUPI_INGEST_MAX_READINGS", 10_000, 1, 100_000),
            ingest_max_bytes=_int(
                env, "OCCUPI_INGEST_MAX_BYTES", 4 * 1024 * 1024, 1024, 64 * 1024 * 1024
            ),
            live_coalesce=timedelta(
                milliseconds=_int(env, "OCCUPI_LIVE_COALESCE_MS", 250, 0, 60_000)
            ),
            http=_http(env),
            audit_retention=_retention(env, "OCCUPI_AUDIT_RETENTION_DAYS"),
            audit_export_max_rows=_int(
                env, "OCCUPI_AUDIT_EXPORT_MAX_ROWS", 1_000_000, 1, 100_000_000
            ),
            sqlite_busy_timeout=timedelta(
                milliseconds=_int(env, "OCCUPI_SQLITE_BUSY_MS", 30_000, 0, 600_000)
            ),
            rate_writes_per_minute=_int(env, "OCCUPI_RATE_WRITES_PER_MINUTE", 60, 0, 1_000_000),
            rate_address_writes_per_minute=_int(
                env, "OCCUPI_RATE_ADDRESS_WRITES_PER_MINUTE", 300, 0, 1_000_000
            ),
            rate_ingest_per_minute=_int(env, "OCCUPI_RATE_INGEST_PER_MINUTE", 600, 0, 1_000_000),
            profile="development" if development else "production",
            graphql_max_cost=_int(env, "OCCUPI_GRAPHQL_MAX_COST", 50_000, 1),
            graphql_max_document_chars=_int(
                env, "OCCUPI_GRAPHQL_MAX_DOCUMENT_CHARS", 20_000, 100, 10_000_000
            ),
            graphql_max_directives=_int(env, "OCCUPI_GRAPHQL_MAX_DIRECTIVES", 20, 0, 10_000),
            graphql_timeout_ms=_int(env, "OCCUPI_GRAPHQL_TIMEOUT_MS", 10_000, 1, 3_600_000),
            graphql_introspection=_bool(env, "OCCUPI_GRAPHQL_INTROSPECTION", development),
            graphql_suggestions=_bool(env, "OCCUPI_GRAPHQL_SUGGESTIONS", development),
            subscriptions_per_connection=_int(
                env, "OCCUPI_SUBSCRIPTIONS_PER_CONNECTION", 20, 1, 10_000
            ),
            subscriptions_per_user=_int(env, "OCCUPI_SUBSCRIPTIONS_PER_USER", 50, 1, 100_000),
            persisted_queries=_int(env, "OCCUPI_PERSISTED_QUERIES", 1_000, 0, 1_000_000),
            trusted_documents=_trusted_documents(env.get("OCCUPI_TRUSTED_DOCUMENTS", "")),
            booking_horizon=timedelta(days=_int(env, "OCCUPI_BOOKING_HORIZON_DAYS", 366, 1, 3660)),
            max_input_string=_int(env, "OCCUPI_MAX_INPUT_STRING", 10_000, 2000, 1_000_000),
            max_input_list=_int(env, "OCCUPI_MAX_INPUT_LIST", 10_000, 500, 1_000_000),
            jwt_issuer=_claim(env, "OCCUPI_JWT_ISSUER"),
            jwt_audience=_claim(env, "OCCUPI_JWT_AUDIENCE"),
            access_log=_bool(env, "OCCUPI_ACCESS_LOG", False),
            graphql_document_cache=_int(env, "OCCUPI_GRAPHQL_DOCUMENT_CACHE", 256, 1, 100_000),
        )


def _database_url(raw: str) -> str:
    try:
        url = make_url(raw)
    except ArgumentError:
        raise SettingsError(f"OCCUPI_DATABASE_URL is not a database URL: {raw!r}") from None
    if url.drivername == "postgresql+asyncpg":
        if not url.database:
            raise SettingsError("OCCUPI_DATABASE_URL must name the PostgreSQL database")
        return raw
    if url.drivername != "sqlite+aiosqlite":
        raise SettingsError(
            "OCCUPI_DATABASE_URL must be a sqlite+aiosqlite:/// or a postgresql+asyncpg:// "
            f"URL, not {url.drivername}://"
        )
    # Each connection to an in-memory SQLite database gets a database of its own, so the
    # migrated schema would be invisible to the connections that serve requests.
    if url.database in (None, "", ":memory:") or url.query.get("mode") == "memory":
        raise SettingsError(
            "OCCUPI_DATABASE_URL must name a database file (sqlite+aiosqlite:///path/to/"
            "occupi.db); an in-memory SQLite database is not shared between connections"
        )
    return raw


PUSH_SENDERS = ("log", "expo")


def _push_sender(raw: str) -> str:
    chosen = raw.strip().lower()
    if chosen not in PUSH_SENDERS:
        raise SettingsError(f"OCCUPI_PUSH_SENDER must be one of {', '.join(PUSH_SENDERS)}")
    return chosen


def _push_url(raw: str) -> str:
    if not raw.startswith(("http://", "https://")):
        raise SettingsError(f"OCCUPI_PUSH_URL must be an http:// or https:// URL: {raw!r}")
    return raw


BROKER_SCHEMES = ("redis", "rediss", "unix")


def _broker_url(raw: str) -> str | None:
    """None (or `memory`) keeps events in this process; a Redis URL shares them."""
    value = raw.strip()
    if value in ("", "memory"):
        return None
    scheme, _, rest = value.partition("://")
    if scheme not in BROKER_SCHEMES or not rest:
        raise SettingsError(
            "OCCUPI_BROKER_URL must be empty (in-process events) or a redis://, rediss:// "
            f"or unix:// URL, not {value!r}"
        )
    return value


def _smtp_url(raw: str) -> str | None:
    """None (unset or empty) logs mail instead; otherwise an smtp:// or smtps:// URL."""
    value = raw.strip()
    if not value:
        return None
    try:
        SmtpConfig.from_url(value)
    except SmtpConfigError as error:
        raise SettingsError(str(error)) from None
    return value


def _mail_from(raw: str) -> str:
    try:
        return str(sender_address(raw.strip()))
    except SmtpConfigError as error:
        raise SettingsError(str(error)) from None


def _networks(raw: str) -> tuple[IPNetwork, ...]:
    try:
        return parse_networks(raw, "OCCUPI_TRUSTED_PROXIES")
    except DomainError as error:
        raise SettingsError(f"OCCUPI_TRUSTED_PROXIES: {error.message}") from None


def _prefix(raw: str) -> str:
    if not raw or len(raw) > 64 or any(c.isspace() for c in raw):
        raise SettingsError("OCCUPI_BROKER_PREFIX must be 1 to 64 characters without spaces")
    return raw


def _secret(given: str | None, data_dir: Path, algorithm: str) -> str:
    if not given:
        return _kept_secret(data_dir / "jwt-secret")
    least = MIN_SECRET_BYTES[algorithm]
    if len(given.encode()) < least:
        raise SettingsError(f"OCCUPI_JWT_SECRET must be at least {least} bytes for {algorithm}")
    return given


def _int(env: Mapping[str, str], name: str, default: int, low: int, high: int = 10**9) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, not {raw!r}") from None
    if not low <= value <= high:
        raise SettingsError(f"{name} must be between {low} and {high}, not {value}")
    return value


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if raw == "":
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name} must be true or false, not {raw!r}")


def _kept_secret(path: Path) -> str:
    """A random signing secret generated once and kept, so tokens survive restarts.

    Written to a private temporary file and renamed into place, so a crash never leaves
    an empty secret behind; an empty file found anyway is replaced.
    """
    if path.exists():
        kept = path.read_text().strip()
        if kept:
            return kept
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(secret + "\n")
    os.replace(temporary, path)
    return secret


def _image_store(raw: str) -> Path | None:
    """`database` (the default) or `file:/a/directory`."""
    value = raw.strip()
    if value in ("", "database"):
        return None
    if value.startswith("file:") and value[len("file:") :].strip():
        folder = Path(value[len("file:") :].strip()).resolve()
        if folder.exists() and not folder.is_dir():
            raise SettingsError(f"OCCUPI_IMAGE_STORE must name a directory, not the file {folder}")
        return folder
    raise SettingsError(
        f"OCCUPI_IMAGE_STORE must be `database` or `file:/path/to/a/directory`, not {raw!r}"
    )


TIMETABLE_COLLISIONS = ("timetable_wins", "refuse")


def _collisions(raw: str) -> str:
    chosen = raw.strip().lower() or TIMETABLE_COLLISIONS[0]
    if chosen not in TIMETABLE_COLLISIONS:
        raise SettingsError(
            f"OCCUPI_TIMETABLE_COLLISIONS must be one of {', '.join(TIMETABLE_COLLISIONS)}"
        )
    return chosen


def _zone(raw: str) -> str | None:
    name = raw.strip()
    if not name:
        return None
    try:
        accept_time_zone(name)
    except DomainError:
        raise SettingsError(
            f"OCCUPI_FLEP_TIME_ZONE must be a canonical IANA time zone, not {name!r}"
        ) from None
    return name


def _http(env: Mapping[str, str]) -> HttpLimits:
    try:
        return HttpLimits.from_env(env)
    except HttpSettingsError as error:
        raise SettingsError(str(error)) from None


def _retention(env: Mapping[str, str], name: str) -> timedelta | None:
    """Whole days, at least one; empty or `keep`: keep for ever."""
    if env.get(name, "").strip().lower() in ("", "keep"):
        return None
    return timedelta(days=_int(env, name, 0, 1, 36_600))


PROFILES = ("development", "production")


def _profile(env: Mapping[str, str]) -> str:
    chosen = env.get("OCCUPI_PROFILE", "").strip().lower() or PROFILES[0]
    if chosen not in PROFILES:
        raise SettingsError(f"OCCUPI_PROFILE must be one of {', '.join(PROFILES)}, not {chosen!r}")
    return chosen


def _trusted_documents(raw: str) -> Path | None:
    """None: any document may run; a path: only the documents of that manifest."""
    if not raw.strip():
        return None
    path = Path(raw.strip()).resolve()
    if not path.is_file():
        raise SettingsError(f"OCCUPI_TRUSTED_DOCUMENTS must name a manifest file, not {raw!r}")
    return path


def _claim(env: Mapping[str, str], name: str) -> str:
    """A JWT issuer or audience: printable, without spaces, 1 to 200 characters."""
    value = env.get(name, "").strip() or "occupi-gateway"
    if len(value) > 200 or not value.isprintable() or " " in value:
        raise SettingsError(f"{name} must be 1 to 200 printable characters without spaces")
    return value
