"""An artifact flag names the values it covers and ends only the alarms resting on
them (CLINICAL §5): the trial's bad cuff reading taken with a real SpO2 89 and
HR 125, and the flagged value that came back as a latched HIGH."""

from __future__ import annotations

import pytest

from monitor.clinical.rules.artifacts import ENDED_REASON, STRUCK_REASON
from monitor.errors import ValidationError
from monitor.model.events import EventKind
from monitor.model.session import fold
from monitor.record.recorder import Recorder
from tests.conftest import baseline_vitals

BP = ["sbp", "dbp", "map"]


def by_group(rec: Recorder) -> dict[str, object]:
    return {a.key: a for a in rec.session.active_alarms()}


def trial(rec: Recorder, clock) -> int:
    """Baseline 128/82, start; 150/90 at 5 min (SBP up 22 in 10 min: medium); at 8 min
    a bad cuff reading 186/104 taken with a real SpO2 89 and HR 125."""
    baseline_vitals(rec)
    rec.start_infusion("RN7", rate="0.35", rate_unit="mg/kg/h")
    clock.advance(5 * 60)
    rec.record_vitals({"sbp": "150", "dbp": "90", "hr": "80", "spo2": "97", "rr": "14",
                       "temp": "36.8"}, "RN7")
    clock.advance(3 * 60)
    ev = rec.record_vitals({"sbp": "186", "dbp": "104", "hr": "125", "spo2": "89",
                            "rr": "14", "temp": "36.8"}, "RN7")
    return ev.seq


@pytest.mark.hazard("H-040")
def test_a_bad_cuff_reading_is_bp_only(recorder, clock):
    seq = trial(recorder, clock)
    before = by_group(recorder)
    assert before["bp"].priority == "high" and before["spo2"].priority == "high"
    assert before["hr"].priority == "medium"
    recorder.flag_artifact("RN7", seq, "cuff slipped", parameters=BP)
    after = by_group(recorder)
    # SpO2 89 and HR 125 were real: their alarms stay, the same alarms as before.
    assert after["spo2"].alarm_id == before["spo2"].alarm_id
    assert after["hr"].alarm_id == before["hr"].alarm_id
    s = recorder.session
    assert s.latest("spo2")[1] == 89 and s.latest("hr")[1] == 125
    assert s.latest("sbp")[1] == 150 and s.latest("dbp")[1] == 90
    entry = s.entries[seq]
    assert entry.flagged == frozenset(BP) and not entry.artifact
    assert entry.status == "artifact: sbp dbp map"
    assert entry.status_of("sbp") == "artifact" and entry.status_of("spo2") == "valid"


@pytest.mark.hazard("H-041", "H-042")
def test_the_rest_of_the_row_keeps_its_own_priority_and_never_relatches(recorder, clock):
    seq = trial(recorder, clock)
    old = by_group(recorder)["bp"]
    recorder.flag_artifact("RN7", seq, "cuff slipped", parameters=BP)
    s = recorder.session
    assert s.alarms[old.alarm_id].resolved_reason == ENDED_REASON
    bp = by_group(recorder)["bp"]
    assert bp.alarm_id != old.alarm_id
    assert bp.priority == "medium"  # "SBP up 22" is medium, never shown as HIGH
    assert bp.message.startswith("SBP up 22")
    assert "186" not in bp.message and "104" not in bp.message
    text = recorder.last_evaluation.alarm_text(bp)
    assert text == bp.message
    # Four minutes on (BP re-measured normal): nothing of the flagged value comes back.
    clock.advance(4 * 60)
    recorder.record_vitals({"sbp": "132", "dbp": "84"}, "RN7")
    clock.advance(1 * 60)
    recorder.tick()
    for a in s.alarms.values():
        if a.active and a.key == "bp":
            assert a.priority != "high"
        assert not (a.active and "186" in a.message)
    raised = [e for e in s.events if e.kind in (EventKind.ALARM_RAISED, EventKind.ALARM_ESCALATED)
              and "186" in e.payload["message"]]
    assert len(raised) == 1  # announced once, before the flag; never again


@pytest.mark.hazard("H-041")
@pytest.mark.parametrize("acknowledged", [False, True])
def test_a_latched_high_on_a_flagged_reading_ends(recorder, clock, acknowledged):
    baseline_vitals(recorder)
    recorder.start_infusion("RN7", rate="0.35", rate_unit="mg/kg/h")
    clock.advance(10 * 60)
    bad = recorder.record_vitals({"sbp": "186", "dbp": "84"}, "RN7")
    alarm = by_group(recorder)["bp"]
    if acknowledged:
        recorder.acknowledge("RN7", alarm.alarm_id, "re-measured")
    clock.advance(1 * 60)
    recorder.record_vitals({"sbp": "130", "dbp": "80"}, "RN7")
    if not acknowledged:
        assert alarm.active  # latched: high, never acknowledged
    assert recorder.alarms_ended_by(bad.seq, ["sbp"]) == ([alarm] if alarm.active else [])
    recorder.flag_artifact("RN7", bad.seq, "arm moved", parameters=["sbp", "dbp", "map"])
    assert not alarm.active
    assert "bp" not in by_group(recorder)
    clock.advance(4 * 60)
    recorder.tick()
    assert "bp" not in by_group(recorder)


