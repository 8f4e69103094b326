"""A demo patient's course of five sessions, recorded through the recorder into a
database: four finished sessions and a fifth still infusing at ``NOW``. The
tests check every figure of the course view against the numbers written here;
the README screenshots of the course view are taken from it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from monitor.app.simulator import CHECKLIST
from monitor.clinical.protocols import load_protocols
from monitor.clock import ManualClock
from monitor.log.eventlog import EventLog
from monitor.record.recorder import Recorder

PATIENT = "MRN-0042"
DAY0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
# Opening times: five days of a CRPS course then boosters a few days apart.
OPENED = [DAY0 + timedelta(days=d) for d in (0, 1, 2, 5, 9)]
NOW = OPENED[4] + timedelta(minutes=5 + 12)   # session 5: 12 minutes into its infusion


def _open(store: EventLog, clock: ManualClock, protocol: str, weight: str,
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


def _begin(store: EventLog, clock: ManualClock, opened: datetime, protocol: str, weight: str,
           assessment: dict[str, object], outcome: dict[str, str], rate: str
           ) -> tuple[Recorder, datetime]:
    """Open, record the baseline (BP 128/82, HR 72, SpO2 98) and the outcome measures,
    and start the infusion 5 minutes after opening; returns the recorder and the start."""
    clock.set(opened)
    rec = _open(store, clock, protocol, weight)
    rec.record_vitals({"sbp": "128/82", "hr": "72", "spo2": "98", "rr": "14"}, "RN7")
    rec.record_assessment(assessment, "RN7")
    rec.record_outcome(outcome, "RN7")
    rec.record_checklist("RN7", CHECKLIST)
    start = opened + timedelta(minutes=5)
    _at(clock, start, 0)
    rec.start_infusion("RN7", rate=rate, rate_unit="mg/kg/h")
    return rec, start


def _observe(rec: Recorder, clock: ManualClock, start: datetime, minute: float, bp: str,
             hr: int, spo2: int, assessment: dict[str, object] | None = None) -> int:
    """Vitals (and an assessment) at a minute after the infusion start; the vitals' seq."""
    _at(clock, start, minute)
    seq = _vitals(rec, bp, hr, spo2)
    if assessment is not None:
        rec.record_assessment(assessment, "RN7")
    return seq


def build_course(store: EventLog) -> list[str]:
    """Record the course; returns the five session ids, oldest first."""
    ids = []
    clock = ManualClock(OPENED[0])
    # -- 1: chronic pain, 0.35 mg/kg/h × 70 kg = 24.5 mg/h for 40 min ---------
    rec, start = _begin(store, clock, OPENED[0], "chronic-pain-iv", "70",
                        {"moaas": 5, "pain": 7}, {"pain_before": "7"}, "0.35")
    _observe(rec, clock, start, 10, "135/85", 76, 97, {"moaas": 5, "dissociation": 3})
    _observe(rec, clock, start, 20, "142/88", 80, 96,
             {"moaas": 4, "dissociation": 5, "cadss6": [1, 1, 1, 0, 0, 0]})
    _at(clock, start, 25)
    rec.quick_event("RN7", "antiemetic")
    _observe(rec, clock, start, 30, "138/86", 78, 95, {"moaas": 5, "dissociation": 2})
    _at(clock, start, 40)
    rec.stop_infusion("RN7")
    _at(clock, start, 50)
    rec.record_outcome({"pain_after": "3"}, "RN7")
    ids.append(rec.session.session_id)

    # -- 2: 0.5 mg/kg/h = 35 mg/h, paused 5 min, stopped at 40: 35 min of dosing -
    rec, start = _begin(store, clock, OPENED[1], "chronic-pain-iv", "70",
                        {"moaas": 5, "pain": 7},
                        {"relief_hours": "20", "pain_before": "6"}, "0.5")
    _observe(rec, clock, start, 10, "150/92", 84, 96, {"moaas": 5})
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
    _observe(rec, clock, start, 30, "150/90", 82, 97, {"moaas": 5, "pain": 2})
    _at(clock, start, 40)
    rec.stop_infusion("RN7")
    ids.append(rec.session.session_id)

    # -- another patient between them: never part of this course ------------
    clock.set(OPENED[1] + timedelta(hours=3))
    other = _open(store, clock, "chronic-pain-iv", "80", patient="MRN-0999")
    other.record_vitals({"sbp": "200/120", "hr": "72", "spo2": "80", "rr": "14"}, "RN7")

    # -- 3: 24.5 mg/h for 60 min; an artifact and an amended reading -----------
    rec, start = _begin(store, clock, OPENED[2], "chronic-pain-iv", "70",
                        {"moaas": 5, "pain": 5}, {"relief_hours": "36"}, "0.35")
    artifact = _observe(rec, clock, start, 10, "158/99", 76, 97)
    rec.flag_artifact("RN7", artifact, "cuff slipped")
    rec.record_assessment({"moaas": 5}, "RN7")
    misread = _observe(rec, clock, start, 20, "140/88", 78, 94)
    rec.amend("RN7", misread, {"sbp": "145"}, "misread the display")
    rec.record_assessment({"moaas": 5}, "RN7")
    for minute, bp, hr, spo2 in ((30, "132/84", 74, 96), (40, "130/84", 74, 96),
                                 (50, "130/82", 72, 97)):
        _observe(rec, clock, start, minute, bp, hr, spo2, {"moaas": 5})
    _at(clock, start, 60)
    rec.stop_infusion("RN7")
    rec.record_assessment({"moaas": 5, "pain": 4}, "RN7")
    ids.append(rec.session.session_id)

    # -- 4: depression, 72 kg, 0.5 mg/kg/h = 36 mg/h for 40 min -------------------
    rec, start = _begin(store, clock, OPENED[3], "depression-iv", "72", {"moaas": 5},
                        {"relief_hours": "48", "phq9": "18", "madrs_before": "30"}, "0.5")
    _observe(rec, clock, start, 10, "136/84", 74, 97, {"moaas": 5, "dissociation": 6})
    _observe(rec, clock, start, 20, "138/86", 74, 92, {"moaas": 5, "dissociation": 4})
    _observe(rec, clock, start, 30, "134/86", 74, 97, {"moaas": 5})
    _at(clock, start, 40)
    rec.stop_infusion("RN7")
    _at(clock, start, 60)
    rec.record_outcome({"madrs_after": "22"}, "RN7")
    ids.append(rec.session.session_id)

    # -- 5: today, still infusing at NOW (12 min of 36 mg/h) ---------------------
    rec, start = _begin(store, clock, OPENED[4], "depression-iv", "72", {"moaas": 5},
                        {"relief_hours": "24", "phq9": "12"}, "0.5")
    _observe(rec, clock, start, 10, "140/90", 76, 97, {"moaas": 5, "dissociation": 2})
    ids.append(rec.session.session_id)
    return ids
