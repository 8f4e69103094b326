"""An alarm's priority is read into the Priority enum when the log is folded: a record
whose alarm names a priority that does not exist (a damaged or foreign file) shows that
event as unreadable, and the rules go on, instead of failing on every evaluation."""

from __future__ import annotations

import pytest

from monitor.clinical.rules.engine import evaluate
from monitor.model.events import EventKind
from monitor.model.session import Priority, fold
from monitor.record.recorder import Recorder
from tests.conftest import baseline_vitals

RAISED = {"key": "bp", "rule": "limit", "parameter": "sbp", "message": "SBP 200",
          "value": 200, "limit": 180, "also": [], "readings": []}


@pytest.mark.hazard("H-298")
def test_an_alarm_of_unknown_priority_is_unreadable_and_the_rules_go_on(
        recorder, store, clock, protocols):
    sid = recorder.session.session_id
    store.append(sid, EventKind.ALARM_RAISED, {**RAISED, "priority": "critical"},
                 author="system", observed_at=clock.now(), recorded_at=clock.now())
    session = fold(sid, store.events(sid))
    (event, why), = session.unreadable
    assert event.kind is EventKind.ALARM_RAISED and "critical" in why
    assert session.active_alarms() == []
    again = Recorder(store, sid, clock, protocols)
    baseline_vitals(again, sbp=200)  # a real SBP 200: raised at its own priority
    (alarm,) = again.session.active_alarms()
    assert alarm.priority is Priority.HIGH and alarm.key == "bp"
    assert evaluate(again.session, again.protocol, clock.now()).conditions


def test_priorities_from_the_log_are_enums(recorder, store):
    baseline_vitals(recorder, sbp=200)
    sid = recorder.session.session_id
    (alarm,) = fold(sid, store.events(sid)).active_alarms()
    assert alarm.priority is Priority.HIGH and alarm.raised_priority is Priority.HIGH
