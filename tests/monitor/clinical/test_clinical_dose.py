"""Dose: precision as typed, rebuild on back-dated entries, and the protocol's dose plan.
Each expected dose is worked by hand in the test."""

from __future__ import annotations

from datetime import timedelta

import pytest

from monitor.app.simulator import CHECKLIST
from monitor.clinical.rules.conditions import evaluate_conditions
from monitor.errors import ConfirmationNeeded, ValidationError
from monitor.model.events import EventKind
from monitor.record.recorder import Recorder
from tests.conftest import OPENING, T0, baseline_vitals


def at(minutes: float):
    return T0 + timedelta(minutes=minutes)


def dose_reasons(rec: Recorder) -> dict[str, str]:
    found = evaluate_conditions(rec.session, rec.protocol, rec.clock.now())[0]
    return {c.message: c.priority for c in found.values() if c.rule == "dose"}


def opened(store, clock, protocols, protocol="chronic-pain-iv", weight="70") -> Recorder:
    rec = Recorder.open_new(store, clock, protocols,
                            {**OPENING, "protocol": protocol, "weight_kg": weight})
    baseline_vitals(rec)
    return rec


# -- precision: stored as typed, refused (never rounded) beyond the field's precision ------

def test_0125_mg_kg_h_for_4_h_at_80_kg_is_40_mg(store, clock, protocols):
    rec = opened(store, clock, protocols, weight="80")
    ev = rec.start_infusion("RN7", rate="0.125", rate_unit="mg/kg/h")
    assert ev.payload["rate"] == 0.125
    clock.advance(4 * 3600)
    # 0.125 mg/kg/h × 80 kg × 4 h = 40.0 mg (rounding to 0.12 gave 38.4)
    assert rec.session.dose_mg(clock.now()) == pytest.approx(40.0)


@pytest.mark.parametrize(("call", "field", "typed"), [
    ("rate", "rate_mg_kg_h", "0.1255"),     # 3 decimals allowed
    ("rate_h", "rate_mg_h", "22.25"),       # 1 decimal
    ("bolus", "bolus_mg", "2.25"),          # 1 decimal
    ("weight", "weight", "80.25"),          # 1 decimal
    ("temp", "temp", "36.85"),              # 1 decimal
])
def test_more_precision_than_the_field_allows_is_refused(store, clock, protocols, call, field,
                                                         typed):
    rec = opened(store, clock, protocols)
    before = len(rec.session.events)
    with pytest.raises(ValidationError) as err:
        if call == "rate":
            rec.start_infusion("RN7", rate=typed, rate_unit="mg/kg/h")
        elif call == "rate_h":
            rec.start_infusion("RN7", rate=typed, rate_unit="mg/h")
        elif call == "bolus":
            rec.start_infusion("RN7", rate="0.35", rate_unit="mg/kg/h")
            before = len(rec.session.events)
            rec.give_bolus("RN7", typed)
        elif call == "weight":
            Recorder.open_new(store, clock, protocols, {**OPENING, "weight_kg": typed})
        else:
            rec.record_vitals({"temp": typed}, "RN7")
    found = err.value.by_field()[field]
    assert found.value == typed and "at most" in found.allowed and "decimal" in found.allowed
    assert len(rec.session.events) == before


@pytest.mark.parametrize(("typed", "stored"), [
    ("0.125", 0.125), ("0,125", 0.125), ("0.35", 0.35), ("0.350", 0.35), ("1", 1)])
def test_precision_within_the_field_is_kept_exactly(recorder, typed, stored):
    baseline_vitals(recorder)
    ev = recorder.start_infusion("RN7", rate=typed, rate_unit="mg/kg/h", confirmed=True)
    assert ev.payload["rate"] == stored


# -- back-dated entries rebuild the session ------------------------------------------------

