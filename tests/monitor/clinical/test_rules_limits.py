"""Both sides of every boundary of every rule kind (protocol chronic-pain-iv)."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest

from monitor.clinical.protocols import load_protocols
from monitor.clinical.rules.conditions import evaluate_conditions
from monitor.record.recorder import Recorder
from tests.conftest import OPENING, baseline_vitals, started


def conditions(rec: Recorder):
    return evaluate_conditions(rec.session, rec.protocol, rec.clock.now())[0]



LIMIT_CASES = [
    # param, typed value, key, expected priority (None: no condition)
    ("sbp", "159", "limit:sbp:high", None), ("sbp", "160", "limit:sbp:high", "medium"),
    ("sbp", "179", "limit:sbp:high", "medium"), ("sbp", "180", "limit:sbp:high", "high"),
    ("sbp", "101", "limit:sbp:low", None), ("sbp", "100", "limit:sbp:low", "medium"),
    ("sbp", "91", "limit:sbp:low", "medium"), ("sbp", "90", "limit:sbp:low", "high"),
    ("dbp", "99", "limit:dbp:high", None), ("dbp", "100", "limit:dbp:high", "medium"),
    ("dbp", "109", "limit:dbp:high", "medium"), ("dbp", "110", "limit:dbp:high", "high"),
    ("hr", "110", "limit:hr:high", None), ("hr", "111", "limit:hr:high", "medium"),
    ("hr", "130", "limit:hr:high", "medium"), ("hr", "131", "limit:hr:high", "high"),
    ("hr", "51", "limit:hr:low", None), ("hr", "50", "limit:hr:low", "medium"),
    ("hr", "41", "limit:hr:low", "medium"), ("hr", "40", "limit:hr:low", "high"),
    ("spo2", "94", "limit:spo2:low", None), ("spo2", "93", "limit:spo2:low", "medium"),
    ("spo2", "92", "limit:spo2:low", "medium"), ("spo2", "91", "limit:spo2:low", "high"),
    ("rr", "20", "limit:rr:high", None), ("rr", "21", "limit:rr:high", "medium"),
    ("rr", "24", "limit:rr:high", "medium"), ("rr", "25", "limit:rr:high", "high"),
    ("rr", "12", "limit:rr:low", None), ("rr", "11", "limit:rr:low", "medium"),
    ("rr", "9", "limit:rr:low", "medium"), ("rr", "8", "limit:rr:low", "high"),
]


@pytest.mark.parametrize(("param", "value", "key", "priority"), LIMIT_CASES)
def test_absolute_limits(recorder, param, value, key, priority):
    fields = {param: value}
    if param == "dbp":
        fields["sbp"] = "150"
    recorder.record_vitals(fields, "RN7")
    cond = conditions(recorder).get(key)
    assert (cond.priority if cond else None) == priority


@pytest.mark.parametrize(("scale", "value", "key", "priority"), [
    ("moaas", 3, "limit:moaas:low", None), ("moaas", 2, "limit:moaas:low", "high"),
    ("rass", 1, "limit:rass:high", None), ("rass", 2, "limit:rass:high", "medium"),
    ("rass", 3, "limit:rass:high", "high"), ("rass", -2, "limit:rass:low", None),
    ("rass", -3, "limit:rass:low", "medium"), ("rass", -4, "limit:rass:low", "high"),
])
def test_assessment_limits(recorder, scale, value, key, priority):
    recorder.record_assessment({scale: value}, "RN7")
    cond = conditions(recorder).get(key)
    assert (cond.priority if cond else None) == priority


def test_message_names_parameter_value_and_limit(recorder):
    recorder.record_vitals({"sbp": "186/95"}, "RN7")
    assert conditions(recorder)["limit:sbp:high"].message == "SBP 186 ≥ 180"


def test_bp_alarm_when_only_the_diastolic_crosses(recorder):
    recorder.record_vitals({"sbp": "150/112"}, "RN7")
    found = conditions(recorder)
    assert "limit:sbp:high" not in found
    assert found["limit:dbp:high"].priority == "high"
    assert recorder.session.active_alarms()[0].message == "DBP 112 ≥ 110"


@pytest.mark.parametrize(("sbp", "fires"), [("167", False), ("168", True)])
def test_relative_to_baseline_sbp(recorder, sbp, fires):
    started(recorder)  # baseline SBP 128
    recorder.record_vitals({"sbp": sbp, "dbp": "80"}, "RN7")
    cond = conditions(recorder).get("relative:sbp")
    assert (cond is not None) is fires
    if fires:
        assert cond.message == "SBP +40 mmHg over baseline 128"


@pytest.mark.parametrize(("dbp", "fires"), [("106", False), ("107", True)])
def test_relative_to_baseline_dbp(recorder, dbp, fires):
    started(recorder)  # baseline DBP 82
    recorder.record_vitals({"sbp": "150", "dbp": dbp}, "RN7")
    assert ("relative:dbp" in conditions(recorder)) is fires


def test_relative_rule_follows_an_amended_baseline(recorder):
    started(recorder)
    first = recorder.session.entries_of(*[e.kind for e in recorder.session.entry_list
                                          if e.kind.value == "vitals_recorded"])[0]
    recorder.record_vitals({"sbp": "160", "dbp": "80"}, "RN7")
    assert "relative:sbp" not in conditions(recorder)   # +32
    recorder.amend("RN7", first.seq, {"sbp": "118"}, "transcription error")
    assert conditions(recorder)["relative:sbp"].message == "SBP +42 mmHg over baseline 118"


@pytest.mark.parametrize(("rise", "minutes", "fires"), [
    (19, 5, False), (20, 5, True), (20, 10, True), (25, 11, False)])
def test_rate_of_change(recorder, clock, rise, minutes, fires):
    recorder.record_vitals({"sbp": "125", "dbp": "80"}, "RN7")
    clock.advance(minutes * 60)
    recorder.record_vitals({"sbp": str(125 + rise), "dbp": "80"}, "RN7")
    assert ("rate:sbp" in conditions(recorder)) is fires


def test_two_concurrent_medium_warnings_escalate_to_one_high(recorder):
    recorder.record_vitals({"sbp": "150", "dbp": "80", "hr": "115"}, "RN7")
    assert "combined" not in conditions(recorder)      # only HR is medium
    recorder.record_vitals({"sbp": "165", "dbp": "80", "hr": "115"}, "RN7")
    combined = conditions(recorder)["combined"]
    assert combined.priority == "high"
    assert "SBP 165 ≥ 160" in combined.message and "HR 115 ≥ 111" in combined.message
    recorder.record_vitals({"sbp": "185", "dbp": "80", "hr": "115"}, "RN7")
    assert "combined" not in conditions(recorder)      # a real high alarm already


@pytest.mark.parametrize(("moaas", "fires"), [(5, False), (4, True)])
def test_any_moaas_drop_from_baseline(recorder, moaas, fires):
    started(recorder)
    recorder.record_assessment({"moaas": moaas}, "RN7")
    cond = conditions(recorder).get("assessment:moaas_drop")
    assert (cond is not None) is fires
    if fires:
        assert cond.message == "MOAA/S 4, down from baseline 5"


def test_dissociation_is_advisory_until_the_clinic_sets_a_level(recorder, tmp_path, store,
                                                                clock):
    recorder.record_assessment({"cadss6": [4, 4, 4, 4, 4, 4]}, "RN7")
    assert "assessment:dissociation" not in conditions(recorder)
    site = tmp_path / "site.toml"
    site.write_text('[protocols.chronic-pain-iv.assessment]\ndissociation_level = 12\n')
    rec = Recorder.open_new(store, clock, load_protocols(site), dict(OPENING))
    rec.record_assessment({"cadss6": [2, 2, 2, 2, 2, 1]}, "RN7")
    assert "assessment:dissociation" not in conditions(rec)
    rec.record_assessment({"cadss6": [2, 2, 2, 2, 2, 2]}, "RN7")
    assert conditions(rec)["assessment:dissociation"].message == "CADSS-6 12 ≥ 12"


def test_artifact_is_excluded_and_amended_value_re_evaluated(recorder):
    ev = recorder.record_vitals({"sbp": "190/90"}, "RN7")
    assert "limit:sbp:high" in conditions(recorder)
    recorder.flag_artifact("RN7", ev.seq, "cuff moved")
    assert "limit:sbp:high" not in conditions(recorder)
    ev2 = recorder.record_vitals({"sbp": "150/90"}, "RN7")
    recorder.amend("RN7", ev2.seq, {"sbp": "175"}, "misread")
    assert conditions(recorder)["limit:sbp:high"].message == "SBP 175 ≥ 160"


def test_artifact_reading_never_raises(recorder, clock):
    """A device spike flagged before the next evaluation never becomes an alarm."""
    ev = recorder.record_vitals({"hr": "72"}, "RN7")
    recorder.flag_artifact("RN7", ev.seq, "probe off")
    assert recorder.session.latest("hr") is None
    assert not [a for a in recorder.session.alarms.values() if a.parameter == "hr"]


@pytest.mark.parametrize(("phase", "seconds", "priority"), [
    # BP is due 10 min after the start (infusing) or the stop (recovery: 15 min);
    # overdue is low once due, medium past the 5 min grace, never high.
    ("infusing", 10 * 60, None), ("infusing", 10 * 60 + 1, "low"),
    ("infusing", 15 * 60, "low"), ("infusing", 15 * 60 + 1, "medium"),
    ("infusing", 3 * 3600, "medium"),
    ("recovery", 15 * 60, None), ("recovery", 15 * 60 + 1, "low"),
    ("recovery", 20 * 60, "low"), ("recovery", 20 * 60 + 1, "medium"),
    ("baseline", 5 * 3600, None),
])
def test_overdue_timing_in_each_phase(recorder, clock, phase, seconds, priority):
    baseline_vitals(recorder)
    if phase != "baseline":
        recorder.start_infusion("RN7", rate="0.35", rate_unit="mg/kg/h")
    if phase == "recovery":
        clock.advance(3600)
        recorder.record_vitals({"sbp": "128/82", "hr": "72", "spo2": "98", "rr": "14"}, "RN7")
        recorder.record_assessment({"moaas": 5}, "RN7")
        recorder.stop_infusion("RN7")
    clock.advance(seconds)
    found = conditions(recorder)
    assert [k for k in found if k.startswith("overdue")] == ([] if priority is None
                                                              else ["overdue"])  # one per round
    if priority:
        assert found["overdue"].priority == priority
        minutes = (seconds - (10 if phase == "infusing" else 15) * 60) // 60
        assert found["overdue"].message.startswith(f"Observations overdue: BP {minutes} min")


def test_rems_bp_point_at_40_min(store, clock, protocols):
    rec = Recorder.open_new(store, clock, protocols, {**OPENING, "protocol": "esketamine-nasal"})
    baseline_vitals(rec)
    rec.start_infusion("RN7", dose_mg="56", lot="L1")
    for _minute in (15, 30):
        clock.advance(15 * 60)
        rec.record_vitals({"hr": "75", "spo2": "97", "rr": "14"}, "RN7")  # no BP
    clock.advance(10 * 60)                                  # 40:00 after dosing
    assert "REMS" not in conditions(rec)["overdue"].message  # (the 15-min BP is overdue)
    clock.advance(5 * 60 + 1)                               # 45:01
    overdue = conditions(rec)["overdue"]
    assert "REMS BP at 40 min 5 min" in overdue.message and overdue.priority == "medium"
    rec.record_vitals({"sbp": "140/85"}, "RN7")
    after = conditions(rec).get("overdue")
    assert after is None or "REMS" not in after.message


def test_stale_device_data(recorder, clock):
    started(recorder)
    recorder.record_vitals({"hr": "80", "spo2": "97"}, "RN7", source="device")
    clock.advance(30)
    assert "stale:hr" not in conditions(recorder)
    clock.advance(1)
    found = conditions(recorder)
    assert found["stale:hr"].priority == "low"
    assert found["stale:hr"].message == "HR no data from the monitor for 31 s (> 30 s)"


def test_limit_change_is_an_event_and_applies(recorder):
    recorder.record_vitals({"sbp": "165/80"}, "RN7")
    assert "limit:sbp:high" in conditions(recorder)
    ev = recorder.change_limit("RN7", "sbp.medium_high", "170", "physician order: known HTN")
    assert ev.payload == {"limit": "sbp.medium_high", "old": 160.0, "new": 170.0,
                          "reason": "physician order: known HTN"}
    assert "limit:sbp:high" not in conditions(recorder)


def test_engine_is_deterministic(recorder, clock):
    started(recorder)
    clock.advance(12 * 60)
    a = evaluate_conditions(recorder.session, recorder.protocol, clock.now())
    b = evaluate_conditions(recorder.session, recorder.protocol, clock.now())
    assert a[0] == b[0]
    later = evaluate_conditions(recorder.session, recorder.protocol,
                                clock.now() + timedelta(minutes=5))
    assert a[0]["overdue"].priority == "low"         # BP 2 min late
    assert later[0]["overdue"].priority == "medium"  # 7 min late: past the grace


def test_broken_site_file_cases(tmp_path: Path):
    cases = {
        "syntax": ("[protocols.chronic-pain-iv\n", "TOML syntax error"),
        "unknown key": ("[protocols.chronic-pain-iv.alarms]\nsnooze = 3\n",
                        "unknown key 'alarms.snooze'"),
        "wrong type": ('[protocols.chronic-pain-iv.limits.sbp]\nhigh_high = "180"\n',
                       "key 'limits.sbp.high_high' must be int or float"),
        "low above high": ("[protocols.chronic-pain-iv.limits.hr]\nmedium_low = 120\n",
                           "medium_low 120 must be below medium_high 111"),
        "unknown parameter": ("[protocols.chronic-pain-iv.limits.glucose]\nhigh_high = 9\n",
                              "unknown key 'limits.glucose'"),
        "incomplete new": ('[protocols.mine.protocol]\nname = "x"\n', "missing key"),
    }
    for name, (text, needle) in cases.items():
        site = tmp_path / f"{name.replace(' ', '_')}.toml"
        site.write_text(text)
        result = load_protocols(site)
        assert len(result.problems) == 1, name
        assert str(site) in result.problems[0] and needle in result.problems[0], result.problems
        assert "using the shipped presets" in result.problems[0]
        shipped_sbp = result.get("chronic-pain-iv").limits("sbp")
        assert shipped_sbp["high_high"] == 180  # shipped presets in force


def test_valid_site_file_overrides_and_adds(tmp_path: Path):
    site = tmp_path / "site.toml"
    base = Path(__file__).resolve().parents[3] / "monitor/clinical/protocols/chronic-pain-iv.toml"
    body = re.sub(r"^\[", "[protocols.clinic-crps.", base.read_text(), flags=re.M).replace(
        "version = 1", "").replace('id = "chronic-pain-iv"', 'id = "clinic-crps"')
    site.write_text("version = 1\n[protocols.chronic-pain-iv.limits.sbp]\nhigh_high = 175\n"
                    + body)
    result = load_protocols(site)
    assert result.problems == []
    assert result.get("chronic-pain-iv").limits("sbp")["high_high"] == 175
    assert result.get("clinic-crps").origin.endswith("[protocols.clinic-crps]")
