"""The occupi command answers bad input with a message and an exit code, never a traceback."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from gateway.cli import main


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in (
        "OCCUPI_DATABASE_URL",
        "OCCUPI_JWT_SECRET",
        "OCCUPI_LOG_LEVEL",
        "OCCUPI_BROKER_URL",
    ):
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


def test_several_workers_without_a_shared_broker_are_refused(tmp_path: Path) -> None:
    """Each process would see only its own live events; `occupi serve` exits instead."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OCCUPI_")}
    env["OCCUPI_DATA_DIR"] = str(tmp_path)
    occupi = Path(sys.executable).with_name("occupi")
    refused = subprocess.run(  # noqa: S603 - our own CLI, fixed arguments
        [str(occupi), "serve", "--port", "1", "--workers", "2"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,  # a bug that serves anyway fails here instead of hanging
        check=False,
    )
    assert refused.returncode == 2
    assert refused.stdout == ""  # no "serving on" banner for a server that never starts
    assert refused.stderr == (
        "occupi: --workers above 1 needs OCCUPI_BROKER_URL (Redis), so that live "
        "events reach subscribers of every process\n"
    )


@pytest.mark.parametrize(
    ("workers", "message"),
    [
        ("0", "argument --workers: must be between 1 and 64"),
        ("65", "argument --workers: must be between 1 and 64"),
        ("x", "argument --workers: 'x' is not a whole number"),
    ],
)
def test_a_bad_worker_count_is_refused_by_the_parser(
    data_dir: Path, workers: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["serve", "--workers", workers])
    assert stopped.value.code == 2
    assert message in capsys.readouterr().err
