"""The timetable file: the shipped sample parses, weekly patterns expand over the
semester minus skipped dates, and each malformed record is named with its reason."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from domain.errors import DomainError, ErrorCode
from domain.timetable_format import parse_timetable
from domain.timetables import Semester, SemesterType, expand

SAMPLES = Path(__file__).parents[2] / "samples"


def sample() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((SAMPLES / "timetable.json").read_text())
    return loaded


def refused(document: object, csv: str | None = None) -> DomainError:
    with pytest.raises(DomainError) as raised:
        expand(parse_timetable(json.dumps(document), csv))
    assert raised.value.code is ErrorCode.INVALID_INPUT
    return raised.value


def test_the_shipped_sample_and_its_csv_rows_expand() -> None:
    timetable = parse_timetable(
        (SAMPLES / "timetable.json").read_text(),
        (SAMPLES / "timetable-schedules.csv").read_text(),
    )
    sessions = expand(timetable)
    mondays = [s for s in sessions if s.course == "CS-305" and s.label == "lecture"]
    # 14 Sep to 23 Dec 2026 has 15 Mondays; none is skipped.
    assert len(mondays) == 15
    assert mondays[0].interval.start == datetime(2026, 9, 14, 6, tzinfo=UTC)  # 08:00 SAST
    thursdays = [s for s in sessions if s.origin == "line 3"]
    assert len(thursdays) == 14 - 1  # 14 Thursdays; 24 Sep is skipped
    assert {s.rooms for s in thursdays} == {("RM001", "RM201")}
    assert [s.interval.start.date() for s in sessions if s.label == "exam"] == [date(2026, 12, 23)]


def test_teaching_days_skip_the_skipped_dates() -> None:
    semester = Semester(
        "S", SemesterType.FALL, date(2026, 9, 1), date(2026, 9, 30), (date(2026, 9, 15),)
    )
    assert semester.teaching_days(2) == [
        date(2026, 9, 1),
        date(2026, 9, 8),
        date(2026, 9, 22),
        date(2026, 9, 29),
    ]


@pytest.mark.parametrize(
    ("change", "path", "reason"),
    [
        (lambda d: d["courses"][1].update(credits="six"), "$.courses[1].credits", "wrong type"),
        (lambda d: d["courses"][0].pop("name"), "$.courses[0].name", "is required"),
        (lambda d: d["semesters"][0].update(type="winter"), "$.semesters[0].type", "fall"),
        (
            lambda d: d["semesters"][1]["skip_dates"].append("2027-13-01"),
            "$.semesters[1].skip_dates[4]",
            "not a date",
        ),
        (lambda d: d["schedules"][1].update(start="25:00"), "$.schedules[1].start", "a time"),
        (lambda d: d["schedules"][0].update(course="XX-999"), "$.schedules[0]", "unknown course"),
        (lambda d: d["schedules"][0].update(semester="Winter"), "$.schedules[0]", "semester"),
        (lambda d: d["schedules"][0].update(weekday=8), "$.schedules[0]", "1 (Monday)"),
        (lambda d: d["schedules"][2].update(end="08:00"), "$.schedules[2]", "before end"),
        (lambda d: d["rooms"][0].update(coordinates=[95, 0]), "$.rooms[0]", "latitude"),
        (lambda d: d.update(time_zone="Mars/Olympus"), "$.time_zone", "unknown time zone"),
        (lambda d: d.update(courses={}), "$.courses", "must be an array"),
        (lambda d: d["events"][0].update(end="2026-12-23T17:00"), "$.events[0]", "at most"),
        (lambda d: d["courses"][0].update(teachers=["Nobody"]), "$.courses[0].teachers", "teacher"),
        (lambda d: d["study_plans"][0].update(unit="XX"), "$.study_plans[0].unit", "unknown unit"),
        (
            lambda d: d["study_plans"][0].update(courses=["CS-999"]),
            "$.study_plans[0].courses",
            "unknown course",
        ),
        (lambda d: d["courses"].append(dict(d["courses"][0])), "$.courses[2]", "listed twice"),
        (lambda d: d["schedules"].append(dict(d["schedules"][2])), "$.schedules[3]", "twice"),
        (lambda d: d["schedules"][0].update(rooms=[]), "$.schedules[0].rooms", "at least one"),
        (lambda d: d["rooms"][0].update(available="no"), "$.rooms[0].available", "wrong type"),
    ],
)
def test_a_malformed_record_is_named_with_its_reason(change: Any, path: str, reason: str) -> None:
    document = sample()
    change(document)
    error = refused(document)
    assert error.message.startswith(path)
    assert reason in error.message
    assert error.field is not None


def test_two_sessions_in_one_room_at_once_are_refused() -> None:
    document = sample()
    document["events"][0].update(start="2026-12-21T08:30", end="2026-12-21T09:30")
    # 21 Dec 2026 is a Monday: the CS-305 lecture holds RM101 from 08:00 to 10:00.
    error = refused(document)
    assert "RM101 is already taken" in error.message


def test_a_bad_csv_row_is_named_by_its_line() -> None:
    csv = "course,label,rooms,date,start,end\nCS-305,lab,RM001,2026-10-01,09:00,10:00\n"
    csv += "CS-305,lab,RM001,2026-10-02,nine,10:00\n"
    error = refused(sample(), csv)
    assert error.message.startswith("line 3, column start: 'nine' is not a time")


def test_a_csv_file_without_the_needed_columns_is_refused() -> None:
    error = refused(sample(), "course,rooms\nCS-305,RM001\n")
    assert error.message.startswith("line 1: missing columns end, label, start")


def test_invalid_json_is_refused() -> None:
    with pytest.raises(DomainError) as raised:
        parse_timetable("{not json")
    assert raised.value.message.startswith("$: not valid JSON")
