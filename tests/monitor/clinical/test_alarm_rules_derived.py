"""Derived alarm rules (issue 22 #9, #10, #11 and its weak alarm items), through the core.

Figures worked by hand from the chronic-pain-iv protocol and the NEWS2 chart:
RR ≤ 8 → 3, 9–11 → 1, 12–20 → 0; SpO2 ≤ 91 → 3, 92–93 → 2, 94–95 → 1; SBP 101–110 → 1;
HR 91–110 → 1; temp 38.1–39.0 → 1; oxygen → 2; V, P, U → 3. Device values persist 10 s."""

from __future__ import annotations

from datetime import timedelta

import pytest

from monitor.clinical.discharge import aldrete
from monitor.clinical.protocols import load_protocols
from monitor.clinical.rules.engine import evaluate
from monitor.clinical.rules.news2_live import consciousness, news2_now
from monitor.clinical.rules.persistence import is_stale, persistence_s
from monitor.model.events import EventKind
from monitor.record.recorder import Recorder
from tests.conftest import OPENING, baseline_vitals, started


def rows(rec: Recorder):
    return evaluate(rec.session, rec.protocol, rec.clock.now()).conditions


def score(rec: Recorder):
    return news2_now(rec.session, rec.protocol, rec.clock.now())


def rass_recorder(store, clock, tmp_path) -> Recorder:
    site = tmp_path / "site.toml"
    site.write_text('[protocols.chronic-pain-iv.protocol]\nsedation_scale = "rass"\n')
    return Recorder.open_new(store, clock, load_protocols(site), dict(OPENING))


# -- #9: NEWS2 reads a monitor's value only after the persistence delay ------------------------

@pytest.mark.hazard("H-002")
@pytest.mark.parametrize(("seconds", "total"), [(1, 4), (9, 4), (10, 7)])
def test_news2_reads_device_rr_only_after_it_persisted(recorder, clock, seconds, total):
    # SBP 105 (1) + HR 95 (1) + SpO2 94 (1) + temp 38.5 (1) + RR 14 (0) + air + A = 4.
    started(recorder, sbp=105, dbp=70, hr=95, spo2=94, temp=38.5)
    clock.advance(60)
    for i in range(seconds + 1):                       # RR 6 (3) from t=0 to t=seconds
        if i:
            clock.advance(1)
        recorder.record_vitals({"rr": "6"}, "RN7", source="device")
    assert score(recorder).total == total              # 4 + 3 = 7 only once held 10 s
    assert ("news2" in recorder.session.active_alarm_by_key) is (total == 7)


@pytest.mark.hazard("H-002")
def test_one_second_device_sample_raises_and_latches_nothing(recorder, clock):
    started(recorder, sbp=105, dbp=70, hr=95, spo2=94, temp=38.5)
    clock.advance(60)
    recorder.record_vitals({"rr": "6"}, "RN7", source="device")     # one 1 s sample
    clock.advance(1)
    for _ in range(15):
        recorder.record_vitals({"rr": "14"}, "RN7", source="device")
        clock.advance(1)
    recorder.tick()
    raised = [e for e in recorder.store.events(recorder.session.session_id)
              if e.kind is EventKind.ALARM_RAISED]
    assert raised == [], [e.payload["message"] for e in raised]


# -- #10: sedation with respiratory depression is ONE high alarm -------------------------------

@pytest.mark.hazard("H-003")
@pytest.mark.parametrize(("moaas", "rr", "one_high"), [
    (3, "9", True),     # MOAA/S 3 ≤ 3 and RR 9 ≤ 9: the picture
    (4, "9", False),    # MOAA/S 4: the expected effect
    (3, "10", False),   # RR 10: the expected effect
    (4, "10", False),   # both expected: they never escalate each other
    (2, "8", True),
])
def test_sedation_with_rr_9_is_one_high_alarm(recorder, clock, moaas, rr, one_high):
    started(recorder)
    clock.advance(600)
    recorder.record_vitals({"rr": rr}, "RN7")
    recorder.record_assessment({"moaas": moaas}, "RN7")
    found = rows(recorder)
    highs = [c for c in found.values() if c.priority == "high"]
    if one_high:
        assert list(found) == ["resp_depression"], found       # RR, sedation, NEWS2: one row
        assert found["resp_depression"].message.startswith(
            f"Sedation with respiratory depression: MOAA/S {moaas} ≤ 3; RR {rr} ≤ 9")
        assert recorder.session.alarms[
            recorder.session.active_alarm_by_key["resp_depression"]].priority == "high"
    else:
        assert highs == [] and "resp_depression" not in found
        assert "combined" not in found


