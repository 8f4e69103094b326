"""Locked controls look locked and no key makes them act; a signed record's
countdowns keep moving (issue 23 #8). Driven by clicks and keys on the real window;
"looks" is read from the pixels the window paints."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from tests.conftest import PRESCRIBED, discharge_confirmed
from tests.support.window import click, kinds, type_into

PRIMARY = QColor("#0072B2")


@pytest.fixture(autouse=True)
def _themed(themed):
    """The look the nurse gets."""


def lit_share(widget) -> float:
    """The share of the widget's pixels painted in the primary (live) blue."""
    image = widget.grab().toImage()
    hits = total = 0
    for x in range(0, image.width(), 2):
        for y in range(0, image.height(), 2):
            c = image.pixelColor(x, y)
            total += 1
            hits += (abs(c.red() - PRIMARY.red()) + abs(c.green() - PRIMARY.green())
                     + abs(c.blue() - PRIMARY.blue())) < 30
    return hits / max(total, 1)


def _sign(qtbot, page, rec, clock, *, pause_audio: bool = False) -> None:
    rec.start_infusion("RN7", rate="0.35", rate_unit="mg/kg/h")
    clock.advance(600)
    rec.stop_infusion("RN7")
    clock.advance(3700)
    rec.record_vitals({"sbp": "128/82", "hr": "72", "spo2": "98", "rr": "14", "temp": "36.8"},
                     "RN7")
    rec.record_assessment({"moaas": 5}, "RN7")
    for a in rec.session.active_alarms():
        if not a.acknowledged:
            rec.acknowledge("RN7", a.alarm_id, "re-measured")
    if pause_audio:
        rec.pause_audio("RN7")
    discharge_confirmed(rec, {"escort_present": True, "no_driving_advice": True,
                              "ready_to_leave_at": clock.now(), **PRESCRIBED})
    click(qtbot, page.drawer.button_for("Discharge"))
    d = page.discharge
    type_into(qtbot, d.sign_nurse, "RN7")
    click(qtbot, d.close_button)
    click(qtbot, d.dialog.confirm_button)
    assert rec.session.phase == "closed"


@pytest.mark.hazard("H-103")
def test_discharge_and_sign_look_locked_during_the_infusion(qtbot, bedside):
    _window, page, rec = bedside
    rec.start_infusion("RN7", rate="0.35", rate_unit="mg/kg/h")
    click(qtbot, page.drawer.button_for("Discharge"))
    d = page.discharge
    assert lit_share(page.vitals.record_button) > 0.5          # a live primary button
    for locked in (d.discharge_button, d.close_button):
        assert not locked.isEnabled()
        assert lit_share(locked) < 0.05, locked.text()          # not painted as live
    before = kinds(rec.store, rec.session.session_id)
    d.discharge_button.setFocus()
    qtbot.keyClick(d.discharge_button, Qt.Key.Key_Return)
    assert kinds(rec.store, rec.session.session_id) == before


@pytest.mark.hazard("H-103")
def test_signed_record_locks_look_locked_enter_acts_only_on_export(qtbot, bedside, clock):
    _window, page, rec = bedside
    _sign(qtbot, page, rec, clock)
    d = page.discharge
    for locked in (d.discharge_button, d.close_button, page.vitals.record_button):
        assert not locked.isEnabled() and lit_share(locked) < 0.05, locked.text()
    for combo in d.aldrete.values():
        assert not combo.isEnabled()
    before = kinds(rec.store, rec.session.session_id)
    # Ctrl+Return (record the vitals row) does nothing on the locked row, and says nothing.
    qtbot.keyClick(page, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert kinds(rec.store, rec.session.session_id) == before
    assert not page.vitals.general.isVisible()
    # Exports of a signed record are allowed: Enter on the focused Export button opens it.
    export = d.export_buttons[0]
    assert export.isEnabled()
    export.setFocus()
    qtbot.keyClick(export, Qt.Key.Key_Return)
    assert page.export_dialog is not None and page.export_dialog.isVisible()
    page.export_dialog.close()


@pytest.mark.hazard("H-104")
def test_audio_pause_countdown_and_sound_status_move_on_a_signed_record(
        qtbot, bedside, clock):
    window, page, rec = bedside
    _sign(qtbot, page, rec, clock, pause_audio=True)
    banner = page.banner
    window._on_tick()
    first = banner.pause.text()
    assert first.startswith(("Audio paused 2:00", "Audio paused 1:5"))
    clock.advance(30)
    window._on_tick()
    assert banner.pause.text() != first and banner.pause.text().startswith("Audio paused 1:")
    assert "checking" not in banner.sound.status.text()     # the output was checked
    clock.advance(120)
    window._on_tick()
    assert not banner.pause.text().startswith("Audio paused")
