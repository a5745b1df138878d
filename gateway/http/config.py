"""The HTTP layer's limits (OCCUPI_* settings), read once with the other settings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

MIB = 1024 * 1024


class HttpSettingsError(ValueError):
    """A value of one of these settings cannot be used; the message names the setting."""


@dataclass(frozen=True)
class HttpLimits:
    """Defaults suit a gateway facing the internet; every one is an OCCUPI_* setting."""

    max_body_bytes: int = MIB
    max_header_bytes: int = 16 * 1024
    body_read_seconds: float = 30.0
    header_read_seconds: float = 10.0
    keep_alive_seconds: int = 5
    ws_ping_seconds: float = 20.0
    ws_init_seconds: float = 10.0
    ws_idle_seconds: float = 300.0
    # Browser origins allowed to call the API and open WebSockets; none: same origin only.
    cors_origins: tuple[str, ...] = ()

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> HttpLimits:
        return cls(
            max_body_bytes=_int(env, "OCCUPI_MAX_BODY_BYTES", MIB, 1024, 64 * MIB),
            max_header_bytes=_int(env, "OCCUPI_MAX_HEADER_BYTES", 16 * 1024, 1024, MIB),
            body_read_seconds=_int(env, "OCCUPI_BODY_READ_SECONDS", 30, 1, 3600),
            header_read_seconds=_int(env, "OCCUPI_HEADER_READ_SECONDS", 10, 1, 600),
            keep_alive_seconds=_int(env, "OCCUPI_KEEP_ALIVE_SECONDS", 5, 1, 600),
            ws_ping_seconds=_int(env, "OCCUPI_WS_PING_SECONDS", 20, 1, 3600),
            ws_init_seconds=_int(env, "OCCUPI_WS_INIT_SECONDS", 10, 1, 600),
            ws_idle_seconds=_int(env, "OCCUPI_WS_IDLE_SECONDS", 300, 1, 86_400),
            cors_origins=cors_origins(env.get("OCCUPI_CORS_ORIGINS", "")),
        )


def cors_origins(raw: str) -> tuple[str, ...]:
    """Comma-separated `scheme://host[:port]` origins, as browsers send them."""
    found: list[str] = []
    for item in (part.strip() for part in raw.split(",")):
        if not item:
            continue
        try:
            parts = urlsplit(item)
            parts.port  # noqa: B018 - raises ValueError for a port that is not a number
        except ValueError:
            parts = None
        if (
            parts is None
            or parts.scheme not in ("http", "https")
            or not parts.hostname
            or parts.path
            or parts.query
            or parts.fragment
            or parts.username is not None
        ):
            raise HttpSettingsError(
                "OCCUPI_CORS_ORIGINS must be comma-separated origins such as "
                f"https://app.example.com or http://localhost:3000, not {item!r}"
            )
        found.append(item.lower())
    return tuple(found)


def _int(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise HttpSettingsError(f"{name} must be a whole number, not {raw!r}") from None
    if not low <= value <= high:
        raise HttpSettingsError(f"{name} must be between {low} and {high}, not {value}")
    return value
