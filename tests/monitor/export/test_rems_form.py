"""The REMS Patient Monitoring Form items (issue 22 #5 and #12; CLINICAL §1 and §7): the
patient's details, vitals acceptable Y/N, sedation against an assumed alert 5, the BP
before discharge taken after dosing, dose and lot, the form's version and filing date,
and one 30-50 min window for the "40-min" BP (prompt, overdue alarm and form)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import jsonschema
import pytest
from pypdf import PdfReader

from monitor.clinical.rems_checks import NO_LOT
from monitor.clinical.rules.conditions import evaluate_conditions
from monitor.clinical.rules.schedule import rems_points
from monitor.errors import ConfirmationNeeded
from monitor.export.context import ExportContext
from monitor.export.rems import SEDATION_KEY, rems_items
from monitor.log.sqlite.store import Store
from monitor.record.recorder import Recorder
from tests.conftest import (
    CHECKLIST_DONE,
    OPENING,
    PRESCRIBED,
    baseline_vitals,
    discharge_confirmed,
    export_file,
    export_text,
)

READY = {"escort_present": True, "no_driving_advice": True, "aldrete_activity": 2,
         "aldrete_respiration": 2}


def opened(store, clock, protocols, **opening: str) -> Recorder:
    return Recorder.open_new(store, clock, protocols,
                             {**OPENING, "protocol": "esketamine-nasal", **opening})


def items(rec: Recorder) -> dict[str, str]:
    return rems_items(ExportContext(rec.session, rec.protocol, False, rec.clock.now()))


def test_patient_details_dose_lot_version_and_filing_date(store, clock, protocols):
    rec = opened(store, clock, protocols, date_of_birth="1985-03-12", sex="female")
    baseline_vitals(rec)
    rec.start_infusion("RN7", dose_mg="56", lot="LOT-4")
    form = items(rec)
    assert form["Form"] == ("SPRAVATO REMS Patient Monitoring Form, Outpatient Use Only "
                            "(11/2021)")
    assert (form["Birthdate"], form["Sex"]) == ("1985-03-12", "female")
    assert (form["Dose administered (mg)"], form["Lot"]) == ("56", "LOT-4")
    # dosed 2026-03-02 09:00 UTC: filed within 7 days → by 2026-03-09 (local date)
    dosed = rec.session.infusion_started_at
    assert form["File the form by"] == (dosed + timedelta(days=7)).astimezone().strftime(
        "%Y-%m-%d")
    unknown = items(opened(store, clock, protocols))
    assert (unknown["Birthdate"], unknown["Sex"]) == ("not recorded", "not recorded")


@pytest.mark.hazard("H-064")
def test_dosing_without_a_lot_asks_for_one(store, clock, protocols):
    rec = opened(store, clock, protocols)
    baseline_vitals(rec)
    with pytest.raises(ConfirmationNeeded) as asked:
        rec.start_infusion("RN7", dose_mg="56")
    assert asked.value.warnings == [NO_LOT]
    assert rec.session.infusion_started_at is None
    asked.value.retry()                                   # the nurse doses without it
    assert items(rec)["Lot"] == "not recorded"


@pytest.mark.hazard("H-065")
@pytest.mark.parametrize(("after", "expected"), [
    ([], "not recorded after dosing"),                    # the pre-dose 128/82 is never it
    ([(20, "150/90")], "150/90 at"),
    ([(20, "150/90"), (100, "132/84")], "132/84 at"),
])
def test_bp_before_discharge_is_a_reading_after_dosing(store, clock, protocols, after,
                                                       expected):
    rec = opened(store, clock, protocols)
    baseline_vitals(rec)
    rec.start_infusion("RN7", dose_mg="56", lot="L1")
    dosed = clock.now()
    for minute, bp in after:
        clock.set(dosed + timedelta(minutes=minute))
        rec.record_vitals({"sbp": bp}, "RN7")
    clock.set(dosed + timedelta(minutes=121))
    form = items(rec)
    assert form["BP before discharge"].startswith(expected)
    assert form["BP before dosing"].startswith("128/82")


@pytest.mark.hazard("H-066")
@pytest.mark.parametrize(("pre_dose", "after", "expected"), [
    (5, 1, "yes"), (5, 5, "no"), (4, 4, "no"), (4, 3, "yes"),
    (None, 1, "yes (lowest MOAA/S 1); no pre-dose score: compared with an assumed alert 5"),
    (None, 4, "yes (lowest MOAA/S 4); no pre-dose score: compared with an assumed alert 5"),
    (None, 5, "no (lowest MOAA/S 5); no pre-dose score: compared with an assumed alert 5"),
])
def test_sedation_counts_readings_after_dosing_against_an_assumed_5(store, clock, protocols,
                                                                    pre_dose, after, expected):
    rec = opened(store, clock, protocols)
    rec.record_vitals({"sbp": "128/82", "hr": "72", "spo2": "98", "rr": "14"}, "RN7")
    rec.record_checklist("RN7", CHECKLIST_DONE)
    if pre_dose is not None:
        rec.record_assessment({"moaas": pre_dose}, "RN7")
    rec.start_infusion("RN7", dose_mg="56", lot="L1", confirmed=True)
    clock.advance(20 * 60)
    rec.record_assessment({"moaas": after}, "RN7")
    assert items(rec)[SEDATION_KEY] == expected


@pytest.mark.parametrize(("vitals", "expected"), [
    ({}, "yes"),                                          # 128/82, SpO2 98, HR 72, RR 14
    ({"sbp": 140, "dbp": 90}, "yes"),                     # the label's limit itself
    ({"sbp": 141}, "no (SBP 141 > 140)"),
    ({"sbp": 150, "dbp": 92}, "no (SBP 150 > 140; DBP 92 > 90)"),
    ({"spo2": 93}, "no (SpO2 93 ≤ 93)"),                  # medium limit ≤ 93
    ({"hr": 111}, "no (HR 111 ≥ 111)"),
])
def test_vitals_acceptable_before_administration(store, clock, protocols, vitals, expected):
    rec = opened(store, clock, protocols)
    baseline_vitals(rec, **vitals)
    rec.start_infusion("RN7", dose_mg="56", lot="L1", confirmed=True)
    assert items(rec)["Vital signs acceptable before administration"] == expected


def test_vitals_acceptable_before_leaving_and_how_the_session_ended(store, clock, protocols):
    rec = opened(store, clock, protocols)
    baseline_vitals(rec)
    rec.start_infusion("RN7", dose_mg="56", lot="L1")
    assert items(rec)["Vital signs acceptable before leaving"] == "not discharged yet"
    clock.advance(121 * 60)
    # a full pre-discharge set: without a temperature NEWS2 asks for one (an active prompt)
    rec.record_vitals({"sbp": "130/80", "hr": "72", "spo2": "98", "rr": "14", "temp": "36.8"},
                      "RN7")
    rec.record_assessment({"moaas": 5, "cadss6": [0] * 6, "dissociation": 0}, "RN7")
    for alarm in rec.session.active_alarms():
        rec.acknowledge("RN7", alarm.alarm_id, "re-measured")
    rec.discharge("RN7", {**READY, "ready_to_leave_at": clock.now() - timedelta(minutes=11)})
    form = items(rec)
    assert form["Vital signs acceptable before leaving"] == "yes"
    assert form["How the session ended"] == "discharged, criteria met"
    assert form["Ready to leave (minutes from the first device)"].startswith(
        "110 min after the first device")          # 121 − 11


def test_pdf_says_how_the_patient_left_and_which_form(tmp_path: Path, clock, protocols):
    db = tmp_path / "rems.db"
    with Store(db) as store:
        rec = opened(store, clock, protocols, date_of_birth="1985-03-12", sex="male")
        baseline_vitals(rec)
        rec.start_infusion("RN7", dose_mg="56", lot="LOT-9")
        clock.advance(30 * 60)
        rec.record_vitals({"sbp": "200/120"}, "RN7")
        discharge_confirmed(rec, {**READY, "ready_to_leave_at": clock.now(), **PRESCRIBED})
        sid = rec.session.session_id
    reader = PdfReader(export_file(db, sid, "pdf", tmp_path / "r.pdf"))
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    for needle in ("Discharged before the criteria were met on the decision of Dr Okafor",
                   "Following the SPRAVATO REMS Patient Monitoring Form, Outpatient Use Only "
                   "(11/2021)", "1985-03-12", "LOT-9", "File the form by",
                   "Vital signs acceptable before leaving"):
        assert needle in text, needle
    deid = PdfReader(export_file(db, sid, "pdf", tmp_path / "d.pdf", deidentify=True))
    text = " ".join(" ".join(p.extract_text() for p in deid.pages).split())
    assert "Dr Okafor" not in text and "1985-03-12" not in text
    assert "on the decision of a prescriber" in text


# -- one window for the "40-min" BP (22 #12) -------------------------------------------------

def _rems_dues(rec: Recorder):
    return rems_points(rec.session, rec.protocol, rec.clock.now())


@pytest.mark.hazard("H-067")
@pytest.mark.parametrize(("bp_at_min", "prompt_met", "form"), [
    (29, False, "not taken"), (30, True, "150/90 at"), (32, True, "150/90 at"),
    (50, True, "150/90 at"), (51, False, "not taken"), (52, False, "not taken"),
])
def test_the_40_min_bp_has_one_window_for_prompt_and_form(store, clock, protocols, bp_at_min,
                                                          prompt_met, form):
    rec = opened(store, clock, protocols)
    baseline_vitals(rec)
    rec.start_infusion("RN7", dose_mg="56", lot="L1")
    dosed = clock.now()
    clock.set(dosed + timedelta(minutes=bp_at_min))
    rec.record_vitals({"sbp": "150/90"}, "RN7")
    clock.set(dosed + timedelta(minutes=55))
    assert (not _rems_dues(rec)) is prompt_met
    assert items(rec)["BP about 40 min after dosing"].startswith(form)


@pytest.mark.hazard("H-067")
@pytest.mark.parametrize(("now_min", "overdue", "missed"), [
    (39, False, False), (41, True, False), (50, True, False), (51, False, True),
    (120, False, True),
])
def test_a_missed_40_min_bp_stays_visibly_missed(store, clock, protocols, now_min, overdue,
                                                 missed):
    rec = opened(store, clock, protocols)
    baseline_vitals(rec)
    rec.start_infusion("RN7", dose_mg="56", lot="L1")
    clock.set(rec.session.infusion_started_at + timedelta(minutes=now_min))
    (due,) = _rems_dues(rec)
    assert (due.overdue, due.missed) == (overdue, missed)
    if missed:
        assert due.label == "REMS BP at 40 min missed (none 30–50 min)"
    reasons, _ = evaluate_conditions(rec.session, rec.protocol, clock.now())
    in_alarm = "overdue" in reasons and "REMS" in reasons["overdue"].message
    assert in_alarm is overdue                 # a missed point is shown, never an alarm
    rec.record_vitals({"sbp": "130/80"}, "RN7")
    assert bool(_rems_dues(rec)) is missed     # a late BP does not un-miss it


def test_sessions_command_shows_when_the_rems_form_is_due(tmp_path: Path, clock, protocols,
                                                          capsys):
    from monitor.app.cli import main
    db = tmp_path / "list.db"
    with Store(db) as store:
        rems = opened(store, clock, protocols)
        baseline_vitals(rems)
        rems.start_infusion("RN7", dose_mg="56", lot="L1")
        waiting = opened(store, clock, protocols)        # not dosed: no form yet
        iv = Recorder.open_new(store, clock, protocols, dict(OPENING))
        ids = (rems.session.session_id, waiting.session.session_id, iv.session.session_id)
    assert main(["sessions", "--db", str(db)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].endswith("REMS FORM DUE")
    due = (clock.now() + timedelta(days=7)).astimezone().strftime("%Y-%m-%d")
    by_id = {line.split()[0]: line for line in lines[1:]}
    assert by_id[ids[0]].endswith(f"  {due}")
    assert not by_id[ids[1]].rstrip().endswith(due) and not by_id[ids[2]].rstrip().endswith(due)


@pytest.mark.parametrize("fmt", ["json", "csv", "pdf", "fhir"])
def test_deidentified_exports_drop_birthdate_and_prescriber(tmp_path: Path, clock, protocols,
                                                            fmt):
    db = tmp_path / "deid.db"
    with Store(db) as store:
        rec = opened(store, clock, protocols, date_of_birth="1985-03-12", sex="male")
        baseline_vitals(rec)
        rec.start_infusion("RN7", dose_mg="56", lot="L1")
        clock.advance(30 * 60)
        discharge_confirmed(rec, {**READY, "ready_to_leave_at": clock.now(), **PRESCRIBED})
        sid = rec.session.session_id
    plain = export_text(export_file(db, sid, fmt, tmp_path / f"p.{fmt}"))
    if fmt == "json":
        schema = json.loads((Path(__file__).parents[3] / "docs" / "session-export.schema.json"
                             ).read_text())
        jsonschema.validate(json.loads(plain), schema)
    body = export_text(export_file(db, sid, fmt, tmp_path / f"d.{fmt}", deidentify=True))
    for secret in ("1985-03-12", "Okafor", "reviewed at the bedside"):
        assert secret in plain or fmt in ("csv", "fhir"), (secret, fmt)
        assert secret not in body, f"{secret!r} leaked into the de-identified {fmt}"
