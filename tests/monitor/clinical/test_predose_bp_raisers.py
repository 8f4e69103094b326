"""A "yes" on psychostimulants or MAOIs in the pre-infusion checklist is named at Start
and needs a confirmation, as a CNS depressant is (CLINICAL §7: they raise BP, and the
REMS form asks about them); a "no" is recorded silently."""

from __future__ import annotations

import pytest

from monitor.errors import ConfirmationNeeded
from monitor.record.recorder import Recorder
from tests.conftest import CHECKLIST_DONE, OPENING, baseline_vitals


def checked(store, clock, protocols, protocol: str, answers: dict[str, str]) -> Recorder:
    rec = Recorder.open_new(store, clock, protocols, {**OPENING, "protocol": protocol})
    baseline_vitals(rec)                                        # the clean checklist first
    rec.record_checklist("RN7", {**CHECKLIST_DONE, **answers})  # then this case's answers
    return rec


def start(rec: Recorder):
    if rec.protocol.dose_mode == "single":
        return rec.start_infusion("RN7", dose_mg="56", lot="L1")
    return rec.start_infusion("RN7", rate="0.35", rate_unit="mg/kg/h")


@pytest.mark.hazard("H-025")
@pytest.mark.parametrize("protocol", ["chronic-pain-iv", "esketamine-nasal"])
@pytest.mark.parametrize(("answers", "named"), [
    ({"psychostimulants": "no", "maois": "no"}, []),
    ({"psychostimulants": "yes", "maois": "no"}, ["Concomitant psychostimulants"]),
    ({"psychostimulants": "no", "maois": "yes"}, ["Concomitant MAOIs"]),
    ({"psychostimulants": "yes", "maois": "yes"},
     ["Concomitant psychostimulants", "Concomitant MAOIs"]),
])
def test_bp_raising_drugs_are_named_at_start(store, clock, protocols, protocol, answers,
                                             named):
    rec = checked(store, clock, protocols, protocol, answers)
    if not named:
        start(rec)                                        # no question
        assert rec.session.infusion_started_at is not None
        return
    with pytest.raises(ConfirmationNeeded) as asked:
        start(rec)
    assert rec.session.infusion_started_at is None        # nothing stored before the answer
    (warning,) = asked.value.warnings
    assert warning.startswith("BP-raising drug with ketamine")
    for item in named:
        assert item in warning
    ev = asked.value.retry()
    assert ev.payload["confirmed"] == [warning]           # the record keeps what was confirmed