@pytest.mark.hazard("H-048")
def test_the_core_says_beforehand_which_alarms_a_flag_ends(recorder, clock):
    seq = trial(recorder, clock)
    alarms = by_group(recorder)
    assert recorder.alarms_ended_by(seq, BP) == [alarms["bp"]]
    assert {a.key for a in recorder.alarms_ended_by(seq, ["spo2"])} >= {"spo2"}
    assert recorder.alarms_ended_by(seq, ["temp"]) == []
    ended = {a.alarm_id for a in recorder.alarms_ended_by(seq, ["spo2", "hr"])}
    recorder.flag_artifact("RN7", seq, "probe off", parameters=["spo2", "hr"])
    gone = {a.alarm_id for a in recorder.session.alarms.values()
            if a.resolved_reason == ENDED_REASON}
    assert gone == ended
    assert {"spo2", "hr"} & {recorder.session.alarms[i].key for i in ended} == {"spo2", "hr"}
    assert by_group(recorder)["bp"].priority == "high"  # the BP reading was not flagged


@pytest.mark.parametrize(("parameters", "allowed"), [
    (["spo2x"], "values this entry holds: sbp, dbp, map, hr, spo2, rr, temp"),
    (["etco2"], "values this entry holds"),
    ([], "one or more of this entry's values"),
    ("sbp", "one or more of this entry's values"),
    ([3], "one or more of this entry's values"),
])
def test_a_flag_names_values_the_entry_holds(recorder, clock, parameters, allowed):
    seq = trial(recorder, clock)
    count = len(recorder.session.events)
    with pytest.raises(ValidationError) as err:
        recorder.flag_artifact("RN7", seq, "cuff", parameters=parameters)
    assert err.value.errors[0].field == "parameters"
    assert allowed in str(err.value)
    assert len(recorder.session.events) == count


def test_a_value_is_flagged_once_and_flags_add_up(recorder, clock):
    seq = trial(recorder, clock)
    recorder.flag_artifact("RN7", seq, "cuff", parameters=BP)
    with pytest.raises(ValidationError, match="not already flagged"):
        recorder.flag_artifact("RN7", seq, "cuff", parameters=["sbp"])
    recorder.flag_artifact("RN7", seq, "probe", parameters=["hr", "spo2", "rr", "temp"])
    entry = recorder.session.entries[seq]
    assert entry.artifact and entry.status == "artifact"


def test_the_flag_and_its_alarm_decisions_fold_back_the_same(recorder, clock):
    seq = trial(recorder, clock)
    recorder.flag_artifact("RN7", seq, "cuff slipped", parameters=BP)
    s = recorder.session
    again = fold(s.session_id, recorder.store.events(s.session_id))
    assert again.entries[seq].flagged == frozenset(BP)
    assert [(a.key, a.priority, a.message, a.active) for a in again.alarms.values()] == [
        (a.key, a.priority, a.message, a.active) for a in s.alarms.values()]
    flag = next(e for e in s.events if e.kind is EventKind.ARTIFACT)
    assert flag.payload["parameters"] == BP


def test_a_flag_without_parameters_covers_the_whole_entry(recorder, clock):
    seq = trial(recorder, clock)
    recorder.flag_artifact("RN7", seq, "wrong patient")
    entry = recorder.session.entries[seq]
    assert entry.artifact and entry.status == "artifact"
    assert not {"bp", "spo2", "hr"} & {a.key for a in recorder.session.active_alarms()
                                      if a.priority == "high"}


@pytest.mark.hazard("H-041")
def test_a_struck_reading_never_keeps_its_latched_alarm(recorder, clock):
    """Struck as entered in error (the wrong patient's reading): its alarm ends too."""
    baseline_vitals(recorder)
    recorder.start_infusion("RN7", rate="0.35", rate_unit="mg/kg/h")
    clock.advance(600)
    wrong = recorder.record_vitals({"sbp": "186", "dbp": "84"}, "RN7")
    alarm = by_group(recorder)["bp"]
    clock.advance(60)
    recorder.record_vitals({"sbp": "130", "dbp": "80"}, "RN7")
    assert alarm.active  # latched
    recorder.strike("RN7", wrong.seq, "another patient's reading")
    assert not alarm.active and alarm.resolved_reason == STRUCK_REASON
    assert "bp" not in by_group(recorder)
