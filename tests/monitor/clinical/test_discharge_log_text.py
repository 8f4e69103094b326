"""The log says which discharge it was and who decided (a nurse's trial: the row read
"session discharged" for a discharge on a prescriber's decision): every criterion met,
a named prescriber's decision with the reason, or left against advice. The same words
serve the .vital export's event track; a de-identified file drops the typed name."""

from __future__ import annotations

import pytest

from monitor.clinical.describe import describe
from monitor.model.events import EventKind
from monitor.record.recorder import Recorder
from tests.conftest import OPENING, PRESCRIBED, baseline_vitals, discharge_confirmed

READY = {"escort_present": True, "no_driving_advice": True}


def _recovery(store, clock, protocols) -> Recorder:
    rec = Recorder.open_new(store, clock, protocols, dict(OPENING))
    baseline_vitals(rec)
    rec.start_infusion("RN7", rate="0.35", rate_unit="mg/kg/h")
    clock.advance(600)
    rec.stop_infusion("RN7")
    return rec


def _discharged_text(rec: Recorder, **kw) -> str:
    ev = next(e for e in rec.session.events if e.kind is EventKind.DISCHARGED)
    return describe(ev.kind, ev.payload, **kw)


@pytest.mark.hazard("H-327")
def test_a_prescribers_decision_is_named_with_the_prescriber_and_the_reason(
        store, clock, protocols):
    rec = _recovery(store, clock, protocols)
    discharge_confirmed(rec, {**READY, "ready_to_leave_at": clock.now(), **PRESCRIBED})
    text = _discharged_text(rec)
    assert text == ("discharged before the criteria were met on the decision of Dr Okafor: "
                    "reviewed at the bedside, stable, may go home")
    hidden = _discharged_text(rec, text=lambda _t: "")      # a de-identified file
    assert hidden == "discharged before the criteria were met on the decision of a prescriber"


@pytest.mark.hazard("H-327")
def test_against_advice_and_every_criterion_met_say_so(store, clock, protocols):
    rec = _recovery(store, clock, protocols)
    discharge_confirmed(rec, {"ready_to_leave_at": clock.now(),
                              "override": "left_against_advice",
                              "override_reason": "walked out, refused to stay"})
    assert _discharged_text(rec) == "left against advice: walked out, refused to stay"
    met = describe(EventKind.DISCHARGED, {"checks": {}, "override": None,
                                          "prescriber": None, "override_reason": None})
    assert met == "discharged with every criterion met"
