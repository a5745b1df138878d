"""The HTTP limits' OCCUPI_* settings: defaults, values, and precise refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.http.config import MIB, HttpLimits
from gateway.settings import Settings, SettingsError


def settings_from(tmp_path: Path, **env: str) -> Settings:
    return Settings.from_env({"OCCUPI_DATA_DIR": str(tmp_path), **env})


def test_defaults(tmp_path: Path) -> None:
    limits = settings_from(tmp_path).http
    assert limits == HttpLimits()
    assert limits.max_body_bytes == MIB
    assert limits.cors_origins == ()


def test_values(tmp_path: Path) -> None:
    limits = settings_from(
        tmp_path,
        OCCUPI_MAX_BODY_BYTES="2048",
        OCCUPI_MAX_HEADER_BYTES="4096",
        OCCUPI_BODY_READ_SECONDS="7",
        OCCUPI_HEADER_READ_SECONDS="3",
        OCCUPI_KEEP_ALIVE_SECONDS="9",
        OCCUPI_WS_PING_SECONDS="11",
        OCCUPI_WS_INIT_SECONDS="4",
        OCCUPI_WS_IDLE_SECONDS="60",
        OCCUPI_CORS_ORIGINS="https://App.example.com, http://localhost:3000",
    ).http
    assert limits == HttpLimits(
        max_body_bytes=2048,
        max_header_bytes=4096,
        body_read_seconds=7,
        header_read_seconds=3,
        keep_alive_seconds=9,
        ws_ping_seconds=11,
        ws_init_seconds=4,
        ws_idle_seconds=60,
        cors_origins=("https://app.example.com", "http://localhost:3000"),
    )


@pytest.mark.parametrize(
    ("name", "raw", "message"),
    [
        (
            "OCCUPI_MAX_BODY_BYTES",
            "lots",
            "OCCUPI_MAX_BODY_BYTES must be a whole number, not 'lots'",
        ),
        (
            "OCCUPI_MAX_BODY_BYTES",
            "10",
            "OCCUPI_MAX_BODY_BYTES must be between 1024 and 67108864, not 10",
        ),
        (
            "OCCUPI_WS_IDLE_SECONDS",
            "0",
            "OCCUPI_WS_IDLE_SECONDS must be between 1 and 86400, not 0",
        ),
        ("OCCUPI_CORS_ORIGINS", "*", "OCCUPI_CORS_ORIGINS must be comma-separated origins"),
        ("OCCUPI_CORS_ORIGINS", "https://a.example/path", "not 'https://a.example/path'"),
        ("OCCUPI_CORS_ORIGINS", "ftp://a.example", "not 'ftp://a.example'"),
        ("OCCUPI_CORS_ORIGINS", "https://a.example:port", "not 'https://a.example:port'"),
    ],
)
def test_bad_values_are_refused_precisely(
    tmp_path: Path, name: str, raw: str, message: str
) -> None:
    with pytest.raises(SettingsError) as error:
        settings_from(tmp_path, **{name: raw})
    assert message in str(error.value)