def test_late_rate_change_during_a_pause_gives_the_right_total(recorder, clock):
    baseline_vitals(recorder)
    recorder.start_infusion("RN7", rate="10", rate_unit="mg/h")       # 0 min
    clock.set(at(20))
    recorder.pause_infusion("RN7", "nausea")                           # 20 min
    clock.set(at(40))
    recorder.resume_infusion("RN7")                                    # 40 min
    clock.set(at(50))
    recorder.change_rate("RN7", "20", "mg/h", observed_at=at(30))      # entered late, at 30
    clock.set(at(80))
    recorder.stop_infusion("RN7")                                      # 80 min
    # 10 mg/h × 20/60 h = 3.333; paused 20–40; 20 mg/h × 40/60 h = 13.333 → 16.667 mg
    # (folding on arrival gave 10×20/60 + 20×10/60 + 10×40/60 = 13.3)
    assert recorder.session.dose_mg(at(90)) == pytest.approx(10 * 20 / 60 + 20 * 40 / 60)
    assert recorder.session.dose_mg(at(90)) == pytest.approx(16.6667, abs=1e-4)


def test_a_rebuild_from_the_log_gives_the_same_total(recorder, clock, store):
    from monitor.model.session import fold
    test_late_rate_change_during_a_pause_gives_the_right_total(recorder, clock)
    sid = recorder.session.session_id
    assert fold(sid, store.events(sid)).dose_mg(at(90)) == pytest.approx(16.6667, abs=1e-4)


def test_stop_back_dated_before_a_rate_change_is_refused(recorder, clock):
    baseline_vitals(recorder)
    recorder.start_infusion("RN7", rate="10", rate_unit="mg/h")
    clock.set(at(30))
    recorder.change_rate("RN7", "20", "mg/h")
    clock.set(at(40))
    with pytest.raises(ValidationError) as err:
        recorder.stop_infusion("RN7", observed_at=at(25))
    assert "not before the last dose entry" in err.value.by_field()["observed_at"].allowed
    assert recorder.session.phase == "infusing"
    recorder.stop_infusion("RN7", observed_at=at(35))
    assert recorder.session.phase == "recovery"
    # 10 × 30/60 + 20 × 5/60 = 5 + 1.667
    assert recorder.session.dose_mg(at(60)) == pytest.approx(5 + 20 * 5 / 60)


@pytest.mark.parametrize(("minutes", "refused"), [(-1, True), (0, False), (5, False)])
def test_infusion_events_before_the_start_are_refused(recorder, clock, minutes, refused):
    baseline_vitals(recorder)
    clock.set(at(10))
    recorder.start_infusion("RN7", rate="10", rate_unit="mg/h")        # started at 10 min
    clock.set(at(30))
    when = at(10 + minutes)
    if refused:
        with pytest.raises(ValidationError) as err:
            recorder.change_rate("RN7", "12", "mg/h", observed_at=when)
        assert "not before dosing started" in err.value.by_field()["observed_at"].allowed
    else:
        recorder.change_rate("RN7", "12", "mg/h", observed_at=when)


def test_resume_back_dated_before_its_pause_is_refused_and_bolus_after_stop_is_kept(
        recorder, clock):
    baseline_vitals(recorder)
    recorder.start_infusion("RN7", rate="10", rate_unit="mg/h")
    clock.set(at(30))
    recorder.pause_infusion("RN7", "check line")
    clock.set(at(40))
    with pytest.raises(ValidationError) as err:
        recorder.resume_infusion("RN7", observed_at=at(29))
    assert "not before the last dose entry" in err.value.by_field()["observed_at"].allowed
    recorder.stop_infusion("RN7", observed_at=at(35))
    clock.set(at(50))
    recorder.give_bolus("RN7", "5")  # a rescue bolus in recovery is a dose, not an infusion
    # 10 mg/h × 30/60 h = 5 mg; paused 30–35; bolus 5 mg
    assert recorder.session.dose_mg(at(60)) == pytest.approx(10.0)
    with pytest.raises(ValidationError):
        recorder.give_bolus("RN7", "5", observed_at=at(-1))  # before dosing started


def test_back_dated_start_re_derives_the_baseline(recorder, clock):
    recorder.record_vitals({"sbp": "128/82"}, "RN7")                    # 0 min
    recorder.record_assessment({"moaas": 5}, "RN7")
    recorder.record_checklist("RN7", CHECKLIST)
    clock.set(at(10))
    recorder.record_vitals({"sbp": "150/90"}, "RN7")                    # 10 min, after dosing
    clock.set(at(12))
    recorder.start_infusion("RN7", rate="0.35", rate_unit="mg/kg/h", observed_at=at(5))
    assert recorder.session.baseline()["sbp"] == 128                  # the reading before 5 min
    assert recorder.session.infusion_started_at == at(5)


