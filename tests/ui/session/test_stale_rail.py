"""A stale value on the rail looks stale from a metre: grey and struck through, never
in its live or alarm colour, with "STALE 2 min" under its name; a cuff BP between
cycles does not (the trial at 1280×800: big coloured numbers after the monitor went
silent, and BP called STALE 35 s after each cuff reading)."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication

from monitor.clinical.rail import stale_after
from monitor.model.session import Priority
from tests.support.window import at_screen, click
from ui.common import theme


@pytest.mark.hazard("H-331")
@pytest.mark.hazard("H-332")
@pytest.mark.parametrize("screen", [(1280, 800), (1366, 768)])
def test_a_silent_monitors_values_look_stale_and_its_cuff_bp_does_not(
        qtbot, themed, bedside, clock, screen):
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
    QApplication.processEvents()  # laid out, as on screen
    for row in ("spo2", "hr"):
        value, age = page.rail.values[row], page.rail.ages[row]
        assert "line-through" in value.styleSheet(), row
        assert high not in value.styleSheet() and theme.current().text not in value.styleSheet()
        assert age.text().startswith("STALE ") and "min" in age.text()
        assert "font-weight: bold" in age.styleSheet()
        assert age.fontMetrics().horizontalAdvance(age.text()) <= age.width()  # whole
        name = page.rail.names[row][0]
        assert name.fontMetrics().horizontalAdvance(name.text()) <= name.width()
        assert "stale" in value.toolTip()
    header = page.header.news2  # NEWS2 says what it lacks, whole
    assert header.fontMetrics().horizontalAdvance(header.text()) <= header.width()
    name = page.rail.names["dissociation"][0]  # the whole name, or its short word
    assert name.text() in ("Dissociation 0-10", "Dissoc. 0-10")
    assert name.fontMetrics().horizontalAdvance(name.text()) <= name.width()
    bp, bp_age = page.rail.values["bp"], page.rail.ages["bp"]
    assert bp.text() == "134/86" and "line-through" not in bp.styleSheet()
    assert bp_age.text().endswith(" · device")  # whole: "2 min ago · device" or "2 min · device"
    assert bp_age.fontMetrics().horizontalAdvance(bp_age.text()) <= bp_age.width()
