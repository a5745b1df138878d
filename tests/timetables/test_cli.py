"""`occupi import timetable` on the demo site, as `make serve` runs it: the shipped
sample loads once, a progress bar goes to stderr, a bad file is named and refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.cli import main

SAMPLES = Path(__file__).parents[2] / "samples"
SAMPLE = ["import", "timetable", str(SAMPLES / "timetable.json")]
WITH_CSV = [*SAMPLE, "--schedules", str(SAMPLES / "timetable-schedules.csv")]


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("OCCUPI_DATABASE_URL", "OCCUPI_JWT_SECRET", "OCCUPI_BROKER_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OCCUPI_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("OCCUPI_LOG_LEVEL", "warning")
    return tmp_path


def test_the_sample_loads_on_the_demo_site_once(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["migrate"]) == 0
    assert main(["seed-demo"]) == 0
    capsys.readouterr()
    assert main([*WITH_CSV, "--if-empty"]) == 0
    output = capsys.readouterr()
    assert "sessions: 59 added, 0 restored, 0 withdrawn" in output.out
    assert "events: 1 added" in output.out
    assert output.err.endswith("] 60/60\n")  # the progress bar reached the end
    assert main([*WITH_CSV, "--if-empty"]) == 0
    assert capsys.readouterr().out == "a timetable is already loaded\n"
    assert main(WITH_CSV) == 0
    assert "nothing changed" in capsys.readouterr().out


def test_a_bad_file_is_named_and_nothing_is_imported(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["migrate"]) == 0
    assert main(["seed-demo"]) == 0
    bad = data_dir / "bad.csv"
    bad.write_text("course,label,rooms,date,start,end\nCS-305,lab,RM001,2026-10-01,9h,10:00\n")
    capsys.readouterr()
    assert main([*SAMPLE, "--schedules", str(bad)]) == 1
    assert capsys.readouterr().err == (
        "occupi: INVALID_INPUT (line 2, column start): line 2, column start: '9h' is not a time "
        "(HH:MM)\n"
    )
    assert main([*SAMPLE, "--if-empty"]) == 0  # still empty: the bad import wrote nothing
    assert "sessions:" in capsys.readouterr().out


def test_an_unreadable_file_is_reported(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import", "timetable", str(data_dir / "missing.json")]) == 1
    assert "cannot read the timetable" in capsys.readouterr().err
