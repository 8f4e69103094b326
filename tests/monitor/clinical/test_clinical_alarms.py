"""Alarms a nurse can trust (docs/alarms-and-protocols.md): new rules, one alarm per parameter,
the combined rule, overdue observations and device data. Both sides of every boundary."""

from __future__ import annotations

from datetime import timedelta

import pytest

from monitor.clinical.rules.conditions import evaluate_conditions
from monitor.record.recorder import Recorder
from tests.conftest import OPENING, T0, baseline_vitals, started


def reasons(rec: Recorder):
    return evaluate_conditions(rec.session, rec.protocol, rec.clock.now())[0]



def device(rec: Recorder, clock, values: list[int], param: str = "spo2") -> None:
    """One device sample per second, the first at the current time."""
    for i, v in enumerate(values):
        if i:
            clock.advance(1)
        rec.record_vitals({param: str(v)}, "RN7", source="device")


# -- missing rules ---------------------------------------------------------------------------

@pytest.mark.parametrize(("drop_to", "fires"), [(94, False), (93, True)])
def test_spo2_falling_4_points_in_5_min_device_data(recorder, clock, drop_to, fires):
    started(recorder)  # a manual baseline SpO2 of 98: not part of the device trend
    recorder.record_vitals({"spo2": "97"}, "RN7", source="device")
    clock.advance(240)
    device(recorder, clock, [drop_to] * 10)   # 9 s: not yet persistent
    assert "rate:spo2" not in reasons(recorder)
    clock.advance(1)
    recorder.record_vitals({"spo2": str(drop_to)}, "RN7", source="device")  # 10 s
    cond = reasons(recorder).get("rate:spo2")
    assert (cond is not None) is fires
    if fires:
        assert cond.message == "SpO2 down 4% in 5 min (≥ 4)"


def test_spo2_falling_ends_when_it_stops_falling_and_ignores_manual_readings(recorder, clock):
    started(recorder)
    recorder.record_vitals({"spo2": "98"}, "RN7", source="device")
    clock.advance(60)
    device(recorder, clock, [94] * 11)
    assert "rate:spo2" in reasons(recorder)
    clock.advance(5)
    recorder.record_vitals({"spo2": "95"}, "RN7", source="device")
    assert "rate:spo2" not in reasons(recorder)
    clock.advance(5)
    recorder.record_vitals({"spo2": "93"}, "RN7")  # manual: a spot check, not a trend
    assert "rate:spo2" not in reasons(recorder)


@pytest.mark.parametrize(("base", "now", "fires"), [(0, -1, False), (0, -2, True), (1, -1, True),
                                                    (-1, -2, False), (-1, -3, True)])
def test_rass_drop_of_2_or_more(store, clock, tmp_path, base, now, fires):
    from monitor.clinical.protocols import load_protocols
    site = tmp_path / "site.toml"
    site.write_text('[protocols.chronic-pain-iv.protocol]\nsedation_scale = "rass"\n')
    rec = Recorder.open_new(store, clock, load_protocols(site), dict(OPENING))
    baseline_vitals(rec)
    rec.record_assessment({"rass": base}, "RN7")
    rec.start_infusion("RN7", rate="0.35", rate_unit="mg/kg/h")
    clock.advance(60)
    rec.record_assessment({"rass": now}, "RN7")
    assert ("assessment:rass_drop" in reasons(rec)) is fires


@pytest.mark.parametrize(("sbp", "fires"), [(106, False), (105, True)])
def test_bp_fall_of_30_percent_from_this_patients_baseline(recorder, clock, sbp, fires):
    started(recorder, sbp=150, dbp=90)
    clock.advance(60)
    recorder.record_vitals({"sbp": f"{sbp}/70"}, "RN7")
    # 150 × 0.7 = 105: a fall of 30 % (106 is −29.3 %), above the absolute SBP 100 limit
    cond = reasons(recorder).get("relative_fall:sbp")
    assert (cond is not None) is fires
    assert "limit:sbp:low" not in reasons(recorder)
    if fires:
        assert cond.message == "SBP −30% below baseline 150 (limit −30%)"


# -- rate of change ends when the value stops rising -----------------------------------------

