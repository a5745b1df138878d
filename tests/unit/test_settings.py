"""OCCUPI_* settings: working defaults, a kept JWT secret, and errors that name the variable."""

from __future__ import annotations

import re
import stat
from datetime import timedelta
from pathlib import Path

import pytest

from gateway.settings import Settings, SettingsError

SECRET_FILE = "jwt-secret"


LONG_SECRET = "s" * 64  # long enough for every algorithm


def env_in(data_dir: Path, **values: str) -> dict[str, str]:
    return {"OCCUPI_DATA_DIR": str(data_dir), **values}


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# --- defaults and overrides ---------------------------------------------------------------


def test_an_empty_environment_gives_working_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)

    settings = Settings.from_env({})

    data_dir = (tmp_path / "var").resolve()
    assert settings.data_dir == data_dir
    assert settings.database_url == f"sqlite+aiosqlite:///{data_dir / 'occupi.db'}"
    assert settings.jwt_secret == (data_dir / SECRET_FILE).read_text().strip()
    assert settings.jwt_algorithm == "HS256"
    assert settings.token_lifetime == timedelta(hours=24)
    assert settings.check_in_before == timedelta(minutes=15)
    assert settings.check_in_after == timedelta(minutes=15)
    assert settings.host == "127.0.0.1"
    assert settings.port == 8000
    assert settings.log_level == "info"
    assert settings.secure_cookies is False
    assert settings.graphiql is True
    assert settings.sql_echo is False


def test_every_variable_is_read(tmp_path: Path) -> None:
    settings = Settings.from_env(
        env_in(
            tmp_path / "data",
            OCCUPI_DATABASE_URL="sqlite+aiosqlite:////srv/occupi.db",
            OCCUPI_JWT_SECRET=LONG_SECRET,
            OCCUPI_JWT_ALGORITHM="HS512",
            OCCUPI_TOKEN_TTL_MINUTES="90",
            OCCUPI_CHECK_IN_BEFORE_MINUTES="0",
            OCCUPI_CHECK_IN_AFTER_MINUTES="30",
            OCCUPI_HOST="10.1.2.3",
            OCCUPI_PORT="65535",
            OCCUPI_LOG_LEVEL="DEBUG",
            OCCUPI_SECURE_COOKIES="yes",
            OCCUPI_GRAPHIQL="off",
            OCCUPI_SQL_ECHO="1",
        )
    )

    assert settings == Settings(
        data_dir=(tmp_path / "data").resolve(),
        database_url="sqlite+aiosqlite:////srv/occupi.db",
        jwt_secret=LONG_SECRET,
        jwt_algorithm="HS512",
        token_lifetime=timedelta(minutes=90),
        check_in_before=timedelta(0),
        check_in_after=timedelta(minutes=30),
        host="10.1.2.3",
        port=65535,
        log_level="debug",
        secure_cookies=True,
        graphiql=False,
        sql_echo=True,
    )
    assert not (tmp_path / "data" / SECRET_FILE).exists()


def test_without_an_argument_the_process_environment_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OCCUPI_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("OCCUPI_PORT", "9123")
    monkeypatch.setenv("OCCUPI_JWT_SECRET", LONG_SECRET)

    settings = Settings.from_env()

    assert (settings.data_dir, settings.port, settings.jwt_secret) == (
        tmp_path.resolve(),
        9123,
        LONG_SECRET,
    )


@pytest.mark.parametrize("name", ["OCCUPI_PORT", "OCCUPI_TOKEN_TTL_MINUTES"])
def test_an_empty_number_means_the_default(tmp_path: Path, name: str) -> None:
    settings = Settings.from_env(env_in(tmp_path, **{name: ""}))
    assert (settings.port, settings.token_lifetime) == (8000, timedelta(hours=24))


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("1", True),
        ("true", True),
        ("YES", True),
        (" On ", True),
        ("0", False),
        ("False", False),
        ("no", False),
        ("OFF", False),
        ("", True),
    ],
)
def test_booleans_accept_the_usual_spellings(tmp_path: Path, raw: str, value: bool) -> None:
    assert Settings.from_env(env_in(tmp_path, OCCUPI_GRAPHIQL=raw)).graphiql is value


