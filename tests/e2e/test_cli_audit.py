"""`occupi audit export|purge` on a migrated database: the operator's tokens are audited
as the system, and the export round-trips as CSV and JSON lines."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from gateway.cli import main


@pytest.fixture
def environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("OCCUPI_DATABASE_URL", "OCCUPI_JWT_SECRET", "OCCUPI_BROKER_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OCCUPI_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("OCCUPI_LOG_LEVEL", "warning")
    return tmp_path


@pytest.fixture
def data_dir(environment: Path) -> Path:
    assert main(["migrate"]) == 0
    return environment


def test_export_writes_the_operators_changes_as_jsonl_and_csv_and_purge_keeps_them(
    data_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main(["api-token", "create", "--name", "Sensors", "--scope", "ingest"]) == 0
    assert main(["api-token", "revoke", "1"]) == 0
    secret = capsys.readouterr().out.splitlines()[1]

    assert main(["audit", "export", "--since", "2000-01-01T00:00:00Z"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    out = data_dir / "audit.csv"
    assert main(["audit", "export", "--format", "csv", "--output", str(out)]) == 0

    assert [(e["actor"], e["entity"], e["entity_id"], e["action"]) for e in lines] == [
        ("system", "api_token", "1", "revoked"),
        ("system", "api_token", "1", "created"),
    ]
    assert lines[1]["before"] is None
    assert lines[1]["after"]["scopes"] == ["ingest"]
    with out.open(newline="") as exported:
        rows = list(csv.DictReader(exported))
    assert [int(r["number"]) for r in rows] == [e["number"] for e in lines]
    assert [json.loads(r["after"]) for r in rows] == [e["after"] for e in lines]
    assert secret not in out.read_text()
    assert main(["audit", "purge"]) == 0
    assert "every event is kept" in capsys.readouterr().out
    monkeypatch.setenv("OCCUPI_AUDIT_RETENTION_DAYS", "30")
    assert main(["audit", "purge"]) == 0
    assert capsys.readouterr().out == "dropped 0 audit events\n"


def test_export_refuses_bad_options_precisely(
    environment: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["audit", "export", "--since", "yesterday"]) == 1
    assert capsys.readouterr().err == (
        "occupi: INVALID_INPUT (since): since must be an ISO 8601 instant with an offset\n"
    )
    assert main(["audit", "export", "--format", "xml"]) == 1
    assert "(format): format must be jsonl or csv" in capsys.readouterr().err
