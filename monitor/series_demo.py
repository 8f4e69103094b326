"""A demo patient's series of five sessions, recorded through the recorder into a
database: four finished sessions and a fifth still infusing at ``NOW``. The
tests check every figure of the series view against the numbers written here;
the README screenshots of the series view are taken from it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from monitor.clock import ManualClock
from monitor.protocols import load_protocols
from monitor.recorder import Recorder
from monitor.store import Store

PATIENT = "MRN-0042"
DAY0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
# Opening times: five days of a CRPS course then boosters a few days apart.
OPENED = [DAY0 + timedelta(days=d) for d in (0, 1, 2, 5, 9)]
NOW = OPENED[4] + timedelta(minutes=5 + 12)   # session 5: 12 minutes into its infusion


def _open(store: Store, clock: ManualClock, protocol: str, weight: str,
          patient: str = PATIENT) -> Recorder:
    return Recorder.open_new(store, clock, load_protocols(), {
        "patient_id": patient, "display_name": "Jane Doe", "weight_kg": weight,
        "indication": "CRPS" if protocol == "chronic-pain-iv" else "depression",
        "protocol": protocol, "nurse_id": "RN7"})


def _at(clock: ManualClock, start: datetime, minute: float) -> None:
    clock.set(start + timedelta(minutes=minute))


def _vitals(rec: Recorder, bp: str, hr: int, spo2: int) -> int:
    return rec.record_vitals({"sbp": bp, "hr": str(hr), "spo2": str(spo2), "rr": "14"},
                             "RN7").seq


def build_series(db: Path) -> list[str]:
    """Record the series; returns the five session ids, oldest first."""
    clock = ManualClock(OPENED[0])
    ids = []
    with Store(db) as store:
        # -- 1: chronic pain, 0.35 mg/kg/h × 70 kg = 24.5 mg/h for 40 min ---------
        rec = _open(store, clock, "chronic-pain-iv", "70")
        start = OPENED[0] + timedelta(minutes=5)
        rec.record_vitals({"sbp": "128/82", "hr": "72", "spo2": "98", "rr": "14"}, "RN7")
        rec.record_assessment({"moaas": 5, "pain": 7}, "RN7")
        rec.record_outcome({"pain_before": "7"}, "RN7")
        _at(clock, start, 0)
        rec.start_infusion("RN7", rate="0.35", rate_unit="mg/kg/h")
        _at(clock, start, 10)
        _vitals(rec, "135/85", 76, 97)
        rec.record_assessment({"moaas": 5, "dissociation": 3}, "RN7")
        _at(clock, start, 20)
        _vitals(rec, "142/88", 80, 96)
        rec.record_assessment({"moaas": 4, "dissociation": 5, "cadss6": [1, 1, 1, 0, 0, 0]},
                              "RN7")
        _at(clock, start, 25)
        rec.quick_event("RN7", "antiemetic")
        _at(clock, start, 30)
        _vitals(rec, "138/86", 78, 95)
        rec.record_assessment({"moaas": 5, "dissociation": 2}, "RN7")
        _at(clock, start, 40)
        rec.stop_infusion("RN7")
        _at(clock, start, 50)
        rec.record_outcome({"pain_after": "3"}, "RN7")
        ids.append(rec.session.session_id)

        # -- 2: 0.5 mg/kg/h = 35 mg/h, paused 5 min, stopped at 40: 35 min of dosing -
        clock.set(OPENED[1])
        rec = _open(store, clock, "chronic-pain-iv", "70")
        start = OPENED[1] + timedelta(minutes=5)
        rec.record_vitals({"sbp": "128/82", "hr": "72", "spo2": "98", "rr": "14"}, "RN7")
        rec.record_assessment({"moaas": 5, "pain": 7}, "RN7")
        rec.record_outcome({"relief_hours": "20", "pain_before": "6"}, "RN7")
        _at(clock, start, 0)
        rec.start_infusion("RN7", rate="0.5", rate_unit="mg/kg/h")
        _at(clock, start, 10)
        _vitals(rec, "150/92", 84, 96)
        rec.record_assessment({"moaas": 5}, "RN7")
        _at(clock, start, 15)
        rec.pause_infusion("RN7", "blood pressure")
        _at(clock, start, 16)
        rec.give_medication("RN7", "Ondansetron", "4", "mg", "IV")
        _at(clock, start, 20)
        rec.resume_infusion("RN7")
        _vitals(rec, "185/112", 90, 96)
        _at(clock, start, 22)
        rec.give_medication("RN7", "midazolam", "1", "mg", "IV")
        _at(clock, start, 23)
        rec.quick_event("RN7", "antihypertensive")
        _at(clock, start, 24)
        rec.give_medication("RN7", "Labetalol", "10", "mg", "IV")
        _at(clock, start, 30)
        _vitals(rec, "150/90", 82, 97)
        rec.record_assessment({"moaas": 5, "pain": 2}, "RN7")
        _at(clock, start, 40)
        rec.stop_infusion("RN7")
        ids.append(rec.session.session_id)

        # -- another patient between them: never part of this series ------------
        clock.set(OPENED[1] + timedelta(hours=3))
        other = _open(store, clock, "chronic-pain-iv", "80", patient="MRN-0999")
        other.record_vitals({"sbp": "200/120", "hr": "72", "spo2": "80", "rr": "14"}, "RN7")

        # -- 3: 24.5 mg/h for 60 min; an artifact and an amended reading -----------
        clock.set(OPENED[2])
        rec = _open(store, clock, "chronic-pain-iv", "70")
        start = OPENED[2] + timedelta(minutes=5)
        rec.record_vitals({"sbp": "128/82", "hr": "72", "spo2": "98", "rr": "14"}, "RN7")
        rec.record_assessment({"moaas": 5, "pain": 5}, "RN7")
        rec.record_outcome({"relief_hours": "36"}, "RN7")
        _at(clock, start, 0)
        rec.start_infusion("RN7", rate="0.35", rate_unit="mg/kg/h")
        _at(clock, start, 10)
        artifact = _vitals(rec, "158/99", 76, 97)
        rec.flag_artifact("RN7", artifact, "cuff slipped")
        rec.record_assessment({"moaas": 5}, "RN7")
        _at(clock, start, 20)
        misread = _vitals(rec, "140/88", 78, 94)
        rec.amend("RN7", misread, {"sbp": "145"}, "misread the display")
        rec.record_assessment({"moaas": 5}, "RN7")
        _at(clock, start, 30)
        _vitals(rec, "132/84", 74, 96)
        rec.record_assessment({"moaas": 5}, "RN7")
        _at(clock, start, 40)
        _vitals(rec, "130/84", 74, 96)
        rec.record_assessment({"moaas": 5}, "RN7")
        _at(clock, start, 50)
        _vitals(rec, "130/82", 72, 97)
        rec.record_assessment({"moaas": 5}, "RN7")
        _at(clock, start, 60)
        rec.stop_infusion("RN7")
        rec.record_assessment({"moaas": 5, "pain": 4}, "RN7")
        ids.append(rec.session.session_id)

        # -- 4: depression, 72 kg, 0.5 mg/kg/h = 36 mg/h for 40 min -------------------
        clock.set(OPENED[3])
        rec = _open(store, clock, "depression-iv", "72")
        start = OPENED[3] + timedelta(minutes=5)
        rec.record_vitals({"sbp": "128/82", "hr": "72", "spo2": "98", "rr": "14"}, "RN7")
        rec.record_assessment({"moaas": 5}, "RN7")
        rec.record_outcome({"relief_hours": "48", "phq9": "18", "madrs_before": "30"}, "RN7")
        _at(clock, start, 0)
        rec.start_infusion("RN7", rate="0.5", rate_unit="mg/kg/h")
        _at(clock, start, 10)
        _vitals(rec, "136/84", 74, 97)
        rec.record_assessment({"moaas": 5, "dissociation": 6}, "RN7")
        _at(clock, start, 20)
        _vitals(rec, "138/86", 74, 92)
        rec.record_assessment({"moaas": 5, "dissociation": 4}, "RN7")
        _at(clock, start, 30)
        _vitals(rec, "134/86", 74, 97)
        rec.record_assessment({"moaas": 5}, "RN7")
        _at(clock, start, 40)
        rec.stop_infusion("RN7")
        _at(clock, start, 60)
        rec.record_outcome({"madrs_after": "22"}, "RN7")
        ids.append(rec.session.session_id)

        # -- 5: today, still infusing at NOW (12 min of 36 mg/h) ---------------------
        clock.set(OPENED[4])
        rec = _open(store, clock, "depression-iv", "72")
        start = OPENED[4] + timedelta(minutes=5)
        rec.record_vitals({"sbp": "128/82", "hr": "72", "spo2": "98", "rr": "14"}, "RN7")
        rec.record_assessment({"moaas": 5}, "RN7")
        rec.record_outcome({"relief_hours": "24", "phq9": "12"}, "RN7")
        _at(clock, start, 0)
        rec.start_infusion("RN7", rate="0.5", rate_unit="mg/kg/h")
        _at(clock, start, 10)
        _vitals(rec, "140/90", 76, 97)
        rec.record_assessment({"moaas": 5, "dissociation": 2}, "RN7")
        ids.append(rec.session.session_id)
    return ids