@pytest.mark.hazard("H-003")
@pytest.mark.parametrize(("rass", "fires"), [(-1, False), (-2, True)])
def test_rass_deeper_than_minus_2_with_rr_9(store, clock, tmp_path, rass, fires):
    rec = rass_recorder(store, clock, tmp_path)
    baseline_vitals(rec)
    rec.record_assessment({"rass": 0}, "RN7")
    rec.start_infusion("RN7", rate="0.35", rate_unit="mg/kg/h")
    clock.advance(600)
    rec.record_vitals({"rr": "9"}, "RN7")
    rec.record_assessment({"rass": rass}, "RN7")
    assert ("resp_depression" in rows(rec)) is fires


@pytest.mark.hazard("H-003")
def test_sedation_with_falling_spo2_is_one_high_alarm(recorder, clock):
    started(recorder)
    recorder.record_assessment({"moaas": 3}, "RN7")
    recorder.record_vitals({"spo2": "98"}, "RN7", source="device")
    clock.advance(60)
    for i in range(11):                                  # 98 → 94: down 4 in 5 min, 10 s
        if i:
            clock.advance(1)
        recorder.record_vitals({"spo2": "94"}, "RN7", source="device")
    found = rows(recorder)
    assert found["resp_depression"].priority == "high"
    assert "SpO2 down 4% in 5 min (≥ 4)" in found["resp_depression"].message


@pytest.mark.hazard("H-009")
def test_moaas_4_with_normal_vitals_is_one_row(recorder, clock):
    # MOAA/S 4 (V → NEWS2 3 in one parameter) after a pre-dose 5: the sedation row, with
    # the NEWS2 reason listed under it, not a second row that escalates on its own.
    started(recorder)
    clock.advance(600)
    recorder.record_assessment({"moaas": 4}, "RN7")
    found = rows(recorder)
    assert list(found) == ["sedation"]
    assert found["sedation"].message.startswith("MOAA/S 4, down from baseline 5 (also: NEWS2 3")


# -- #11: oxygen started sets oxygen until stopped or a set says air ---------------------------

@pytest.mark.hazard("H-004")
def test_oxygen_started_holds_until_stopped_or_a_set_says_air(recorder, clock):
    started(recorder)
    clock.advance(60)
    recorder.quick_event("RN7", "oxygen_started")
    clock.advance(60)
    ev = recorder.record_vitals({"sbp": "128/82", "spo2": "95"}, "RN7")  # no air/O2 said
    assert ev.payload["o2"] == "oxygen"
    assert score(recorder).scores["o2"] == 2                 # oxygen scores 2
    assert aldrete(recorder.session, recorder.protocol)["spo2"] == 1   # > 90 on oxygen: 1
    clock.advance(60)
    recorder.quick_event("RN7", "oxygen_stopped")
    assert score(recorder).scores["o2"] == 0
    recorder.quick_event("RN7", "oxygen_started")
    clock.advance(60)
    recorder.record_vitals({"sbp": "128/82", "o2": "air"}, "RN7")        # the set says air
    assert score(recorder).scores["o2"] == 0
    assert aldrete(recorder.session, recorder.protocol)["spo2"] == 2   # 98 > 92 on air: 2


@pytest.mark.hazard("H-004")
def test_a_back_dated_set_does_not_undo_a_later_oxygen_start(recorder, clock):
    started(recorder)
    clock.advance(600)
    recorder.quick_event("RN7", "oxygen_started")
    recorder.record_vitals({"sbp": "130/80", "o2": "air"}, "RN7",
                           observed_at=clock.now() - timedelta(minutes=5))
    assert recorder.session.choice("o2")[1] == "oxygen"


# -- weak items -------------------------------------------------------------------------------

