"""A reading recorded late at its real time, before the infusion started, is a new
baseline (CLINICAL §7: the baseline is the last reading before the start; back-dated
entries rebuild it). The live session must equal a fresh fold of its log, and the
rules that read the baseline (BP vs baseline, the discharge band, Aldrete circulation)
must use it. Figures by hand: pre-dose 150/90 at 0 min, start at 5 min; the late set
118/70 is entered at 7 min."""

from __future__ import annotations

from datetime import timedelta

import pytest

from monitor.app.simulator import CHECKLIST
from monitor.clinical.discharge import aldrete, automatic_checks
from monitor.clinical.rules.conditions import evaluate_conditions
from monitor.model.session import fold
from monitor.record.change import Change
from monitor.record.recorder import Recorder
from tests.conftest import T0


def at(minutes: float):
    return T0 + timedelta(minutes=minutes)


def dosed(rec: Recorder, clock) -> Recorder:
    rec.record_vitals({"sbp": "150/90", "hr": "72", "spo2": "98", "rr": "14", "temp": "36.8"},
                      "RN7")
    rec.record_assessment({"moaas": 5, "acvpu": "A"}, "RN7")
    rec.record_checklist("RN7", CHECKLIST)
    clock.set(at(5))
    rec.start_infusion("RN7", rate="0.35", rate_unit="mg/kg/h")
    return rec


@pytest.mark.hazard("H-020")
@pytest.mark.parametrize(("observed_min", "kind", "values", "expected"), [
    (4, "vitals", {"sbp": "118/70"}, {"sbp": 118, "dbp": 70}),     # before the start: the baseline
    (4.99, "vitals", {"sbp": "118/70"}, {"sbp": 118, "dbp": 70}),
    (5, "vitals", {"sbp": "118/70"}, {"sbp": 150, "dbp": 90}),     # at the start, entered after it
    (6, "vitals", {"sbp": "118/70"}, {"sbp": 150, "dbp": 90}),     # after the start: not baseline
    (4, "assessment", {"moaas": 4}, {"moaas": 4}),                 # a sedation score too
    (6, "assessment", {"moaas": 4}, {"moaas": 5}),
])
def test_a_late_reading_before_the_start_is_the_baseline_live_and_folded(
        recorder, clock, store, observed_min, kind, values, expected):
    rec = dosed(recorder, clock)
    assert rec.session.baseline()["sbp"] == 150          # read (and kept) before the late entry
    changes: list[Change] = []
    rec.subscribe(changes.append)
    clock.set(at(7))
    if kind == "vitals":
        rec.record_vitals(values, "RN7", observed_at=at(observed_min))
    else:
        rec.record_assessment(values, "RN7", observed_at=at(observed_min))
    live = rec.session.baseline()
    folded = fold(rec.session.session_id, store.events(rec.session.session_id)).baseline()
    assert {k: live[k] for k in expected} == expected
    assert live == folded
    # a new baseline redraws the views (limit lines at baseline + 40 move)
    assert changes[-1].rebuilt is (observed_min < 5)


@pytest.mark.hazard("H-020")
@pytest.mark.parametrize(("late_sbp", "bp_vs_baseline", "band_ok", "circulation"), [
    (None, False, True, 2),          # baseline 150: 160 is +10, within 20 %
    ("118/70", True, False, 1),      # baseline 118: 160 is +42 (≥ +40) and 36 % off
    ("125/80", False, False, 1),     # baseline 125: +35, but 28 % off the band
])
def test_alarms_and_discharge_read_the_rebuilt_baseline(recorder, clock, late_sbp,
                                                        bp_vs_baseline, band_ok, circulation):
    rec = dosed(recorder, clock)
    clock.set(at(7))
    if late_sbp:
        rec.record_vitals({"sbp": late_sbp}, "RN7", observed_at=at(4))
    clock.set(at(20))
    rec.record_vitals({"sbp": "160/85"}, "RN7")
    reasons, _ = evaluate_conditions(rec.session, rec.protocol, clock.now())
    assert ("relative:sbp" in reasons) is bp_vs_baseline
    checks = {c.key: c for c in automatic_checks(rec.session, rec.protocol, clock.now())}
    assert checks["bp_in_band"].ok is band_ok
    assert aldrete(rec.session, rec.protocol)["circulation"] == circulation


@pytest.mark.hazard("H-020")
def test_a_reopened_recorder_agrees_with_the_live_one(recorder, clock, store, protocols):
    rec = dosed(recorder, clock)
    clock.set(at(7))
    rec.record_vitals({"sbp": "118/70"}, "RN7", observed_at=at(4))
    again = Recorder(store, rec.session.session_id, clock, protocols)
    assert again.session.baseline() == rec.session.baseline()
    assert again.session.baseline()["sbp"] == 118
