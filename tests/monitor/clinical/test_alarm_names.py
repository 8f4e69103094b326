"""The log names what an alarm was about, not its number (issue 23): an acknowledgement,
a re-announcement and a resolution read "SBP 165 ≥ 160 (MEDIUM) acknowledged: seen",
from the recorded alarm events, as the alarm stood when the event was recorded.

Figures worked by hand (chronic-pain-iv limits): SBP medium ≥ 160, high ≥ 180; DBP
medium ≥ 100, high ≥ 110."""

from __future__ import annotations

import pytest

from monitor.clinical.describe import AlarmNames, describe
from monitor.model.events import EventKind
from tests.conftest import baseline_vitals


@pytest.fixture
def infusing(recorder):
    baseline_vitals(recorder)  # 128/82
    recorder.start_infusion("RN7", rate="0.35", rate_unit="mg/kg/h")
    return recorder


def _texts(events, kinds) -> list[str]:
    names = AlarmNames(events)
    return [describe(e.kind, e.payload, alarm=names.about(e)) for e in events
            if e.kind in kinds]


REFERRING = {EventKind.ALARM_ACKNOWLEDGED, EventKind.ALARM_REANNOUNCED,
             EventKind.ALARM_RESOLVED}


@pytest.mark.hazard("H-261")
def test_acknowledgements_and_resolutions_name_the_alarm_as_it_stood(infusing, clock) -> None:
    rec = infusing
    rec.record_vitals({"sbp": "165/95"}, "RN7")          # SBP 165 ≥ 160: medium
    alarm = rec.session.alarms[rec.session.active_alarm_by_key["bp"]]
    rec.acknowledge("RN7", alarm.alarm_id, "seen")
    clock.advance(60)
    rec.record_vitals({"sbp": "186/104"}, "RN7")         # SBP 186 ≥ 180: high, DBP 104 ≥ 100
    assert alarm.priority == "high" and not alarm.acknowledged
    rec.acknowledge("RN7", alarm.alarm_id, "physician informed", "Dr Okafor on the phone")
    clock.advance(60)
    rec.record_vitals({"sbp": "150/90"}, "RN7")          # below every BP limit: cleared
    assert not alarm.active
    expected = [
        "SBP 165 ≥ 160 (MEDIUM) acknowledged: seen",      # the priority that was seen
        "SBP 186 ≥ 180 (HIGH) acknowledged: physician informed (Dr Okafor on the phone)",
        "SBP 186 ≥ 180 (HIGH) resolved: condition cleared",
    ]
    assert _texts(rec.session.events, REFERRING) == expected
    # The same words from the file, read back on its own (a reopened record).
    assert _texts(rec.store.events(rec.session.session_id), REFERRING) == expected


@pytest.mark.hazard("H-261")
def test_names_are_added_as_events_come_and_a_later_escalation_keeps_the_earlier_words(
        infusing, clock) -> None:
    rec = infusing
    names = AlarmNames(rec.session.events)
    seen = len(rec.session.events)
    rec.record_vitals({"sbp": "165/95"}, "RN7")
    alarm_id = rec.session.active_alarm_by_key["bp"]
    ack = rec.acknowledge("RN7", alarm_id, "re-measured")
    clock.advance(60)
    rec.record_vitals({"sbp": "190/100"}, "RN7")
    names.add(rec.session.events[seen:])
    assert names.about(ack) == "SBP 165 ≥ 160 (MEDIUM)"
    raised = rec.session.events[alarm_id - 1]
    assert raised.seq == alarm_id and names.about(raised) is None  # names itself


def test_without_names_or_with_a_damaged_alarm_event_it_still_reads(infusing) -> None:
    assert describe(EventKind.ALARM_ACKNOWLEDGED, {"alarm_id": 8, "action": "seen"}) == (
        "alarm 8 acknowledged: seen")
    assert describe(EventKind.ALARM_RESOLVED, {"alarm_id": 8, "reason": "condition cleared"}
                    ) == "alarm 8 resolved: condition cleared"
    # A damaged raise (no priority) and an acknowledgement of an unknown number: no
    # name is made up, and the description says what it can.
    rec = infusing
    last = rec.session.events[-1]
    raised = last._replace(seq=last.seq + 1, kind=EventKind.ALARM_RAISED,
                           payload={"message": "SBP 186 ≥ 180"})
    ack = last._replace(seq=last.seq + 2, kind=EventKind.ALARM_ACKNOWLEDGED,
                        payload={"alarm_id": raised.seq, "action": "seen"})
    names = AlarmNames([raised, ack])
    assert names.about(ack) is None
    assert describe(ack.kind, ack.payload, alarm=names.about(ack)) == (
        f"alarm {raised.seq} acknowledged: seen")
    assert describe(EventKind.ALARM_ACKNOWLEDGED, {"action": "seen"}) == (
        "unreadable alarm acknowledged")
