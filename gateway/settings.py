"""OCCUPI_* environment settings with working embedded defaults."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from gateway.auth.tokens import ALLOWED_ALGORITHMS


class SettingsError(ValueError):
    """A setting has a value the gateway cannot use; the message names it."""


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    jwt_secret: str
    jwt_algorithm: str = "HS256"
    token_lifetime: timedelta = timedelta(hours=24)
    check_in_before: timedelta = timedelta(minutes=15)
    check_in_after: timedelta = timedelta(minutes=15)
    host: str = "127.0.0.1"
    port: int = 8000
    log_level: str = "info"
    secure_cookies: bool = False
    graphiql: bool = True
    sql_echo: bool = False

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        data_dir = Path(env.get("OCCUPI_DATA_DIR", "var")).resolve()
        algorithm = env.get("OCCUPI_JWT_ALGORITHM", "HS256")
        if algorithm not in ALLOWED_ALGORITHMS:
            raise SettingsError(
                f"OCCUPI_JWT_ALGORITHM must be one of {', '.join(ALLOWED_ALGORITHMS)}"
            )
        return cls(
            data_dir=data_dir,
            database_url=env.get(
                "OCCUPI_DATABASE_URL", f"sqlite+aiosqlite:///{data_dir / 'occupi.db'}"
            ),
            jwt_secret=env.get("OCCUPI_JWT_SECRET") or _kept_secret(data_dir / "jwt-secret"),
            jwt_algorithm=algorithm,
            token_lifetime=timedelta(minutes=_int(env, "OCCUPI_TOKEN_TTL_MINUTES", 1440, 1)),
            check_in_before=timedelta(minutes=_int(env, "OCCUPI_CHECK_IN_BEFORE_MINUTES", 15, 0)),
            check_in_after=timedelta(minutes=_int(env, "OCCUPI_CHECK_IN_AFTER_MINUTES", 15, 0)),
            host=env.get("OCCUPI_HOST", "127.0.0.1"),
            port=_int(env, "OCCUPI_PORT", 8000, 1, 65535),
            log_level=env.get("OCCUPI_LOG_LEVEL", "info").lower(),
            secure_cookies=_bool(env, "OCCUPI_SECURE_COOKIES", False),
            graphiql=_bool(env, "OCCUPI_GRAPHIQL", True),
            sql_echo=_bool(env, "OCCUPI_SQL_ECHO", False),
        )


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