@pytest.mark.parametrize(("moaas", "acvpu", "level", "aldrete_item"), [
    (2, "A", "P", 0), (5, "V", "V", 1), (4, "A", "V", 1), (5, "A", "A", 2)])
@pytest.mark.hazard("H-011")
def test_within_one_assessment_the_worse_consciousness_wins(
        recorder, moaas, acvpu, level, aldrete_item):
    recorder.record_assessment({"moaas": moaas, "acvpu": acvpu}, "RN7")
    assert consciousness(recorder.session, recorder.protocol)[1] == level
    assert aldrete(recorder.session, recorder.protocol)["consciousness"] == aldrete_item


@pytest.mark.hazard("H-006")
@pytest.mark.parametrize(("minutes", "scored"), [(60, True), (61, False)])
def test_news2_asks_for_a_temperature_instead_of_going_quiet(recorder, clock, minutes, scored):
    started(recorder)                                  # temperature 36.8 at the start
    clock.advance(minutes * 60)
    recorder.record_vitals({"sbp": "128/82", "hr": "72", "spo2": "98", "rr": "14"}, "RN7")
    recorder.record_assessment({"moaas": 5}, "RN7")
    result = score(recorder)
    found = rows(recorder)
    if scored:
        assert result.total == 0 and "temp" not in found
        return
    assert result.total is None and result.reason == "temperature 61 min old"
    assert result.response == "NEWS2 not scored: temperature 61 min old"
    assert (found["temp"].priority, found["temp"].message) == (
        "low", "Temperature due for NEWS2: last 61 min ago (NEWS2 reads the last 60 min)")
    recorder.record_vitals({"temp": "36.9"}, "RN7")
    assert score(recorder).total == 0 and "temp" not in rows(recorder)


@pytest.mark.hazard("H-010")
@pytest.mark.parametrize(("moaas", "fires"), [(5, False), (4, True)])
def test_no_predose_moaas_assumes_5_and_says_so(recorder, clock, moaas, fires):
    recorder.record_vitals({"sbp": "128/82", "hr": "72", "spo2": "98", "rr": "14",
                            "temp": "36.8"}, "RN7")
    recorder.start_infusion("RN7", rate="0.35", rate_unit="mg/kg/h", confirmed=True)
    clock.advance(600)
    recorder.record_assessment({"moaas": moaas}, "RN7")
    found = rows(recorder)
    assert ("sedation" in found) is fires
    if fires:
        assert found["sedation"].message.startswith(
            "MOAA/S 4, down from 5 assumed (no pre-dose score: alert outpatient)")


@pytest.mark.hazard("H-007")
@pytest.mark.parametrize(("spo2", "priority"), [("91.5", "medium"), ("91.0", "high"),
                                                ("85.5", "high"), ("93.5", None)])
def test_fractional_device_value_is_a_reading(recorder, clock, spo2, priority):
    started(recorder)
    for i in range(11):
        if i:
            clock.advance(1)
        ev = recorder.record_vitals({"spo2": spo2}, "RN7", source="device")
    assert "artifact_values" not in ev.payload and ev.payload["spo2"] == float(spo2)
    assert recorder.session.latest("spo2")[1] == float(spo2)
    found = rows(recorder)
    assert (found["spo2"].priority if "spo2" in found else None) == priority


@pytest.mark.hazard("H-005")
def test_acknowledged_nibp_alarm_comes_back_when_the_reading_is_due(recorder, clock):
    started(recorder)                                  # infusing: BP due every 10 min
    clock.advance(60)
    recorder.record_vitals({"sbp": "165/90"}, "RN7")   # t = 1 min: due again at 11 min
    alarm = recorder.session.alarms[recorder.session.active_alarm_by_key["bp"]]
    clock.advance(60)
    recorder.acknowledge("RN7", alarm.alarm_id, "re-measured")
    clock.advance(9 * 60 - 1)                          # 10:59: not yet
    recorder.tick()
    assert alarm.acknowledged
    clock.advance(1)                                   # 11:00: the reading is due
    recorder.tick()
    assert not alarm.acknowledged
    (ev,) = [e for e in recorder.store.events(recorder.session.session_id)
             if e.kind is EventKind.ALARM_REANNOUNCED]
    assert ev.payload["reason"] == "still active when its reading was due again"


