"""A stale value on the rail looks stale from a metre: grey and struck through, never
in its live or alarm colour, with "STALE 2 min" under its name; a cuff BP between
cycles does not (the trial at 1280×800: big coloured numbers after the monitor went
silent, and BP called STALE 35 s after each cuff reading)."""

from __future__ import annotations

import pytest

from monitor.clinical.rail import stale_after
from monitor.model.session import Priority
from tests.support.window import at_screen, click
from ui.common import theme


@pytest.mark.hazard("H-331")
@pytest.mark.hazard("H-332")
@pytest.mark.parametrize("screen", [(1280, 800), (1366, 768)])
def test_a_silent_monitors_values_look_stale_and_its_cuff_bp_does_not(
        qtbot, bedside, clock, screen):
    window, page, rec = bedside
    at_screen(qtbot, window, screen)
    click(qtbot, page.charts.span_buttons["30 min"])
    _manual_s, device_s = stale_after(rec.protocol)
    for _ in range(15):  # a monitor at 1 Hz for 15 s: SpO2 89 (a HIGH value), HR, and a cuff BP
        rec.record_device_vitals([({"spo2": "89", "hr": "80", "sbp": "134", "dbp": "86"},
                                   clock.now(), "dev-1")])
        clock.advance(1)
    page.tick()
    spo2 = page.rail.values["spo2"]
    high = theme.alarm_text(Priority.HIGH)
    assert high in spo2.styleSheet() and "line-through" not in spo2.styleSheet()
    clock.advance(device_s + 90)  # the monitor went silent
    page.tick()
    for row in ("spo2", "hr"):
        value, age = page.rail.values[row], page.rail.ages[row]
        assert "line-through" in value.styleSheet(), row
        assert high not in value.styleSheet() and theme.current().text not in value.styleSheet()
        assert age.text().startswith("STALE ") and "min" in age.text()
        assert "font-weight: bold" in age.styleSheet()
        assert age.fontMetrics().horizontalAdvance(age.text()) <= age.width()  # whole
        assert "stale" in value.toolTip()
    bp, bp_age = page.rail.values["bp"], page.rail.ages["bp"]
    assert bp.text() == "134/86" and "line-through" not in bp.styleSheet()
    assert bp_age.text().endswith("ago · device")
