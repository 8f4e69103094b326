"""Acknowledgement holds only for the priority it was given at (CLINICAL §5, issue 22 #1).

Figures worked by hand (chronic-pain-iv limits): SBP medium ≥ 160, high ≥ 180; DBP
medium ≥ 100, high ≥ 110; SpO2 medium ≤ 93, high ≤ 91; device values persist 10 s."""

from __future__ import annotations

import pytest

from monitor.clinical.rules.alarms import sounding
from monitor.model.events import EventKind


def row(rec, key):
    return rec.session.alarms[rec.session.active_alarm_by_key[key]]


def device_for(rec, clock, value, seconds):
    """One SpO2 sample a second for ``seconds`` seconds (the first one now)."""
    for i in range(seconds):
        if i:
            clock.advance(1)
        rec.record_vitals({"spo2": str(value)}, "RN7", source="device")


@pytest.mark.hazard("H-001")
@pytest.mark.parametrize(("worse", "priority", "acknowledged", "sounds"), [
    ("179/99", "medium", True, None),    # 179 < 180 and 99 < 110: still the medium seen
    ("180/99", "high", False, "high"),   # SBP 180 ≥ 180: past the medium acknowledged
    ("170/110", "high", False, "high"),  # DBP 110 ≥ 110
    ("205/125", "high", False, "high"),  # the audit's case
])
def test_bp_worsening_past_the_acknowledged_medium_is_a_new_alarm(
        infusing, clock, worse, priority, acknowledged, sounds):
    rec = infusing
    rec.record_vitals({"sbp": "165/95"}, "RN7")     # SBP 165 ≥ 160: medium
    alarm = row(rec, "bp")
    assert alarm.priority == "medium"
    rec.acknowledge("RN7", alarm.alarm_id, "re-measured")
    assert sounding(rec.session, clock.now()) is None
    clock.advance(60)
    rec.record_vitals({"sbp": worse}, "RN7")
    assert (alarm.priority, alarm.acknowledged) == (priority, acknowledged)
    assert sounding(rec.session, clock.now()) == sounds
    clock.advance(60)
    rec.record_vitals({"sbp": "150/90"}, "RN7")     # the condition clears
    assert alarm.active is (priority == "high"), "a high nobody acknowledged latches"
    if priority == "high":
        escalated = [e for e in rec.store.events(rec.session.session_id)
                     if e.kind is EventKind.ALARM_ESCALATED]
        assert escalated[-1].payload["reason"] == (
            "worsened past the medium it was acknowledged at: announced again")


@pytest.mark.hazard("H-001")
@pytest.mark.parametrize(("worse", "latched"), [(92, False), (91, True), (85, True)])
def test_spo2_high_that_clears_before_anyone_saw_it_still_latches(
        infusing, clock, worse, latched):
    rec = infusing
    device_for(rec, clock, 93, 11)                  # 93 ≤ 93 for 10 s: medium
    alarm = row(rec, "spo2")
    assert alarm.priority == "medium"
    rec.acknowledge("RN7", alarm.alarm_id, "patient reassured")
    clock.advance(1)
    device_for(rec, clock, worse, 30)               # 30 s at the worse value
    assert alarm.priority == ("high" if latched else "medium")
    assert sounding(rec.session, clock.now()) == ("high" if latched else None)
    clock.advance(1)
    device_for(rec, clock, 97, 15)                  # back to 97 (> 93)
    assert alarm.active is latched
    if latched:
        assert not alarm.acknowledged and sounding(rec.session, clock.now()) == "high"


@pytest.mark.hazard("H-001")
def test_escalation_ends_an_audio_pause_taken_at_medium(infusing, clock):
    rec = infusing
    rec.record_vitals({"sbp": "165/95"}, "RN7")
    alarm = row(rec, "bp")
    rec.acknowledge("RN7", alarm.alarm_id, "re-measured")
    rec.pause_audio("RN7")
    clock.advance(30)                               # inside the 2-min pause
    rec.record_vitals({"sbp": "205/125"}, "RN7")
    assert rec.session.audio_pause is None
    assert sounding(rec.session, clock.now()) == "high"
