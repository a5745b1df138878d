"""The occupi command answers bad input with a message and an exit code, never a traceback."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from gateway.cli import main


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("OCCUPI_DATABASE_URL", "OCCUPI_JWT_SECRET", "OCCUPI_LOG_LEVEL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OCCUPI_DATA_DIR", str(tmp_path))
    return tmp_path


def test_seeding_before_migrating_says_what_to_do(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["seed-demo"]) == 1
    assert "run `occupi migrate` first" in capsys.readouterr().err


def test_a_bad_setting_stops_with_its_name(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("OCCUPI_PORT", "eighty")
    assert main(["migrate"]) == 2
    assert capsys.readouterr().err == (
        "occupi: configuration error: OCCUPI_PORT must be a whole number, not 'eighty'\n"
    )


def test_create_admin_checks_the_address_before_making_a_password(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["create-admin", "--email", "not-an-address"]) == 1
    output = capsys.readouterr()
    assert output.out == ""
    assert "'not-an-address' is not a valid e-mail address" in output.err


def test_create_admin_reads_the_password_from_stdin(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["migrate"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("Sup3r-secret!\n"))
    assert main(["create-admin", "--email", "Root@Example.com", "--password-stdin"]) == 0
    assert "created admin root@example.com" in capsys.readouterr().out
    monkeypatch.setattr("sys.stdin", io.StringIO("Sup3r-secret!\n"))
    assert main(["create-admin", "--email", "root@example.com", "--password-stdin"]) == 1
    assert "EMAIL_TAKEN" in capsys.readouterr().err


def test_a_weak_admin_password_is_refused(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["migrate"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["create-admin", "--email", "root@example.com", "--password-stdin"]) == 1
    assert "INVALID_INPUT (password)" in capsys.readouterr().err
