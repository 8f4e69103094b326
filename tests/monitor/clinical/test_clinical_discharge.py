"""Discharge criteria (docs/alarms-and-protocols.md): both sides of every boundary."""

from __future__ import annotations

from datetime import timedelta

import pytest

from monitor.clinical.discharge import automatic_checks
from monitor.errors import ValidationError
from monitor.record.recorder import Recorder
from tests.conftest import OPENING, PRESCRIBED, baseline_vitals, discharge_confirmed

GOOD_VITALS = {"sbp": "128/82", "hr": "72", "spo2": "98", "rr": "14", "temp": "36.8"}


def checks(rec: Recorder, **nurse_items: int) -> dict[str, object]:
    return {c.key: c for c in automatic_checks(rec.session, rec.protocol, rec.clock.now(),
                                               nurse_items or None)}


def open_protocol(store, clock, protocols, protocol: str) -> Recorder:
    rec = Recorder.open_new(store, clock, protocols, {**OPENING, "protocol": protocol})
    baseline_vitals(rec)
    return rec


@pytest.mark.parametrize(("after_stop_s", "met"), [
    (0, False), (60 * 60 - 1, False), (60 * 60, True),
])
def test_iv_minimum_observation_counts_from_the_end_of_a_4_h_infusion(recorder, clock,
                                                                      after_stop_s, met):
    baseline_vitals(recorder)
    recorder.start_infusion("RN7", rate="0.35", rate_unit="mg/kg/h")
    clock.advance(4 * 3600)
    mo = checks(recorder)["min_observation_met"]
    assert not mo.ok and "end of the infusion" in mo.detail  # 4 h since the start: not met
    recorder.stop_infusion("RN7")
    clock.advance(after_stop_s)
    assert checks(recorder)["min_observation_met"].ok is met


@pytest.mark.parametrize(("after_end_min", "met"), [(20, False), (59, False), (60, True)])
def test_depression_protocol_is_not_dischargeable_20_min_after_the_end(store, clock, protocols,
                                                                     after_end_min, met):
    rec = open_protocol(store, clock, protocols, "depression-iv")
    rec.start_infusion("RN7", rate="0.75", rate_unit="mg/kg/h")
    clock.advance(40 * 60)
    rec.stop_infusion("RN7")
    clock.advance(after_end_min * 60)
    # 60 min from the end, not from the start (the start was 40 + 20 = 60 min ago)
    assert checks(rec)["min_observation_met"].ok is met


@pytest.mark.parametrize(("after_dose_s", "met"), [(120 * 60 - 1, False), (120 * 60, True)])
def test_esketamine_minimum_observation_is_120_min_from_the_dose(store, clock, protocols,
                                                                 after_dose_s, met):
    rec = open_protocol(store, clock, protocols, "esketamine-nasal")
    rec.start_infusion("RN7", dose_mg="56", lot="L1")
    clock.advance(after_dose_s)
    assert checks(rec)["min_observation_met"].ok is met


@pytest.mark.parametrize(("post_dose_moaas", "ok", "detail"), [
    (None, False, "no MOAA/S score recorded after dosing"),  # baseline vs itself: not enough
    (4, False, "4 vs baseline 5"),
    (5, True, "yes"),
])
def test_sedation_needs_a_score_recorded_after_dosing(recorder, clock, post_dose_moaas, ok,
                                                      detail):
    baseline_vitals(recorder)
    recorder.start_infusion("RN7", rate="0.35", rate_unit="mg/kg/h")
    clock.advance(60)
    if post_dose_moaas is not None:
        recorder.record_assessment({"moaas": post_dose_moaas}, "RN7")
    check = checks(recorder)["sedation_at_baseline"]
    assert (check.ok, check.detail) == (ok, detail)


@pytest.mark.parametrize(("baseline", "after", "ok"), [
    ({}, {}, False),                                          # nothing rated after dosing
    ({}, {"cadss6": [1, 0, 0, 0, 0, 0], "dissociation": 1}, True),   # ≤ 1
    ({}, {"cadss6": [1, 1, 0, 0, 0, 0], "dissociation": 0}, False),  # CADSS-6 2 > 1
    ({}, {"cadss6": [0] * 6, "dissociation": 2}, False),             # rating 2 > 1
    ({"cadss6": [1, 1, 1, 0, 0, 0], "dissociation": 3},
     {"cadss6": [1, 1, 1, 0, 0, 0], "dissociation": 3}, True),      # back to pre-dose level
    ({"cadss6": [1, 1, 1, 0, 0, 0], "dissociation": 3},
     {"cadss6": [1, 1, 1, 1, 0, 0], "dissociation": 3}, False),     # 4 > pre-dose 3
])
def test_dissociation_resolved(recorder, clock, baseline, after, ok):
    baseline_vitals(recorder)
    if baseline:
        recorder.record_assessment(baseline, "RN7")
    recorder.start_infusion("RN7", rate="0.35", rate_unit="mg/kg/h")
    clock.advance(60)
    if after:
        recorder.record_assessment(after, "RN7")
    assert checks(recorder)["dissociation_resolved"].ok is ok