def test_rate_of_change_alarm_ends_when_the_value_stops_rising(recorder, clock):
    started(recorder)
    clock.advance(300)
    recorder.record_vitals({"sbp": "150/85"}, "RN7")   # +22 in 5 min
    assert "rate:sbp" in reasons(recorder)
    clock.advance(120)
    recorder.record_vitals({"sbp": "145/85"}, "RN7")   # falling: not rising any more
    assert "rate:sbp" not in reasons(recorder)
    alarm = recorder.session.alarms[max(recorder.session.alarms)]
    assert alarm.key == "bp" and not alarm.active  # medium, not latched: resolved


# -- one alarm per parameter -----------------------------------------------------------------

@pytest.mark.hazard("H-205")
def test_one_bp_reading_of_186_104_is_one_alarm_and_one_acknowledgement(recorder, clock):
    started(recorder)
    clock.advance(300)
    recorder.record_vitals({"sbp": "186/104"}, "RN7")
    found = reasons(recorder)
    # five reasons: SBP ≥ 180, DBP ≥ 100, SBP +58, SBP rising, DBP +22? (no: < 25)
    assert {"limit:sbp:high", "limit:dbp:high", "relative:sbp", "rate:sbp"} <= set(found)
    active = recorder.session.active_alarms()
    assert len(active) == 1
    (alarm,) = active
    assert alarm.priority == "high" and alarm.message.startswith("SBP 186 ≥ 180 (also: ")
    assert "DBP 104 ≥ 100" in alarm.message
    recorder.acknowledge("RN7", alarm.alarm_id, "physician informed")
    clock.advance(60)
    recorder.record_vitals({"sbp": "130/80"}, "RN7")
    assert recorder.session.active_alarms() == []


# -- the combined rule: independent vital signs only -----------------------------------------

@pytest.mark.parametrize(("vitals", "assessment", "combined"), [
    ({"sbp": "165/85", "spo2": "93"}, None, True),            # SBP and SpO2: independent
    ({"sbp": "165/85", "hr": "115"}, None, True),
    ({"sbp": "165/85"}, None, False),                         # one medium only
    ({"sbp": "165/105"}, None, False),                        # SBP and DBP: one measurement
    ({"rr": "11"}, {"moaas": 4}, False),                      # expected ketamine effects
    ({"rr": "11", "spo2": "93"}, None, False),                # RR does not combine
    ({"spo2": "93"}, {"moaas": 4}, False),                    # a sedation score never does
])
def test_combined_rule(recorder, clock, vitals, assessment, combined):
    started(recorder)
    clock.advance(600)
    recorder.record_vitals(vitals, "RN7")
    if assessment:
        recorder.record_assessment(assessment, "RN7")
    assert ("combined" in reasons(recorder)) is combined


# -- overdue observations --------------------------------------------------------------------

@pytest.mark.hazard("H-205")
def test_overdue_is_one_alarm_never_high_never_latched_and_clears_when_recorded(recorder, clock):
    started(recorder)
    for _minute in range(1, 41):      # 40 min without observations, the rules ticking
        clock.advance(60)
        recorder.tick()
    overdue = [a for a in recorder.session.alarms.values() if a.rule == "overdue"]
    assert len(overdue) == 1                        # one per round, not one per parameter
    assert overdue[0].priority == "medium" and overdue[0].raised_priority == "low"
    assert "BP 30 min, HR 30 min" in recorder.last_evaluation.conditions["overdue"].message
    recorder.record_vitals({"sbp": "128/82", "hr": "72", "spo2": "98", "rr": "14"}, "RN7")
    recorder.record_assessment({"moaas": 5}, "RN7")
    assert not overdue[0].active                    # cleared at once, unacknowledged
    assert recorder.session.active_alarms() == []


# -- device data -----------------------------------------------------------------------------

@pytest.mark.parametrize(("seconds_at_91", "priority"), [
    (1, None), (10, None), (11, "high"),   # 11 samples 1 s apart span 10 s
])
def test_continuous_spo2_needs_10_s_before_a_limit_alarm(recorder, clock, seconds_at_91,
                                                         priority):
    started(recorder)
    device(recorder, clock, [97, *[91] * seconds_at_91])
    cond = reasons(recorder).get("limit:spo2:low")
    assert (cond.priority if cond else None) == priority
    latched = [a for a in recorder.session.alarms.values() if a.key == "spo2"]
    assert bool(latched) is (priority is not None)


@pytest.mark.hazard("H-205")
def test_one_second_dip_to_91_does_not_latch(recorder, clock):
    started(recorder)
    device(recorder, clock, [97, 91, 97, 97])
    assert not [a for a in recorder.session.alarms.values() if a.parameter == "spo2"]


