"""Attacks through exports: what a de-identified file still gives away, cells a
spreadsheet would run, text the PDF cannot lay out, and destinations that are not
plain files. Files are read back by independent readers."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import stat
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from fhir.resources.R4B.bundle import Bundle
from pypdf import PdfReader

from monitor.app.cli import main
from monitor.clock import ManualClock
from monitor.export import FORMATS
from monitor.export.atomic import TEMP_PREFIX, ExportError, write_atomic
from monitor.log.sqlite.store import Store
from monitor.record.recorder import Recorder
from tests.conftest import (
    OPENING,
    PRESCRIBED,
    T0,
    baseline_vitals,
    discharge_confirmed,
    export_file,
    export_text,
)

NOW = T0 + timedelta(days=40)


@pytest.fixture
def session_db(db_path, clock, protocols) -> tuple[Path, str]:
    with Store(db_path) as store:
        rec = Recorder.open_new(store, clock, protocols, {**OPENING, "nurse_id": "NURSE-ANNA"})
        baseline_vitals(rec)
        rec.start_infusion("RN-BOB", rate="0.35", rate_unit="mg/kg/h")
        clock.advance(600)
        rec.give_medication("RN7", "Johanna's own oxycodone", "5", "mg", "PO")
        rec.add_note("RN7", "=HYPERLINK(\"http://x\")")
        rec.give_medication("RN7", "+cmd|' /C calc'!A0", "1", "mg", "PO")
        rec.record_assessment({"moaas": 5, "comment": "@SUM(1+1)"}, "RN7")
        rec.add_note("@RN9", "seen")
        rec.stop_infusion("RN7")
        clock.advance(3600)
        rec.record_vitals({"sbp": "120", "dbp": "80", "hr": "70", "spo2": "98", "rr": "14",
                           "temp": "36.8"}, "RN7")
        rec.record_assessment({"moaas": 5, "rass": -1, "pain": 2}, "RN7")
        rec.pause_audio("RN7") if rec.session.active_alarms() else None
        discharge_confirmed(rec, {"escort_present": True, "no_driving_advice": True,
                                  "ready_to_leave_at": clock.now(), **PRESCRIBED})
        return db_path, rec.session.session_id


def export(db: Path, sid: str, fmt: str, out: Path, **kw) -> Path:
    return export_file(db, sid, fmt, out, clock=ManualClock(NOW), **kw)


IDENTIFIERS = ("MRN-0042", "Jane Doe", "NURSE-ANNA", "RN-BOB", "RN7", "RN9", "Johanna",
               "oxycodone")


@pytest.mark.parametrize("fmt", FORMATS)
def test_deidentified_files_hold_no_identifier_name_drug_or_real_date(session_db, tmp_path,
                                                                      fmt):
    db, sid = session_db
    text = export_text(export(db, sid, fmt, tmp_path / f"d.{fmt}", deidentify=True))
    for word in (*IDENTIFIERS, sid):
        assert word not in text, word
    for day in ("2026-03-02", "2026-04-11", "2026-04-1"):  # session day and export day
        assert day not in text, day
    if fmt != "vital":  # a .vital file carries tracks and events, not who recorded them
        assert re.search(r"nurse-\d", text)


def test_deidentified_json_shifts_times_inside_payloads_and_withholds_the_export_time(
        session_db, tmp_path):
    db, sid = session_db
    doc = json.loads(export(db, sid, "json", tmp_path / "d.json", deidentify=True).read_text())
    # An offset of the export from the start, next to the file's dates, would date it.
    assert doc["exported_at"] == "withheld (de-identified)"
    discharged = next(e for e in doc["events"] if e["kind"] == "session_discharged")
    assert discharged["payload"]["ready_to_leave_at"].startswith("T+")
    assert "head_hash" not in doc["record"] and doc["record"]["events"] == len(doc["events"])
    authors = {e["author"] for e in doc["events"]}
    assert authors <= {"nurse-1", "nurse-2", "nurse-3", "nurse-4", "system"}
    opened = doc["events"][0]["payload"]
    assert opened["nurse_id"] == "nurse-1" and "protocol_snapshot" not in opened


def test_deidentified_fhir_has_fresh_ids_a_coded_tag_and_no_timestamp(session_db, tmp_path):
    db, sid = session_db
    named = json.loads(export(db, sid, "fhir", tmp_path / "n.json").read_text())
    anon = json.loads(export(db, sid, "fhir", tmp_path / "a.json", deidentify=True).read_text())
    anon2 = json.loads(export(db, sid, "fhir", tmp_path / "b.json", deidentify=True).read_text())
    Bundle.model_validate(anon)
    ids = {e["fullUrl"] for e in named["entry"]} | {named["id"]}
    anon_ids = {e["fullUrl"] for e in anon["entry"]} | {anon["id"]}
    assert not ids & anon_ids
    assert not anon_ids & ({e["fullUrl"] for e in anon2["entry"]} | {anon2["id"]})
    refs = re.findall(r'"reference":"(urn:uuid:[^"]+)"', json.dumps(anon, separators=(",", ":")))
    assert refs and set(refs) <= anon_ids  # references still resolve inside the bundle
    assert "timestamp" not in anon  # the time of writing would date the session
    tags = {t["code"] for t in anon["meta"]["tag"]}
    assert "deidentified" in tags and all(t.get("code") for t in anon["meta"]["tag"])
    assert "identifier" not in anon


@pytest.mark.parametrize("wide", [False, True])
def test_csv_cells_that_a_spreadsheet_would_run_are_escaped(session_db, tmp_path, wide):
    db, sid = session_db
    out = export(db, sid, "csv", tmp_path / "s.csv", wide=wide)
    rows = list(csv.reader(io.StringIO(out.read_bytes().decode("utf-8-sig"))))
    cells = [c for r in rows for c in r]
    assert not [c for c in cells if c[:1] in ("=", "+", "@") and c[:1] != "'"]
    assert not [c for c in cells if c.startswith("-") and not re.fullmatch(r"-\d+(\.\d+)?", c)]
    if not wide:
        assert "'=HYPERLINK(\"http://x\")" in cells
        assert "medication:+cmd|' /C calc'!A0" in cells  # starts with a letter: inert
        assert "'@RN9" in cells  # a nurse ID is text too
        rass = [r for r in rows if r[2] == "rass"]
        assert rass and rass[0][3] == "-1"  # a negative number stays a number


@pytest.mark.parametrize("text", ["x" * 202, "漢" * 177, "😀" * 177, "a" * 2000])
def test_pdf_lays_out_long_words(db_path, clock, protocols, tmp_path, text):
    with Store(db_path) as store:
        rec = Recorder.open_new(store, clock, protocols, dict(OPENING))
        rec.add_note("RN7", text)
        rec.record_assessment({"moaas": 5, "comment": text[:1500]}, "RN7")
        rec.give_medication("RN7", text[:80], "5", "mg", "IV", text[:200])
        sid = rec.session.session_id
    out = export(db_path, sid, "pdf", tmp_path / "r.pdf")
    assert len(PdfReader(out).pages) >= 1


@pytest.mark.skipif(not Path("/dev/null").exists(), reason="needs /dev/null")
@pytest.mark.parametrize("target", ["/dev/null", "/dev/full"])
def test_force_never_replaces_a_device(session_db, target, capsys):
    db, sid = session_db
    before = os.stat(target)
    code = main(["export", sid, "--format", "csv", "--out", target, "--force", "--db", str(db)])
    err = capsys.readouterr().err
    assert code == 1 and "is a device, not a regular file" in err and "already exists" not in err
    after = os.stat(target)
    assert stat.S_ISCHR(after.st_mode) and after.st_rdev == before.st_rdev


def test_force_never_replaces_a_fifo_or_a_folder(session_db, tmp_path, capsys):
    db, sid = session_db
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    folder = tmp_path / "folder"
    folder.mkdir()
    for target, why in ((fifo, "is a pipe, not a regular file"),
                        (folder, "is a folder; give a file name")):
        assert main(["export", sid, "--format", "csv", "--out", str(target), "--force",
                     "--db", str(db)]) == 1
        assert why in capsys.readouterr().err
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode) and folder.is_dir()


def test_force_still_replaces_a_regular_file(session_db, tmp_path):
    db, sid = session_db
    out = tmp_path / "r.csv"
    out.write_text("old")
    with pytest.raises(ExportError, match="already exists; use --force"):
        export(db, sid, "csv", out)
    export(db, sid, "csv", out, force=True)
    assert out.read_text("utf-8-sig").startswith("time,")


def test_temp_file_of_a_killed_export_is_removed_by_the_next(tmp_path):
    script = ("import os, sys\n"
              "from monitor.export import atomic\n"
              "def die(*a, **k):\n"
              "    os.kill(os.getpid(), 9)\n"
              "atomic.os.replace = die\n"
              "atomic.write_atomic(__import__('pathlib').Path(sys.argv[1]), b'patient data')\n")
    out = tmp_path / "report.pdf"
    proc = subprocess.run([sys.executable, "-c", script, str(out)], timeout=60)
    assert proc.returncode == -9
    left = [p for p in tmp_path.iterdir() if p.name.startswith(TEMP_PREFIX)]
    assert len(left) == 1 and stat.S_IMODE(left[0].stat().st_mode) == 0o600
    assert not out.exists()
    write_atomic(tmp_path / "other.csv", b"x")
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(TEMP_PREFIX)]


def test_log_is_private_and_names_no_file_or_patient(session_db, tmp_path, capsys):
    import logging

    from monitor.app import logsetup
    db, sid = session_db
    root = logging.getLogger()
    saved = list(root.handlers)
    logsetup._configured = False
    try:
        bad = tmp_path / "Jane Doe MRN-0042.pdf"
        bad.mkdir()
        main(["export", sid, "--format", "pdf", "--out", str(bad), "--db", str(db)])
        main(["export", sid, "--format", "pdf", "--out", str(tmp_path / "ok.pdf"),
              "--db", str(db)])
        path = logsetup.log_dir() / "ketamine-monitor.log"
        for handler in root.handlers:
            handler.flush()
        text = path.read_text()
        assert "export failed: ExportError" in text
        for word in ("Jane", "MRN-0042", str(tmp_path), str(db)):
            assert word not in text, word
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    finally:
        for handler in root.handlers:
            if handler not in saved:
                root.removeHandler(handler)
                handler.close()
        logsetup._configured = False