# --- the kept JWT secret ----------------------------------------------------------------------


def test_the_secret_is_generated_once_private_and_reused(tmp_path: Path) -> None:
    data_dir = tmp_path / "not" / "yet" / "there"

    first = Settings.from_env(env_in(data_dir)).jwt_secret
    second = Settings.from_env(env_in(data_dir)).jwt_secret

    path = data_dir / SECRET_FILE
    assert path.read_text() == f"{first}\n"
    assert mode_of(path) == 0o600
    assert len(first) >= 64
    assert re.fullmatch(r"[A-Za-z0-9_-]+", first)
    assert second == first


def test_each_data_dir_gets_its_own_secret(tmp_path: Path) -> None:
    one = Settings.from_env(env_in(tmp_path / "one")).jwt_secret
    two = Settings.from_env(env_in(tmp_path / "two")).jwt_secret
    assert one != two


def test_a_kept_secret_is_read_back_without_surrounding_whitespace(tmp_path: Path) -> None:
    (tmp_path / SECRET_FILE).write_text("  kept-by-an-operator\n\n")
    assert Settings.from_env(env_in(tmp_path)).jwt_secret == "kept-by-an-operator"


def test_an_empty_environment_secret_falls_back_to_the_kept_one(tmp_path: Path) -> None:
    settings = Settings.from_env(env_in(tmp_path, OCCUPI_JWT_SECRET=""))
    assert settings.jwt_secret == (tmp_path / SECRET_FILE).read_text().strip()
    assert settings.jwt_secret != ""


def test_an_empty_kept_secret_is_replaced_not_used(tmp_path: Path) -> None:
    """A crash between creating and writing the file leaves it empty; signing tokens with
    an empty key must not follow."""
    (tmp_path / SECRET_FILE).touch(mode=0o600)

    secret = Settings.from_env(env_in(tmp_path)).jwt_secret

    assert len(secret) >= 64
    assert (tmp_path / SECRET_FILE).read_text() == f"{secret}\n"


# --- values the gateway cannot use --------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "raw", "message"),
    [
        ("OCCUPI_PORT", "eighty", "OCCUPI_PORT must be a whole number, not 'eighty'"),
        ("OCCUPI_PORT", "80.0", "OCCUPI_PORT must be a whole number, not '80.0'"),
        ("OCCUPI_PORT", "0", "OCCUPI_PORT must be between 1 and 65535, not 0"),
        ("OCCUPI_PORT", "65536", "OCCUPI_PORT must be between 1 and 65535, not 65536"),
        (
            "OCCUPI_TOKEN_TTL_MINUTES",
            "0",
            "OCCUPI_TOKEN_TTL_MINUTES must be between 1 and 1000000000, not 0",
        ),
        (
            "OCCUPI_TOKEN_TTL_MINUTES",
            "1e3",
            "OCCUPI_TOKEN_TTL_MINUTES must be a whole number, not '1e3'",
        ),
        (
            "OCCUPI_CHECK_IN_BEFORE_MINUTES",
            "-1",
            "OCCUPI_CHECK_IN_BEFORE_MINUTES must be between 0 and 1000000000, not -1",
        ),
        (
            "OCCUPI_CHECK_IN_AFTER_MINUTES",
            "soon",
            "OCCUPI_CHECK_IN_AFTER_MINUTES must be a whole number, not 'soon'",
        ),
    ],
)
def test_a_bad_number_names_its_variable(tmp_path: Path, name: str, raw: str, message: str) -> None:
    with pytest.raises(SettingsError, match=f"^{re.escape(message)}$"):
        Settings.from_env(env_in(tmp_path, **{name: raw}))


