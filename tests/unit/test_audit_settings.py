"""OCCUPI_AUDIT_RETENTION_DAYS and OCCUPI_AUDIT_EXPORT_MAX_ROWS."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from gateway.settings import Settings, SettingsError


def _from(tmp_path: Path, **values: str) -> Settings:
    return Settings.from_env({"OCCUPI_DATA_DIR": str(tmp_path), **values})


def test_events_are_kept_by_default(tmp_path: Path) -> None:
    settings = _from(tmp_path)
    assert (settings.audit_retention, settings.audit_export_max_rows) == (None, 1_000_000)
    assert _from(tmp_path, OCCUPI_AUDIT_RETENTION_DAYS="keep").audit_retention is None


def test_the_retention_and_export_bound_are_read(tmp_path: Path) -> None:
    settings = _from(
        tmp_path, OCCUPI_AUDIT_RETENTION_DAYS="400", OCCUPI_AUDIT_EXPORT_MAX_ROWS="5000"
    )
    assert (settings.audit_retention, settings.audit_export_max_rows) == (timedelta(days=400), 5000)


@pytest.mark.parametrize(
    ("name", "raw", "message"),
    [
        ("OCCUPI_AUDIT_RETENTION_DAYS", "0", "must be between 1 and 36600"),
        ("OCCUPI_AUDIT_RETENTION_DAYS", "a week", "must be a whole number"),
        ("OCCUPI_AUDIT_EXPORT_MAX_ROWS", "0", "must be between 1 and 100000000"),
    ],
)
def test_a_bad_value_names_the_variable(tmp_path: Path, name: str, raw: str, message: str) -> None:
    with pytest.raises(SettingsError, match=f"{name} {message}"):
        _from(tmp_path, **{name: raw})
