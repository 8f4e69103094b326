"""``export --course PATIENT`` (``--series`` is its earlier name): every format read
back by an independent reader."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from fhir.resources.R4B.bundle import Bundle
from pypdf import PdfReader

from monitor.app.cli import main
from monitor.app.course_demo import NOW, PATIENT, build_course
from monitor.clinical.protocols import load_protocols
from monitor.clock import ManualClock
from monitor.export.course_out import export_course
from monitor.log.sqlite.store import Store


@pytest.fixture(scope="module")
def course_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    db = tmp_path_factory.mktemp("series") / "series.db"
    with Store(db) as log:
        return db, build_course(log)


def _export(db: Path, out: Path, fmt: str, *extra: str) -> Path:
    """Through the core with the clock at NOW (session 5 is still infusing then)."""
    with Store(db, readonly=True) as log:
        return export_course(log, PATIENT, fmt, out, load_protocols(),
                             deidentify="--deidentify" in extra, clock=ManualClock(NOW))


def test_the_command_line_writes_a_course(course_db, tmp_path) -> None:
    db, ids = course_db
    out = tmp_path / "cli.csv"
    assert main(["export", "--course", PATIENT, "--format", "csv", "--out", str(out),
                 "--db", str(db)]) == 0
    assert [r["session_id"] for r in csv.DictReader(out.open())] == ids


def test_the_earlier_flag_name_still_exports_the_course(course_db, tmp_path) -> None:
    db, ids = course_db
    out = tmp_path / "alias.csv"
    assert main(["export", "--series", PATIENT, "--format", "csv", "--out", str(out),
                 "--db", str(db)]) == 0
    assert [r["session_id"] for r in csv.DictReader(out.open())] == ids


def test_csv_one_row_per_session(course_db, tmp_path) -> None:
    db, ids = course_db
    rows = list(csv.DictReader(_export(db, tmp_path / "s.csv", "csv").open()))
    assert [r["session_id"] for r in rows] == ids
    assert [r["dose_mg"] for r in rows] == ["16.3", "20.4", "24.5", "24", "7.2"]
    assert [r["peak_sbp"] for r in rows] == ["142", "185", "145", "138", "140"]
    assert [r["peak_sbp_min"] for r in rows] == ["20", "20", "20", "20", "10"]
    assert [r["alarms_high"] for r in rows] == ["1", "1", "0", "0", "0"]
    assert [r["antihypertensive"] for r in rows] == ["0", "2", "0", "0", "0"]
    assert [r["phq9"] for r in rows] == ["", "", "", "18", "12"]
    assert [r["relief_hours_reported_next"] for r in rows] == ["20", "36", "48", "24", ""]
    assert rows[0]["opened_at"].startswith("2026-03-0")


def test_json_carries_the_facts(course_db, tmp_path) -> None:
    db, ids = course_db
    doc = json.loads(_export(db, tmp_path / "s.json", "json").read_text())
    assert doc["patient_id"] == PATIENT and not doc["deidentified"]
    assert [s["session_id"] for s in doc["sessions"]] == ids
    assert doc["sessions"][1]["peak_sbp"] == {"value": 185, "minute": 20}
    assert doc["sessions"][1]["interventions"] == {
        "antiemetic": 1, "benzodiazepine": 1, "antihypertensive": 2, "pauses": 1}
    assert doc["sessions"][3]["outcomes"]["madrs_after"] == 22


def test_pdf_shows_the_course_table(course_db, tmp_path) -> None:
    db, _ids = course_db
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(
        _export(db, tmp_path / "s.pdf", "pdf")).pages)   # wrapped cells: one space
    assert "Ketamine course report" in text and PATIENT in text
    for expected in ("185/112 at 20 min", "1 high 0 medium", "MADRS 30 → 22",
                     "antiemetic 1 benzo 1 antihypertensive 2 pause 1", "12 min so far"):
        assert expected in text


def test_fhir_bundle_with_one_encounter_per_session(course_db, tmp_path) -> None:
    db, ids = course_db
    bundle = Bundle.model_validate_json(_export(db, tmp_path / "s.json", "fhir").read_text())
    resources = [e.resource for e in bundle.entry]
    encounters = [r for r in resources if r.__resource_type__ == "Encounter"]
    assert [e.identifier[0].value for e in encounters] == ids
    assert [e.status for e in encounters] == ["in-progress"] * 5   # none discharged
    assert [e.length.value for e in encounters] == [40, 40, 60, 40, 12]
    patient = next(r for r in resources if r.__resource_type__ == "Patient")
    assert patient.identifier[0].value == PATIENT
    outcomes = [r for r in resources if r.__resource_type__ == "Observation"]
    by_encounter = {}
    for o in outcomes:
        by_encounter.setdefault(o.encounter.reference, []).append(o.valueQuantity.value)
    assert sorted(len(v) for v in by_encounter.values()) == [2, 2, 3, 3, 4]


@pytest.mark.parametrize("fmt", ["csv", "json", "pdf", "fhir"])
def test_deidentified_course_keeps_intervals_not_dates(course_db, tmp_path, fmt) -> None:
    db, ids = course_db
    out = _export(db, tmp_path / f"d.{fmt}", fmt, "--deidentify")
    if fmt == "pdf":
        text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(out).pages)
        assert "day 0" in text and "day 5 (+3 d)" in text and "day 9 (+4 d)" in text
    else:
        text = out.read_text()
    for secret in (PATIENT, "Jane", *ids, "2026"):
        assert secret not in text, secret
    if fmt == "csv":
        rows = list(csv.DictReader(out.open()))
        assert [r["days_since_first"] for r in rows] == ["0", "1", "2", "5", "9"]
        assert [r["days_since_previous"] for r in rows] == ["", "1", "1", "3", "4"]
    if fmt == "json":
        doc = json.loads(text)
        assert [s["days_since_previous"] for s in doc["sessions"]] == [None, 1, 1, 3, 4]
    if fmt == "fhir":
        bundle = Bundle.model_validate_json(text)
        starts = [e.resource.period.start for e in bundle.entry
                  if e.resource.__resource_type__ == "Encounter"]
        assert [(s - starts[0]).days for s in starts] == [0, 1, 2, 5, 9]
        assert starts[0].year == 2000


def test_bad_course_requests_say_what_is_wrong(course_db, tmp_path, capsys) -> None:
    db, ids = course_db
    out = str(tmp_path / "x.csv")
    assert main(["export", "--course", "MRN-nobody", "--format", "csv", "--out", out,
                 "--db", str(db)]) == 1
    assert "No sessions for patient 'MRN-nobody'" in capsys.readouterr().err
    assert main(["export", "--course", " ", "--format", "csv", "--out", out,
                 "--db", str(db)]) == 1
    assert "needs a patient identifier" in capsys.readouterr().err
    assert main(["export", "--course", PATIENT, "--format", "vital", "--out", out,
                 "--db", str(db)]) == 1
    assert "csv, json, pdf, fhir" in capsys.readouterr().err
    assert main(["export", ids[0], "--course", PATIENT, "--format", "csv", "--out", out,
                 "--db", str(db)]) == 2
    assert main(["export", "--format", "csv", "--out", out, "--db", str(db)]) == 2
    assert "either SESSION or --course PATIENT" in capsys.readouterr().err
    assert not Path(out).exists()