@pytest.mark.parametrize(
    ("name", "raw", "shown"),
    [
        ("OCCUPI_SECURE_COOKIES", "maybe", "maybe"),
        ("OCCUPI_GRAPHIQL", " Enabled ", "enabled"),
        ("OCCUPI_SQL_ECHO", "2", "2"),
    ],
)
def test_a_bad_boolean_names_its_variable(tmp_path: Path, name: str, raw: str, shown: str) -> None:
    message = f"{name} must be true or false, not {shown!r}"
    with pytest.raises(SettingsError, match=f"^{re.escape(message)}$"):
        Settings.from_env(env_in(tmp_path, **{name: raw}))


@pytest.mark.parametrize("algorithm", ["none", "RS256", "hs256", "HS256 ", ""])
def test_a_bad_algorithm_names_its_variable(tmp_path: Path, algorithm: str) -> None:
    message = "OCCUPI_JWT_ALGORITHM must be one of HS256, HS384, HS512"
    with pytest.raises(SettingsError, match=f"^{re.escape(message)}$"):
        Settings.from_env(env_in(tmp_path, OCCUPI_JWT_ALGORITHM=algorithm))


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        pytest.param(
            {"OCCUPI_JWT_SECRET": "s" * 31},
            "OCCUPI_JWT_SECRET must be at least 32 bytes for HS256",
            id="short-hs256-secret",
        ),
        pytest.param(
            {"OCCUPI_JWT_SECRET": "s" * 63, "OCCUPI_JWT_ALGORITHM": "HS512"},
            "OCCUPI_JWT_SECRET must be at least 64 bytes for HS512",
            id="short-hs512-secret",
        ),
        pytest.param(
            {"OCCUPI_LOG_LEVEL": "verbose"},
            "OCCUPI_LOG_LEVEL must be one of critical, error, warning, info, debug",
            id="unknown-log-level",
        ),
        pytest.param(
            {"OCCUPI_DATABASE_URL": "nonsense"},
            "OCCUPI_DATABASE_URL is not a database URL: 'nonsense'",
            id="not-a-url",
        ),
        pytest.param(
            {"OCCUPI_DATABASE_URL": "mysql+aiomysql://db/occupi"},
            "OCCUPI_DATABASE_URL must be a sqlite+aiosqlite:/// or a postgresql+asyncpg:// "
            "URL, not mysql+aiomysql://",
            id="unsupported-backend",
        ),
        pytest.param(
            {"OCCUPI_DATABASE_URL": "postgresql+asyncpg://db"},
            "OCCUPI_DATABASE_URL must name the PostgreSQL database",
            id="postgres-without-a-database",
        ),
        *(
            pytest.param(
                {"OCCUPI_DATABASE_URL": url},
                "OCCUPI_DATABASE_URL must name a database file (sqlite+aiosqlite:///path/to/"
                "occupi.db); an in-memory SQLite database is not shared between connections",
                id=f"in-memory-{i}",
            )
            for i, url in enumerate(
                (
                    "sqlite+aiosqlite://",
                    "sqlite+aiosqlite:///:memory:",
                    "sqlite+aiosqlite:///file:shared?mode=memory&cache=shared&uri=true",
                )
            )
        ),
    ],
)
def test_unusable_values_are_named(tmp_path: Path, variables: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError) as raised:
        Settings.from_env(env_in(tmp_path, **variables))
    assert str(raised.value) == message


def test_a_data_dir_that_is_a_file_is_refused(tmp_path: Path) -> None:
    occupied = tmp_path / "a-file"
    occupied.write_text("")
    with pytest.raises(SettingsError, match="OCCUPI_DATA_DIR must be a directory"):
        Settings.from_env(env_in(occupied))


def test_a_postgresql_url_is_accepted(tmp_path: Path) -> None:
    url = "postgresql+asyncpg://occupi:secret@db.internal:5432/occupi"
    assert Settings.from_env(env_in(tmp_path, OCCUPI_DATABASE_URL=url)).database_url == url


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("", None),
        ("memory", None),
        ("redis://127.0.0.1:6379/0", "redis://127.0.0.1:6379/0"),
        ("rediss://:secret@cache.internal:6380/2", "rediss://:secret@cache.internal:6380/2"),
        ("unix:///run/redis.sock", "unix:///run/redis.sock"),
    ],
)
def test_the_broker_is_in_process_unless_a_redis_url_is_given(
    tmp_path: Path, raw: str, expected: str | None
) -> None:
    settings = Settings.from_env(env_in(tmp_path, OCCUPI_BROKER_URL=raw))
    assert settings.broker_url == expected