# -- the protocol's dose plan --------------------------------------------------------------

@pytest.mark.parametrize(("rate", "unit", "expected"), [
    ("0.5", "mg/kg/h", None),                  # the chronic-pain plan's maximum
    ("0.51", "mg/kg/h", "medium"),             # above it
    ("0.99", "mg/kg/h", "medium"),
    ("1", "mg/kg/h", "high"),                  # anaesthetic range for a low-dose protocol
    ("3", "mg/kg/h", "high"),                  # accepted silently before
    ("35", "mg/h", None),                      # 35 mg/h ÷ 70 kg = 0.5 mg/kg/h
    ("36", "mg/h", "medium"),                  # 0.514 mg/kg/h
    ("70", "mg/h", "high"),                    # 1.0 mg/kg/h
])
def test_rate_against_the_plan_asks_for_confirmation(recorder, rate, unit, expected):
    baseline_vitals(recorder)
    if expected is None:
        recorder.start_infusion("RN7", rate=rate, rate_unit=unit)
        return
    with pytest.raises(ConfirmationNeeded) as asked:
        recorder.start_infusion("RN7", rate=rate, rate_unit=unit)
    (warning,) = asked.value.warnings
    assert ("HIGH" in warning) is (expected == "high")
    assert "0.35 mg/kg/h over 4 h" in warning  # the plan is named
    assert recorder.session.phase == "baseline"  # nothing stored yet
    ev = asked.value.retry()                     # the nurse confirms
    assert ev.kind is EventKind.INFUSION_STARTED and ev.payload["confirmed"] == [warning]
    assert set(dose_reasons(recorder).values()) == {expected}  # and it stays visible


@pytest.mark.parametrize(("minutes", "expected"), [
    # 0.75 mg/kg/h × 70 kg = 52.5 mg/h; plan 0.5 mg/kg (35 mg) over 40 min
    (40, {}),                                                     # 35.0 mg: on plan
    (41, {"Dose 0.51 mg/kg (35.9 mg) is past the plan's 0.5 mg/kg": "medium",
          "Infusion running 41 min, past the plan's 40 min": "medium"}),
    (79, {"Dose 0.99 mg/kg (69.1 mg) is past the plan's 0.5 mg/kg": "medium",
          "Infusion running 79 min, past the plan's 40 min": "medium"}),
    (80, {"Dose 1.00 mg/kg (70.0 mg) is at least twice the plan's 0.5 mg/kg": "high",
          "Infusion running 80 min, past the plan's 40 min": "medium"}),
])
def test_depression_protocol_running_past_its_plan(store, clock, protocols, minutes, expected):
    rec = opened(store, clock, protocols, "depression-iv")
    rec.start_infusion("RN7", rate="0.75", rate_unit="mg/kg/h")
    clock.advance(minutes * 60)
    assert dose_reasons(rec) == expected


@pytest.mark.parametrize(("dose", "expected"), [
    ("56", None), ("84", None), ("85", "medium"), ("167", "medium"), ("168", "high"),
    ("200", "high"),
])
def test_esketamine_dose_against_the_label(store, clock, protocols, dose, expected):
    rec = opened(store, clock, protocols, "esketamine-nasal")
    if expected is None:
        rec.start_infusion("RN7", dose_mg=dose, lot="L1")
        return
    with pytest.raises(ConfirmationNeeded) as asked:
        rec.start_infusion("RN7", dose_mg=dose, lot="L1")
    assert ("HIGH" in asked.value.warnings[0]) is (expected == "high")
    assert "84 mg" in asked.value.warnings[0]
    assert rec.session.infusion_started_at is None


def test_bolus_that_takes_the_total_past_the_plan_asks(recorder, clock):
    baseline_vitals(recorder)
    recorder.start_infusion("RN7", rate="0.35", rate_unit="mg/kg/h")
    clock.advance(4 * 3600 - 120)
    # 0.35 × 70 × (238/60) = 97.18 mg; plan 1.4 mg/kg × 70 = 98 mg
    recorder.give_bolus("RN7", "0.8")            # 97.98 mg: still on plan
    with pytest.raises(ConfirmationNeeded) as asked:
        recorder.give_bolus("RN7", "0.5")        # 98.48 mg: past it
    assert "past the plan's 1.4 mg/kg" in asked.value.warnings[0]
