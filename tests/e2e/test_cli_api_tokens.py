"""`occupi api-token create|list|revoke` on a migrated database."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.cli import main


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("OCCUPI_DATABASE_URL", "OCCUPI_JWT_SECRET", "OCCUPI_BROKER_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OCCUPI_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("OCCUPI_LOG_LEVEL", "warning")
    assert main(["migrate"]) == 0
    return tmp_path


def test_create_prints_the_token_alone_on_the_last_line_then_list_and_revoke(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["api-token", "create", "--name", "Sensors", "--scope", "ingest,read"]) == 0
    lines = capsys.readouterr().out.splitlines()
    secret = lines[-1]
    assert secret.startswith("occ_")
    assert len(secret) == 47
    assert " " not in secret
    assert lines[0] == "created API token 1\tSensors\tingest,read\tall locations\tactive"
    assert main(["api-token", "list"]) == 0
    listed = capsys.readouterr().out
    assert listed == "1\tSensors\tingest,read\tall locations\tactive\n"
    assert secret not in listed
    assert main(["api-token", "revoke", "1"]) == 0
    assert "revoked API token 1\tSensors" in capsys.readouterr().out
    assert main(["api-token", "list"]) == 0
    assert "\trevoked 20" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["create", "--name", "x", "--scope", "write"],
            "occupi: INVALID_INPUT (scope): scope must be read, ingest or read,ingest\n",
        ),
        (
            ["create", "--name", "x", "--location", "abc"],
            "occupi: INVALID_INPUT (location): 'abc' is not a number\n",
        ),
        (
            ["create", "--name", "x", "--location", "42"],
            "occupi: NOT_FOUND (location): no location with id '42'\n",
        ),
        (["revoke", "7"], "occupi: NOT_FOUND (id): no API token with id '7'\n"),
        (["create", "--name", " "], "occupi: INVALID_INPUT (name): a token needs a name\n"),
    ],
)
def test_bad_arguments_exit_1_with_a_precise_message(
    data_dir: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    capsys.readouterr()
    assert main(["api-token", *argv]) == 1
    output = capsys.readouterr()
    assert output.err == message
    assert output.out == ""


def test_simulate_feeds_the_demo_with_a_progress_line_per_round(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["seed-demo"]) == 0
    capsys.readouterr()
    assert main(["simulate", "--ticks", "2", "--interval", "0.01", "--seed", "3"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    # The six demo rooms and the Cafeteria zone the simulator adds.
    assert lines[0].startswith("round 1 at ")
    assert ": 7/7 readings accepted, " in lines[0]
    assert lines[1].startswith("round 2 at ")
    assert main(["api-token", "list"]) == 0
    assert "\tsimulator\tingest\tall locations\trevoked " in capsys.readouterr().out


def test_simulate_refuses_a_bad_interval(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["simulate", "--interval", "0"]) == 1
    assert "INVALID_INPUT (interval)" in capsys.readouterr().err
