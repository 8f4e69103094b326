"""What the nurse confirms at a discharge before the criteria are met is the exact list
of unmet items she was shown: anything different by the time she answers (a new HIGH
alarm under the same "No active alarm" item, a worse value, a figure that moved) is
asked again, and the record keeps the list she confirmed (CLINICAL §7;
docs/alarms-and-protocols.md). The case: 30 min after 84 mg esketamine, SBP 200/120
(HIGH active), MOAA/S 3, CADSS-6 18."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from monitor.errors import ConfirmationNeeded
from monitor.record.recorder import Recorder
from tests.conftest import PRESCRIBED
from tests.monitor.clinical.test_discharge_act import READY, unsafe_esketamine


def _hr_135(rec: Recorder) -> None:
    rec.record_vitals({"hr": "135"}, "RN7")               # HR ≥ 131: a new HIGH alarm


def _moaas_2(rec: Recorder) -> None:
    rec.record_assessment({"moaas": 2}, "RN7")            # deeper than the 3 shown


def _cadss_24(rec: Recorder) -> None:
    rec.record_assessment({"cadss6": [4] * 6}, "RN7")     # 24, worse than the 18 shown


def _a_minute(rec: Recorder) -> None:
    rec.clock.advance(60)                                 # 30 → 31 of 120 min


def _nothing(_rec: Recorder) -> None:
    pass


@pytest.mark.hazard("H-021")
@pytest.mark.parametrize(("meanwhile", "new_line"), [
    (_nothing, None),                                             # the same list: stored
    (_hr_135, "No active alarm: HIGH SBP 200"),                   # same key, one more alarm
    (_moaas_2, "Sedation back to baseline: 2 vs baseline 5"),
    (_cadss_24, "Dissociation resolved: CADSS-6 24 > 1"),
    (_a_minute, "Minimum observation time met: 31 of 120 min"),
])
def test_a_discharge_confirmed_against_another_list_is_asked_again(
        store, clock, protocols, meanwhile: Callable[[Recorder], None], new_line):
    rec = unsafe_esketamine(store, clock, protocols)
    checklist = {**READY, "ready_to_leave_at": clock.now(), **PRESCRIBED}
    with pytest.raises(ConfirmationNeeded) as first:
        rec.discharge("RN7", checklist)
    shown = first.value.warnings
    meanwhile(rec)
    if new_line is None:
        ev = first.value.retry()
        assert ev.payload["confirmed_unmet"] == shown
        return
    with pytest.raises(ConfirmationNeeded) as again:
        first.value.retry()                              # "Discharge anyway" on the old list
    assert rec.session.discharge is None                 # nothing stored unseen
    assert again.value.warnings != shown
    assert any(line.startswith(new_line) for line in again.value.warnings), again.value.warnings
    if meanwhile is _hr_135:
        alarm_line = next(w for w in again.value.warnings if w.startswith("No active alarm"))
        assert "HIGH HR 135" in alarm_line               # the new alarm is named
    ev = again.value.retry()                             # confirmed on what was shown
    assert ev.payload["confirmed_unmet"] == again.value.warnings


@pytest.mark.hazard("H-021")
def test_an_item_met_meanwhile_asks_again_with_the_shorter_list(store, clock, protocols):
    rec = unsafe_esketamine(store, clock, protocols)
    checklist = {**READY, "ready_to_leave_at": clock.now(), **PRESCRIBED}
    with pytest.raises(ConfirmationNeeded) as first:
        rec.discharge("RN7", checklist)
    rec.record_assessment({"moaas": 5}, "RN7")           # sedation back: one item fewer
    with pytest.raises(ConfirmationNeeded) as again:
        first.value.retry()
    assert len(again.value.warnings) == len(first.value.warnings) - 1
    assert not any(w.startswith("Sedation back") for w in again.value.warnings)
