"""Every format written to a real file and read back by an independent reader."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jsonschema
import pytest
from fhir.resources.R4B.bundle import Bundle
from pypdf import PdfReader

from monitor.app.simulator import DemoScript, open_demo, play
from monitor.clinical.protocols import load_protocols
from monitor.clock import ManualClock
from monitor.export import render
from monitor.export.atomic import ExportError
from monitor.log.sqlite.store import Store
from monitor.model.session import fold
from tests.conftest import OPENING, baseline_vitals, export_file, export_text
from tests.support.fhir_profile import vital_signs_problems

ROOT = Path(__file__).resolve().parents[3]
SCHEMA = json.loads((ROOT / "docs" / "session-export.schema.json").read_text())
START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
NOW = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)


@pytest.fixture
def demo_db(tmp_path: Path) -> tuple[Path, str]:
    db = tmp_path / "demo.db"
    clock = ManualClock(START)
    with Store(db) as store:
        rec = open_demo(store, clock)
        play(DemoScript(5), rec, clock, START)
        return db, rec.session.session_id


@pytest.fixture
def corrected_db(tmp_path: Path, clock) -> tuple[Path, str]:
    """Corrections, an artifact, an acknowledged alarm, a note with identifying text."""
    from monitor.record.recorder import Recorder
    db = tmp_path / "corr.db"
    with Store(db) as store:
        rec = Recorder.open_new(store, clock, load_protocols(), dict(OPENING))
        baseline_vitals(rec)
        rec.start_infusion("RN7", rate="0.35", rate_unit="mg/kg/h")
        clock.advance(600)
        v = rec.record_vitals({"sbp": "150/85", "hr": "80", "spo2": "97", "rr": "14"}, "RN7")
        rec.amend("RN7", v.seq, {"sbp": "152"}, "misread the display")
        clock.advance(600)
        art = rec.record_vitals({"sbp": "190/95", "hr": "82"}, "RN7")
        alarm = rec.session.active_alarms()[0]
        rec.acknowledge("RN7", alarm.alarm_id, "re-measured", "cuff slipped")
        rec.flag_artifact("RN7", art.seq, "cuff slipped")
        wrong = rec.give_bolus("RN7", "5")
        rec.strike("RN7", wrong.seq, "wrong patient")
        rec.add_note("RN7", "Jane Doe says MRN-0042 husband is driving")
        rec.record_assessment({"moaas": 5, "comment": "Jane chatty"}, "RN7")
        return db, rec.session.session_id


def export(db: Path, sid: str, fmt: str, out: Path, **kw) -> Path:
    return export_file(db, sid, fmt, out, clock=ManualClock(NOW), **kw)


@pytest.mark.hazard("H-215")
def test_json_validates_and_round_trips(demo_db, tmp_path: Path):
    db, sid = demo_db
    first = export(db, sid, "json", tmp_path / "a.json")
    doc = json.loads(first.read_text())
    jsonschema.validate(doc, SCHEMA)
    assert doc["session"]["phase"] == "closed"
    other = tmp_path / "other.db"
    proc = subprocess.run([sys.executable, "-m", "ui.entry", "import", str(first), "--db",
                           str(other)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    second = export(other, sid, "json", tmp_path / "b.json")
    assert first.read_bytes() == second.read_bytes()
    later = export_file(other, sid, "json", tmp_path / "c.json",
                           clock=ManualClock(NOW + timedelta(hours=1)))
    a, c = json.loads(first.read_text()), json.loads(later.read_text())
    assert a["exported_at"] != c["exported_at"]
    a.pop("exported_at")
    c.pop("exported_at")
    assert a == c


def test_import_refuses_duplicate_tampered_and_garbage(demo_db, tmp_path: Path):
    db, sid = demo_db
    path = export(db, sid, "json", tmp_path / "a.json")

    def imp(p: Path, target: Path = db) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "ui.entry", "import", str(p), "--db",
                               str(target)], capture_output=True, text=True, timeout=60)

    dup = imp(path)
    assert dup.returncode == 1 and "already in" in dup.stderr
    doc = json.loads(path.read_text())
    doc["events"][3]["payload"]["sbp"] = 99
    bad = tmp_path / "tampered.json"
    bad.write_text(json.dumps(doc))
    res = imp(bad, tmp_path / "fresh.db")
    assert res.returncode == 1 and f"event {sid}-4" in res.stderr
    junk = tmp_path / "junk.json"
    junk.write_text("{not json")
    res = imp(junk, tmp_path / "fresh.db")
    assert res.returncode == 1 and "not valid JSON" in res.stderr
    with Store(tmp_path / "fresh.db", readonly=True) as s:
        assert s.session_ids() == []


def test_csv_long_and_wide(corrected_db, tmp_path: Path):
    db, sid = corrected_db
    out = export(db, sid, "csv", tmp_path / "s.csv")
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    sbp = [r for r in rows if r["parameter"] == "sbp"]
    assert {(r["value"], r["status"], r["version"]) for r in sbp} >= {
        ("150", "amended", "original"), ("152", "amended", "current"),
        ("190", "artifact", "current"), ("128", "valid", "current")}
    assert all(datetime.fromisoformat(r["time"]).tzinfo is not None for r in rows)
    amended = next(r for r in sbp if r["value"] == "152")
    assert amended["minutes_since_infusion_start"] == "10"
    assert "amended by RN7" in amended["corrections"] and "misread" in amended["corrections"]
    assert any(r["parameter"] == "bolus" and r["status"] == "struck" for r in rows)
    temp = next(r for r in rows if r["parameter"] == "temp")
    assert temp["value"] == "36.8" and temp["unit"] == "°C"
    wide = export(db, sid, "csv", tmp_path / "w.csv", wide=True)
    wrows = list(csv.DictReader(io.StringIO(wide.read_text("utf-8-sig"))))
    assert [r["sbp"] for r in wrows] == ["128", "152", "190"]
    assert [r["status"] for r in wrows] == ["valid", "amended", "artifact"]


def _r4_structure(bundle: dict) -> None:
    """R4 rules the R4B models would not catch (R4B ≈ R4 for these resources)."""
    assert bundle["type"] == "collection"
    for e in bundle["entry"]:
        res = e["resource"]
        assert e["fullUrl"].startswith("urn:uuid:")
        if res["resourceType"] == "MedicationAdministration":
            assert "effectiveDateTime" in res or "effectivePeriod" in res  # R5: occurence[x]
            # R5 replaced this with medication (a CodeableReference)
            assert "medicationCodeableConcept" in res
            assert res["status"] in {"in-progress", "not-done", "on-hold", "completed",
                                     "entered-in-error", "stopped", "unknown"}
        if res["resourceType"] == "Observation":
            assert res["status"] in {"registered", "preliminary", "final", "amended",
                                     "corrected", "cancelled", "entered-in-error", "unknown"}
            assert "effectiveDateTime" in res


def test_fhir_bundle_is_r4(corrected_db, tmp_path: Path):
    db, sid = corrected_db
    out = export(db, sid, "fhir", tmp_path / "s.fhir.json")
    doc = json.loads(out.read_text())
    Bundle.model_validate(doc)
    _r4_structure(doc)
    assert vital_signs_problems(doc) == []
    obs = [e["resource"] for e in doc["entry"] if e["resource"]["resourceType"] == "Observation"]
    bp = [o for o in obs if o["code"].get("coding", [{}])[0].get("code") == "85354-9"]
    assert {c["code"]["coding"][0]["code"] for c in bp[0]["component"]} == {"8480-6", "8462-4"}
    assert bp[0]["component"][0]["valueQuantity"]["code"] == "mm[Hg]"
    assert bp[0]["category"][0]["coding"][0]["code"] == "vital-signs"
    statuses = {o["status"] for o in bp}
    assert statuses == {"final", "amended"}
    amended = next(o for o in bp if o["status"] == "amended")
    assert any("150" in n["text"] for n in amended["note"])
    codes = {c["code"] for o in obs for c in o["code"].get("coding", [])}
    assert {"8867-4", "9279-1", "2708-6", "8310-5", "29463-7"} <= codes
    texts = {o["code"].get("text") for o in obs}
    assert "MOAA/S sedation score (0-5)" in texts
    meds = [e["resource"] for e in doc["entry"]
            if e["resource"]["resourceType"] == "MedicationAdministration"]
    assert any(m["dosage"].get("rateQuantity", {}).get("value") == 24.5 for m in meds)
    # the struck bolus is not in the timeline, so it is not administered
    assert not any(m["dosage"].get("dose", {}).get("value") == 5 for m in meds)


def test_fhir_demo_session(demo_db, tmp_path: Path):
    db, sid = demo_db
    doc = json.loads(export(db, sid, "fhir", tmp_path / "d.json").read_text())
    Bundle.model_validate(doc)
    _r4_structure(doc)
    assert vital_signs_problems(doc) == []
    meds = [e["resource"] for e in doc["entry"]
            if e["resource"]["resourceType"] == "MedicationAdministration"]
    assert len([m for m in meds if "effectivePeriod" in m]) == 2  # 0.35 then 0.25 mg/kg/h
    assert any(m["medicationCodeableConcept"]["text"] == "ondansetron" for m in meds)
    news2 = [e["resource"] for e in doc["entry"]
             if e["resource"].get("code", {}).get("text") == "NEWS2 total score"]
    assert news2 and all(isinstance(o["valueInteger"], int) for o in news2)


def test_pdf_report(demo_db, tmp_path: Path):
    db, sid = demo_db
    out = export(db, sid, "pdf", tmp_path / "r.pdf")
    reader = PdfReader(out)
    n = len(reader.pages)
    text = "\n".join(p.extract_text() for p in reader.pages)
    for needle in ("Ketamine session report", "DEMO-0001", "Chronic pain", "Trends", "Vitals",
                   "Assessments", "Infusion timeline", "Total dose", "mg/kg", "Alarms",
                   "infusion slowed", "Corrections", "Discharge checklist", "Escort present",
                   "Nurse signature", "Physician signature", f"page 1 of {n}",
                   f"page {n} of {n}", "generated 2026-03-02"):
        assert needle in text, needle
    # Column headers are whole words (a narrow column once split "MAP" into "MA" / "P"),
    # and the widened columns still fit the page (pypdf reads every table cell).
    lines = set(text.split("\n"))
    for header in ("MAP", "SpO2", "Temp", "EtCO2", "MOAA/S", "RASS", "ACVPU", "CADSS-6"):
        assert header in lines, header
    assert not {"MA", "SpO", "Tem", "EtCO", "ACVP", "CADSS"} & lines
    width = float(reader.pages[1].mediabox.width)
    for page in reader.pages:
        xs: list[float] = []
        page.extract_text(visitor_text=lambda t, cm, tm, *_, xs=xs: xs.append(
            cm[0] * tm[4] + cm[2] * tm[5] + cm[4]) if t.strip() else None)
        assert xs and min(xs) >= 15 / 25.4 * 72 - 1 and max(xs) < width - 15 / 25.4 * 72


def test_pdf_rems_items(tmp_path: Path, clock):
    from monitor.record.recorder import Recorder
    db = tmp_path / "rems.db"
    with Store(db) as store:
        rec = Recorder.open_new(store, clock, load_protocols(),
                                {**OPENING, "protocol": "esketamine-nasal"})
        baseline_vitals(rec)
        rec.start_infusion("RN7", dose_mg="84", lot="LOT-77")
        clock.advance(40 * 60)
        rec.record_vitals({"sbp": "150/90"}, "RN7")
        sid = rec.session.session_id
    text = "\n".join(p.extract_text() for p in PdfReader(export(db, sid, "pdf",
                                                                 tmp_path / "r.pdf")).pages)
    for needle in ("REMS monitoring items", "BP before dosing", "128/82",
                   "BP about 40 min after dosing", "150/90", "Total minutes monitored",
                   "Respiratory depression", "LOT-77"):
        assert needle in text, needle


@pytest.mark.parametrize("fmt", ["json", "csv", "pdf", "fhir"])
def test_deidentified_exports_hold_no_identifier_or_free_text(corrected_db, tmp_path: Path,
                                                              fmt):
    db, sid = corrected_db
    body = export_text(export(db, sid, fmt, tmp_path / f"d.{fmt}", deidentify=True))
    for secret in ("MRN-0042", "Jane", "husband", "misread", "cuff slipped", "wrong patient",
                   "2026-03-02T09"):
        assert secret not in body, f"{secret!r} leaked into the {fmt} export"
    says_so = {"json": '"deidentified": true', "csv": ",deidentified\n",
               "pdf": "DE-IDENTIFIED", "fhir": "ANONYED"}[fmt]
    assert says_so in body
    if fmt == "csv":
        assert all(r["deidentified"] == "yes" for r in csv.DictReader(io.StringIO(body)))
    if fmt == "json":
        jsonschema.validate(json.loads(body), SCHEMA)
    if fmt == "fhir":
        Bundle.model_validate(json.loads(body))


def test_export_errors_one_line_exit_1(demo_db, tmp_path: Path):
    db, sid = demo_db

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "ui.entry", "export", *args, "--db",
                               str(db)], capture_output=True, text=True, timeout=60)

    target = tmp_path / "x.csv"
    ok = run(sid[:6], "--format", "csv", "--out", str(target))
    assert ok.returncode == 0 and target.exists()
    exists = run(sid, "--format", "csv", "--out", str(target))
    assert exists.returncode == 1 and "already exists; use --force" in exists.stderr
    assert run(sid, "--format", "csv", "--out", str(target), "--force").returncode == 0
    unknown = run("nosuchsession", "--format", "csv", "--out", str(tmp_path / "y.csv"))
    assert unknown.returncode == 1 and "No session" in unknown.stderr
    badpath = run(sid, "--format", "pdf", "--out", str(tmp_path / "missing" / "r.pdf"))
    assert badpath.returncode == 1 and "does not exist" in badpath.stderr
    for proc in (exists, unknown, badpath):
        assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr


def test_failed_write_leaves_no_half_file(tmp_path: Path, monkeypatch):
    import os

    from monitor.export import atomic

    def boom(*_a, **_k):
        raise OSError(28, "No space left on device")

    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.setattr(atomic.os, "replace", boom)
    with pytest.raises(ExportError, match="No space left"):
        atomic.write_atomic(out / "r.pdf", b"x" * 1000)
    assert os.listdir(out) == []


def test_render_is_pure(demo_db):
    db, sid = demo_db
    with Store(db, readonly=True) as s:
        session = fold(sid, s.events(sid))
    protocols = load_protocols()
    for fmt in ("json", "csv", "fhir"):
        assert render(session, protocols, fmt, now=NOW) == render(session, protocols, fmt, now=NOW)


def test_fhir_device_stream_as_sampled_data(tmp_path: Path, clock):
    """A 1 Hz device stream is SampledData coded with MDC, outside vital-signs (the
    vital-signs profiles forbid SampledData); an artifact sample is 'E'."""
    from monitor.record.recorder import Recorder
    db = tmp_path / "dev.db"
    with Store(db) as store:
        rec = Recorder.open_new(store, clock, load_protocols(), dict(OPENING))
        baseline_vitals(rec)
        rec.start_infusion("RN7", rate="0.35", rate_unit="mg/kg/h")
        seqs = []
        for i in range(12):
            clock.advance(1)
            seqs.append(rec.record_vitals({"hr": str(80 + i), "spo2": "97"}, "RN7",
                                          source="device").seq)
        rec.flag_artifact("RN7", seqs[2], "probe moved")
        sid = rec.session.session_id
    doc = json.loads(export(db, sid, "fhir", tmp_path / "d.json").read_text())
    Bundle.model_validate(doc)
    streams = [e["resource"] for e in doc["entry"] if "valueSampledData" in e["resource"]]
    hr = next(o for o in streams if o["code"]["coding"][0]["code"] == "147842")
    assert hr["code"]["coding"][0]["system"] == "urn:iso:std:iso:11073:10101"
    assert hr["valueSampledData"]["data"] == "80 81 E 83 84 85 86 87 88 89 90 91"
    assert hr["valueSampledData"]["period"] == 1000
    assert hr["valueSampledData"]["origin"]["code"] == "/min"
    assert hr["category"] == [{"text": "continuous device stream"}]


@pytest.mark.parametrize("zone", ["UTC", "America/New_York", "Asia/Kolkata"])
def test_vectorised_times_match_per_item(demo_db, monkeypatch, zone):
    import time as _time

    from monitor.export.context import ExportContext
    monkeypatch.setenv("TZ", zone)
    _time.tzset()
    try:
        db, sid = demo_db
        with Store(db, readonly=True) as s:
            session = fold(sid, s.events(sid))
        ctx = ExportContext(session, load_protocols().get(session.protocol_id), False, NOW)
        moments = [e.observed_at for e in session.events]
        assert ctx.times(moments) == [ctx.time(m) for m in moments]
    finally:
        monkeypatch.delenv("TZ")
        _time.tzset()