@pytest.mark.parametrize("raw", ["amqp://rabbit", "redis://", "127.0.0.1:6379"])
def test_a_broker_url_that_is_not_redis_is_refused(tmp_path: Path, raw: str) -> None:
    with pytest.raises(SettingsError) as raised:
        Settings.from_env(env_in(tmp_path, OCCUPI_BROKER_URL=raw))
    assert str(raised.value) == (
        "OCCUPI_BROKER_URL must be empty (in-process events) or a redis://, rediss:// "
        f"or unix:// URL, not {raw!r}"
    )


def test_the_presence_sweep_interval(tmp_path: Path) -> None:
    assert Settings.from_env(env_in(tmp_path)).presence_sweep == timedelta(minutes=5)
    chosen = Settings.from_env(env_in(tmp_path, OCCUPI_PRESENCE_SWEEP_SECONDS="60"))
    assert chosen.presence_sweep == timedelta(seconds=60)
    with pytest.raises(SettingsError, match="OCCUPI_PRESENCE_SWEEP_SECONDS must be between 1"):
        Settings.from_env(env_in(tmp_path, OCCUPI_PRESENCE_SWEEP_SECONDS="0"))


# --- image store ----------------------------------------------------------------------------


def test_images_are_kept_in_the_database_by_default(tmp_path: Path) -> None:
    assert Settings.from_env(env_in(tmp_path)).image_dir is None
    env = env_in(tmp_path, OCCUPI_IMAGE_STORE="database")
    assert Settings.from_env(env).image_dir is None


def test_images_can_be_kept_in_a_directory(tmp_path: Path) -> None:
    env = env_in(tmp_path, OCCUPI_IMAGE_STORE=f"file:{tmp_path / 'images'}")
    assert Settings.from_env(env).image_dir == (tmp_path / "images").resolve()


@pytest.mark.parametrize("raw", ["file:", "s3://bucket", "files:/x", "db"])
def test_an_unknown_image_store_is_refused(tmp_path: Path, raw: str) -> None:
    with pytest.raises(SettingsError, match="OCCUPI_IMAGE_STORE must be"):
        Settings.from_env(env_in(tmp_path, OCCUPI_IMAGE_STORE=raw))


def test_the_image_directory_cannot_be_a_file(tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("")
    with pytest.raises(SettingsError, match="must name a directory"):
        Settings.from_env(env_in(tmp_path, OCCUPI_IMAGE_STORE=f"file:{tmp_path / 'taken'}"))


def test_the_write_limits_and_the_busy_timeout_are_read_and_bounded(tmp_path: Path) -> None:
    settings = Settings.from_env(
        env_in(
            tmp_path,
            OCCUPI_SQLITE_BUSY_MS="250",
            OCCUPI_RATE_WRITES_PER_MINUTE="0",
            OCCUPI_RATE_ADDRESS_WRITES_PER_MINUTE="1000",
            OCCUPI_RATE_INGEST_PER_MINUTE="5",
        )
    )
    assert settings.sqlite_busy_timeout == timedelta(milliseconds=250)
    assert (
        settings.rate_writes_per_minute,
        settings.rate_address_writes_per_minute,
        settings.rate_ingest_per_minute,
    ) == (0, 1000, 5)
    bound = r"^OCCUPI_RATE_WRITES_PER_MINUTE must be between 0 and 1000000, not -1$"
    with pytest.raises(SettingsError, match=bound):
        Settings.from_env(env_in(tmp_path, OCCUPI_RATE_WRITES_PER_MINUTE="-1"))
    with pytest.raises(SettingsError, match=r"^OCCUPI_SQLITE_BUSY_MS must be a whole number"):
        Settings.from_env(env_in(tmp_path, OCCUPI_SQLITE_BUSY_MS="soon"))