@pytest.mark.hazard("H-008")
@pytest.mark.parametrize(("period", "persist", "stale_after"), [
    (1, 10, 30), (5, 10, 30), (8, 8, 30), (20, 0, 40), (60, 0, 120)])
def test_persistence_and_stale_follow_the_senders_period(
        recorder, clock, period, persist, stale_after):
    started(recorder)
    for i in range(6):
        if i:
            clock.advance(period)
        recorder.record_vitals({"spo2": "97"}, "RN7", source="device")
    s, p = recorder.session, recorder.protocol
    assert persistence_s(s, p, "spo2") == persist      # 10 s in whole periods
    clock.advance(stale_after)
    assert not is_stale(s, p, "spo2", clock.now())     # 2 periods, or 30 s
    clock.advance(1)
    assert is_stale(s, p, "spo2", clock.now())


@pytest.mark.hazard("H-008")
def test_a_60_s_sender_alarms_on_its_reading_and_never_flaps(recorder, clock):
    started(recorder)
    for _ in range(4):
        recorder.record_vitals({"spo2": "97"}, "RN7", source="device")
        for _ in range(60):                            # the window ticks every second
            clock.advance(1)
            recorder.tick()
    recorder.record_vitals({"spo2": "88"}, "RN7", source="device")
    assert rows(recorder)["spo2"].priority == "high"  # 88 ≤ 91 at once: its period is 60 s
    stale = [e for e in recorder.store.events(recorder.session.session_id)
             if e.kind is EventKind.ALARM_RAISED and e.payload["rule"] == "stale"]
    # Before its second sample the period is unknown (30 s applies): once, at the start;
    # then never again (before: "no data" every minute).
    assert len(stale) == 1


@pytest.mark.hazard("H-012")
def test_baseline_beyond_a_limit_is_offered(recorder):
    baseline_vitals(recorder, hr=50, spo2=93)
    offers = evaluate(recorder.session, recorder.protocol, recorder.clock.now()).limit_offers
    assert [(o.limit, o.baseline, o.current, o.suggested) for o in offers] == [
        ("hr.medium_low", 50, 50, 45),        # 50 × 0.9 = 45 (> the high limit 40)
        ("spo2.medium_low", 93, 93, 92),      # 93 × 0.9 = 83 → raised to high 91 + 1
    ]
    assert offers[0].message == ("Baseline HR 50 is beyond its limit (≤ 50): "
                                 "set this patient's limit to ≤ 45?")


@pytest.mark.hazard("H-008")
@pytest.mark.parametrize(("after", "stale"), [(120, False), (121, True)])
def test_the_rail_calls_a_60_s_stream_stale_as_the_no_data_rule_does(recorder, clock, after, stale):
    from monitor.clinical.rail import rail_values
    started(recorder)
    for i in range(3):
        if i:
            clock.advance(60)
        recorder.record_vitals({"spo2": "97"}, "RN7", source="device")
    clock.advance(after)                                # two periods: 120 s
    spo2 = next(v for v in rail_values(recorder.session, recorder.protocol, clock.now())
                if v.row == "spo2")
    assert spo2.device and spo2.stale is stale


@pytest.mark.hazard("H-138")
@pytest.mark.parametrize(("silent_s", "alarmed"), [(30, False), (31, True)])
def test_a_monitor_that_goes_silent_before_dosing_raises_no_data(recorder, clock, silent_s,
                                                                  alarmed):
    """Bound at baseline, SpO2 at 1 Hz, then silence: "no data" after 30 s, before any dose
    (issue 23 #19), as during the infusion; it ends with the next sample."""
    baseline_vitals(recorder)
    for _ in range(12):
        recorder.record_vitals({"spo2": "97"}, "RN7", source="device")
        clock.advance(1)
    assert recorder.session.phase == "baseline"
    clock.advance(silent_s - 1)                     # 1 s already passed after the last sample
    row = rows(recorder).get("spo2")
    assert (row is not None and row.rule == "stale") is alarmed
    if alarmed:
        assert "SpO2 no data from the monitor for 31 s" in row.message
        recorder.record_vitals({"spo2": "97"}, "RN7", source="device")
        assert "spo2" not in rows(recorder)
