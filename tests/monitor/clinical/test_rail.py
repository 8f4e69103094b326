"""The value rail's decisions, made in the core: value text, age, device, staleness,
and which row an alarm colours."""

from __future__ import annotations

import pytest

from monitor.clinical.rail import rail_values, stale_after
from monitor.record.recorder import Recorder
from tests.conftest import baseline_vitals


def _row(rec: Recorder, row: str):
    return {v.row: v for v in rail_values(rec.session, rec.protocol, rec.clock.now())}[row]


def test_rows_text_age_and_staleness(recorder: Recorder) -> None:
    assert _row(recorder, "bp").text == "—" and _row(recorder, "bp").age_s is None
    baseline_vitals(recorder)
    manual_s, device_s = stale_after(recorder.protocol)
    assert manual_s == (15 + 5) * 60 and device_s > 0  # chronic-pain-iv: recovery cadence 15
    bp = _row(recorder, "bp")
    assert (bp.text, bp.age_s, bp.device, bp.stale) == ("128/82", 0.0, False, False)
    recorder.clock.advance(manual_s + 1)
    assert _row(recorder, "bp").stale and _row(recorder, "bp").age_s == manual_s + 1
    at = recorder.clock.now()
    recorder.record_device_vitals([({"hr": "77"}, at, "dev-1")])
    hr = _row(recorder, "hr")
    assert (hr.text, hr.device, hr.stale) == ("77", True, False)
    recorder.clock.advance(device_s + 1)
    assert _row(recorder, "hr").stale
    assert [v.row for v in rail_values(recorder.session, recorder.protocol,
                                       recorder.clock.now())][:3] == ["bp", "hr", "spo2"]


def test_the_sedation_row_follows_the_protocols_scale(recorder: Recorder) -> None:
    baseline_vitals(recorder)  # records MOAA/S 5
    sed = _row(recorder, "sedation")
    assert (sed.title, sed.text) == ("MOAA/S", "5")


def test_an_alarm_on_a_parameter_colours_its_row(recorder: Recorder) -> None:
    baseline_vitals(recorder)
    recorder.record_vitals({"sbp": "190", "dbp": "95"}, "RN7")  # above the high SBP limit
    assert _row(recorder, "bp").alarm == "high"
    assert _row(recorder, "hr").alarm == ""


@pytest.mark.hazard("H-332")
def test_a_monitors_cuff_bp_is_not_stale_between_cycles(recorder: Recorder) -> None:
    """A cuff BP is episodic (CLINICAL §5): stale only past the cadence and its grace,
    never after the 1 Hz stream's "no data" seconds (the trial: STALE after ~35 s)."""
    baseline_vitals(recorder)
    manual_s, device_s = stale_after(recorder.protocol)
    at = recorder.clock.now()
    recorder.record_device_vitals([({"sbp": "134", "dbp": "86", "hr": "80"}, at, "dev-1")])
    recorder.clock.advance(device_s + 10)
    bp, hr = _row(recorder, "bp"), _row(recorder, "hr")
    assert (bp.text, bp.device, bp.stale) == ("134/86", True, False)
    assert hr.stale  # the streamed heart rate follows the stream's rule
    recorder.clock.advance(manual_s - device_s)
    assert _row(recorder, "bp").stale
