"""An acknowledged medium that worsens is a new, sounding HIGH in the window (issue 22 #1),
driven by keys and clicks: Ctrl+K Enter acknowledges, the vitals row records 205/125."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from monitor.clinical.rules.alarms import sounding
from monitor.model.events import EventKind
from monitor.record.recorder import Recorder
from tests.conftest import OPENING, baseline_vitals
from tests.support.window import make_window, type_into


@pytest.fixture
def infusing_page(qtbot, store, clock, protocols):
    window = make_window(qtbot, store, clock, protocols)
    rec = Recorder.open_new(store, clock, protocols, dict(OPENING))
    baseline_vitals(rec)
    rec.start_infusion("RN7", rate="0.35", rate_unit="mg/kg/h")
    page = window.open_session(rec)
    yield page, rec
    window.shutdown()


def record_bp(qtbot, page, bp: str) -> None:
    v = page.vitals
    type_into(qtbot, v.edits["sbp"], bp)
    qtbot.keyClick(v.edits["sbp"], Qt.Key.Key_Return)


@pytest.mark.hazard("H-001")
def test_acknowledged_medium_that_worsens_is_an_unacknowledged_sounding_high(
        qtbot, infusing_page, clock):
    page, rec = infusing_page
    banner = page.banner
    record_bp(qtbot, page, "165/95")                    # SBP 165 ≥ 160: medium
    row = banner.rows[0]
    assert row.isVisible() and row.priority == "medium" and not row.acknowledged
    qtbot.keyClick(page, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(banner.action, Qt.Key.Key_Return)    # acknowledged ("seen")
    assert row.acknowledged and sounding(rec.session, clock.now()) is None

    clock.advance(60)
    page.tick()
    record_bp(qtbot, page, "205/125")                   # SBP 205 ≥ 180: high
    row = banner.rows[0]
    assert row.isVisible() and row.priority == "high"
    assert not row.acknowledged and row.ack.isVisible() and row.flashing
    assert row.text.text() == "SBP 205 ≥ 180"
    assert sounding(rec.session, clock.now()) == "high"
    page.tick()
    assert banner.sound.sound.played[-1].priority == "high"


@pytest.mark.hazard("H-004")
def test_oxygen_started_by_click_is_not_undone_by_the_vitals_row(qtbot, infusing_page, clock):
    page, rec = infusing_page
    qtbot.keyClick(page, Qt.Key.Key_F5)                 # the events palette
    button = page.events.quick_buttons["oxygen_started"]
    qtbot.waitUntil(button.isVisible, timeout=2000)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert page.vitals.o2.currentText() == "oxygen"     # the box follows at once (H-013)
    clock.advance(60)
    record_bp(qtbot, page, "128/82")
    stored = [e for e in rec.store.events(rec.session.session_id)
              if e.kind is EventKind.VITALS][-1]
    assert stored.payload["o2"] == "oxygen", "the record's oxygen carries forward"
    assert page.vitals.o2.currentText() == "oxygen"     # the box now shows it
    assert rec.last_evaluation.news2.scores["o2"] == 2   # NEWS2: oxygen scores 2
