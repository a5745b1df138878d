"""The input-bound settings (issue 11): defaults, overrides, errors naming the variable,
and that create_app passes them on."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from domain.input_scan import InputLimits
from gateway.app import build_gateway
from gateway.settings import Settings, SettingsError

SECRET = "s" * 64


def env_in(data_dir: Path, **values: str) -> dict[str, str]:
    return {"OCCUPI_DATA_DIR": str(data_dir), "OCCUPI_JWT_SECRET": SECRET, **values}


def test_the_defaults(tmp_path: Path) -> None:
    settings = Settings.from_env(env_in(tmp_path))
    assert settings.booking_horizon == timedelta(days=366)
    assert (settings.max_input_string, settings.max_input_list) == (10_000, 10_000)
    assert (settings.jwt_issuer, settings.jwt_audience) == ("occupi-gateway", "occupi-gateway")


def test_every_variable_is_read(tmp_path: Path) -> None:
    settings = Settings.from_env(
        env_in(
            tmp_path,
            OCCUPI_BOOKING_HORIZON_DAYS="30",
            OCCUPI_MAX_INPUT_STRING="5000",
            OCCUPI_MAX_INPUT_LIST="600",
            OCCUPI_JWT_ISSUER="https://id.example.com",
            OCCUPI_JWT_AUDIENCE="occupi-web",
        )
    )
    assert settings.booking_horizon == timedelta(days=30)
    assert (settings.max_input_string, settings.max_input_list) == (5000, 600)
    assert (settings.jwt_issuer, settings.jwt_audience) == ("https://id.example.com", "occupi-web")


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("OCCUPI_BOOKING_HORIZON_DAYS", "0", "OCCUPI_BOOKING_HORIZON_DAYS must be between 1 and"),
        ("OCCUPI_BOOKING_HORIZON_DAYS", "soon", "OCCUPI_BOOKING_HORIZON_DAYS must be a whole"),
        ("OCCUPI_MAX_INPUT_STRING", "10", "OCCUPI_MAX_INPUT_STRING must be between 2000 and"),
        ("OCCUPI_MAX_INPUT_LIST", "10", "OCCUPI_MAX_INPUT_LIST must be between 500 and"),
        ("OCCUPI_JWT_AUDIENCE", "two words", "OCCUPI_JWT_AUDIENCE must be 1 to 200 printable"),
        ("OCCUPI_FLEP_TIME_ZONE", "localtime", "OCCUPI_FLEP_TIME_ZONE must be a canonical IANA"),
        ("OCCUPI_FLEP_TIME_ZONE", "US/Eastern", "OCCUPI_FLEP_TIME_ZONE must be a canonical IANA"),
    ],
)
def test_a_bad_value_names_the_variable(
    tmp_path: Path, name: str, value: str, message: str
) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings.from_env(env_in(tmp_path, **{name: value}))


async def test_the_app_is_built_with_them(tmp_path: Path) -> None:
    settings = Settings.from_env(
        env_in(
            tmp_path,
            OCCUPI_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'x.db'}",
            OCCUPI_MAX_INPUT_STRING="4000",
            OCCUPI_MAX_INPUT_LIST="700",
        )
    )
    gateway = build_gateway(settings)
    try:
        assert gateway.app.input_limits == InputLimits(max_string=4000, max_list=700)
    finally:
        await gateway.db.dispose()
