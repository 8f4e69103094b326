"""Dose so far against hand-computed cases."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.conftest import T0, baseline_vitals


def at(minutes: float):
    return T0 + timedelta(minutes=minutes)


@pytest.mark.hazard("H-203")
def test_constant_rate_mg_per_kg_per_h(recorder, clock):
    baseline_vitals(recorder)
    recorder.start_infusion("RN7", rate="0.35", rate_unit="mg/kg/h")
    clock.advance(4 * 3600)
    # 0.35 mg/kg/h × 70 kg × 4 h = 98 mg = 1.4 mg/kg
    assert recorder.session.dose_mg(clock.now()) == pytest.approx(98.0)
    assert recorder.session.dose_mg_per_kg(clock.now()) == pytest.approx(1.4)


@pytest.mark.hazard("H-203")
def test_rate_change_pause_resume_bolus_stop(recorder, clock):
    baseline_vitals(recorder)
    recorder.start_infusion("RN7", rate="20", rate_unit="mg/h")          # t = 0
    clock.advance(30 * 60)
    recorder.change_rate("RN7", "0.5", "mg/kg/h")                      # 35 mg/h at 30 min
    clock.advance(15 * 60)
    recorder.pause_infusion("RN7", "nausea")                           # 45 min
    clock.advance(10 * 60)
    recorder.give_bolus("RN7", "5")                                    # 55 min, paused
    recorder.resume_infusion("RN7")                                    # 55 min → 35 mg/h
    clock.advance(20 * 60)
    recorder.stop_infusion("RN7")                                      # 75 min
    clock.advance(60 * 60)
    # 20 mg/h × 0.5 h = 10; 35 × 0.25 = 8.75; pause 0; bolus 5; 35 × 20/60 = 11.6667
    expected = 10 + 8.75 + 5 + 35 * 20 / 60
    s = recorder.session
    assert s.dose_mg(clock.now()) == pytest.approx(expected)
    assert s.dose_mg(at(45)) == pytest.approx(18.75)
    assert s.dose_mg(at(50)) == pytest.approx(18.75)          # paused
    assert s.dose_mg(at(55)) == pytest.approx(23.75)          # bolus counted at its instant
    assert s.rate_mg_per_h(at(60)) == pytest.approx(35.0)
    assert s.phase == "recovery"


def test_rate_change_while_paused_applies_on_resume(recorder, clock):
    baseline_vitals(recorder)
    recorder.start_infusion("RN7", rate="10", rate_unit="mg/h")
    clock.advance(600)
    recorder.pause_infusion("RN7", "hypertension")
    clock.advance(600)
    recorder.change_rate("RN7", "20", "mg/h")
    clock.advance(600)
    assert recorder.session.dose_mg(clock.now()) == pytest.approx(10 * 600 / 3600)
    recorder.resume_infusion("RN7")
    clock.advance(1800)
    assert recorder.session.dose_mg(clock.now()) == pytest.approx(10 / 6 + 20 * 0.5)


def test_amending_the_rate_recomputes_the_dose(recorder, clock):
    baseline_vitals(recorder)
    start = recorder.start_infusion("RN7", rate="0.5", rate_unit="mg/kg/h")
    clock.advance(3600)
    recorder.amend("RN7", start.seq, {"rate": "0.35"}, "typed 0.5 for 0.35")
    assert recorder.session.dose_mg(clock.now()) == pytest.approx(24.5)


def test_struck_bolus_is_not_counted(recorder, clock):
    baseline_vitals(recorder)
    recorder.start_infusion("RN7", rate="10", rate_unit="mg/h")
    bolus = recorder.give_bolus("RN7", "10")
    clock.advance(3600)
    recorder.strike("RN7", bolus.seq, "entered on the wrong patient")
    assert recorder.session.dose_mg(clock.now()) == pytest.approx(10.0)


@pytest.mark.hazard("H-203")
def test_back_dated_rate_change_is_placed_in_time(recorder, clock):
    baseline_vitals(recorder)
    recorder.start_infusion("RN7", rate="10", rate_unit="mg/h")
    clock.advance(3600)
    recorder.change_rate("RN7", "20", "mg/h", observed_at=at(30))
    assert recorder.session.dose_mg(at(60)) == pytest.approx(5 + 10)


def test_single_dose_protocol(store, clock, protocols):
    from monitor.record.recorder import Recorder
    from tests.conftest import OPENING
    rec = Recorder.open_new(store, clock, protocols, {**OPENING, "protocol": "esketamine-nasal"})
    baseline_vitals(rec)
    rec.start_infusion("RN7", dose_mg="56", lot="L123")
    assert rec.session.phase == "recovery"
    assert rec.session.dose_mg(clock.now()) == pytest.approx(56)