@pytest.mark.parametrize(("bp", "ok"), [
    # baseline 128/82; ±20 %: SBP 102.4–153.6, DBP 65.6–98.4
    ("153/82", True), ("154/82", False), ("103/82", True), ("102/82", False),
    ("128/98", True), ("128/99", False), ("128/66", True), ("128/65", False),
])
def test_bp_within_20_percent_of_baseline(recorder, clock, bp, ok):
    baseline_vitals(recorder)
    recorder.start_infusion("RN7", rate="0.35", rate_unit="mg/kg/h")
    clock.advance(60)
    recorder.record_vitals({"sbp": bp}, "RN7")
    assert checks(recorder)["bp_in_band"].ok is ok


@pytest.mark.parametrize(("fields", "ok"), [
    ({"spo2": "94", "rr": "12"}, True), ({"spo2": "93", "rr": "12"}, False),  # SpO2 ≤ 93
    ({"spo2": "98", "rr": "11"}, False), ({"spo2": "98", "rr": "20"}, True),
    ({"spo2": "98", "rr": "21"}, False),
    ({"rr": "14"}, False),                                                    # no SpO2 after dosing
])
def test_spo2_and_rr_in_band(recorder, clock, fields, ok):
    baseline_vitals(recorder)
    recorder.start_infusion("RN7", rate="0.35", rate_unit="mg/kg/h")
    clock.advance(60)
    recorder.record_vitals(fields, "RN7")
    assert checks(recorder)["spo2_rr_in_band"].ok is ok


def test_modified_aldrete_is_shown_as_a_score(recorder, clock):
    baseline_vitals(recorder)
    recorder.start_infusion("RN7", rate="0.35", rate_unit="mg/kg/h")
    clock.advance(60)
    assert checks(recorder)["aldrete"].detail == "rate activity, respiration"
    # circulation 2 (SBP 128 = baseline), consciousness 2 (MOAA/S 5 → A), SpO2 98 on air 2
    full = checks(recorder, aldrete_activity=2, aldrete_respiration=2)["aldrete"]
    assert full.ok and full.detail.startswith("10/10")
    # activity 1, the rest 2: 1 + 2 + 2 + 2 + 2 = 9, the discharge threshold
    nine = checks(recorder, aldrete_activity=1, aldrete_respiration=2)["aldrete"]
    assert nine.ok and nine.detail.startswith("9/10")
    # SpO2 92 on oxygen → 1; activity 1: 2 + 1 + 2 + 2 + 1 = 8 < 9
    recorder.record_vitals({"spo2": "92", "o2": "oxygen"}, "RN7")
    low = checks(recorder, aldrete_activity=1, aldrete_respiration=2)["aldrete"]
    assert not low.ok and low.detail.startswith("8/10")


def test_any_unmet_item_needs_a_prescriber_or_left_against_advice(recorder, clock):
    baseline_vitals(recorder)
    recorder.start_infusion("RN7", rate="0.35", rate_unit="mg/kg/h")
    clock.advance(40 * 60)
    recorder.stop_infusion("RN7")
    clock.advance(20 * 60)  # 20 min after the end: minimum observation not met
    base = {"escort_present": True, "no_driving_advice": True,
            "ready_to_leave_at": clock.now(), "aldrete_activity": 2, "aldrete_respiration": 2}
    # A reason alone is free text: it waives nothing (CLINICAL §7).
    with pytest.raises(ValidationError) as err:
        recorder.discharge("RN7", {**base, "override_reason": "consultant reviewed"})
    why = err.value.by_field()["override"].allowed
    for needed in ("Minimum observation time met", "Sedation back to baseline",
                   "Dissociation resolved", "SpO2 and RR in band", "prescriber",
                   "left against advice"):
        assert needed in why
    with pytest.raises(ValidationError) as err:
        recorder.discharge("RN7", {**base, **PRESCRIBED, "aldrete_activity": 3})
    assert "0, 1 or 2" in str(err.value.by_field()["aldrete_activity"])
    ev = discharge_confirmed(recorder, {**base, **PRESCRIBED})
    assert ev.payload["checks"]["min_observation_met"]["ok"] is False
    assert ev.payload["aldrete"]["aldrete_activity"] == 2
    assert ev.payload["override"] == "prescriber"
    assert ev.payload["prescriber"] == "Dr Okafor"


def test_all_met_needs_no_reason(recorder, clock):
    baseline_vitals(recorder)
    recorder.start_infusion("RN7", rate="0.35", rate_unit="mg/kg/h")
    clock.advance(40 * 60)
    recorder.stop_infusion("RN7")
    clock.advance(60 * 60)
    recorder.record_vitals(GOOD_VITALS, "RN7")
    recorder.record_assessment({"moaas": 5, "cadss6": [0] * 6, "dissociation": 0}, "RN7")
    for alarm in recorder.session.active_alarms():
        recorder.acknowledge("RN7", alarm.alarm_id, "re-measured")
    ev = recorder.discharge("RN7", {"escort_present": True, "no_driving_advice": True,
                                    "ready_to_leave_at": clock.now() - timedelta(minutes=1),
                                    "aldrete_activity": 2, "aldrete_respiration": 2})
    assert all(c["ok"] for c in ev.payload["checks"].values()), ev.payload["checks"]
    assert ev.payload["override_reason"] is None