def test_manual_reading_alarms_at_once(recorder, clock):
    started(recorder)
    recorder.record_vitals({"spo2": "91"}, "RN7")
    assert reasons(recorder)["limit:spo2:low"].priority == "high"


@pytest.mark.hazard("H-206")
def test_device_nibp_is_never_stale_between_cuff_cycles(recorder, clock):
    started(recorder)
    recorder.record_vitals({"sbp": "165/85"}, "RN7", source="device")
    clock.advance(9 * 60)   # the next cuff cycle is 10 min away
    found = reasons(recorder)
    assert not [k for k in found if k.startswith("stale")]
    assert "limit:sbp:high" in found   # the episodic value still drives its limit


@pytest.mark.hazard("H-206")
def test_stale_value_stops_driving_limit_alarms_and_raises_no_data(recorder, clock):
    started(recorder)
    device(recorder, clock, [92] * 12)
    assert reasons(recorder)["limit:spo2:low"].priority == "medium"
    clock.advance(30)
    assert "limit:spo2:low" in reasons(recorder)
    clock.advance(1)
    found = reasons(recorder)
    assert "limit:spo2:low" not in found
    assert found["stale:spo2"].message == "SpO2 no data from the monitor for 31 s (> 30 s)"
    recorder.tick()
    spo2 = recorder.session.alarms[recorder.session.active_alarm_by_key["spo2"]]
    assert spo2.message.startswith("SpO2 92 ≤ 93")  # the raised alarm; its live text is below
    assert recorder.last_evaluation.conditions["spo2"].rule == "stale"


def test_spo2_scale_2_limits_follow_the_patient(store, clock, protocols):
    rec = Recorder.open_new(store, clock, protocols, {**OPENING, "spo2_scale": 2})
    started(rec, spo2=90)
    for value, priority in (("88", None), ("86", None), ("85", "medium"), ("84", "medium"),
                            ("83", "high")):
        clock.advance(60)
        rec.record_vitals({"spo2": value}, "RN7")
        cond = reasons(rec).get("limit:spo2:low")
        assert (cond.priority if cond else None) == priority, value


def test_spo2_scale_must_be_1_or_2(store, clock, protocols):
    from monitor.errors import ValidationError
    with pytest.raises(ValidationError) as err:
        Recorder.open_new(store, clock, protocols, {**OPENING, "spo2_scale": 3})
    assert "88–92" in err.value.by_field()["spo2_scale"].allowed


def test_etco2_limits(recorder, clock):
    started(recorder)
    for value, key, priority in (("49", None, None), ("50", "limit:etco2:high", "medium"),
                                 ("60", "limit:etco2:high", "high"), ("31", None, None),
                                 ("30", "limit:etco2:low", "medium"),
                                 ("20", "limit:etco2:low", "high")):
        clock.advance(60)
        recorder.record_vitals({"etco2": value}, "RN7")
        found = {k: c for k, c in reasons(recorder).items() if k.startswith("limit:etco2")}
        assert ({key: priority} if key else {}) == {k: c.priority for k, c in found.items()}


def test_time_zero_is_the_test_epoch():
    assert T0 + timedelta(0) == T0


def test_a_clinic_may_keep_overdue_low_past_the_grace(store, clock, tmp_path):
    from monitor.clinical.protocols import load_protocols
    site = tmp_path / "site.toml"
    site.write_text('[protocols.chronic-pain-iv.alarms]\noverdue_priority = "low"\n')
    rec = Recorder.open_new(store, clock, load_protocols(site), dict(OPENING))
    started(rec)
    clock.advance(16 * 60)   # BP 6 min overdue: past the 5 min grace
    assert reasons(rec)["overdue"].priority == "low"


@pytest.mark.parametrize(("values", "held"), [
    ([97, 91, 91], False),              # 1 s beyond
    ([97] + [91] * 11, True),           # 10 s beyond
    ([91] * 5 + [97] + [91] * 5, False),  # broken run
])
def test_persistence_reads_only_the_newest_run(values, held):
    from monitor.model.series import Series
    s = Series()
    for i, v in enumerate(values):
        s.append(float(i), float(v), i + 1, device=True)
    assert s.held_for(lambda x: x <= 91, 10.0, device_only=True) is held
