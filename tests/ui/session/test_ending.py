"""Nothing ends monitoring silently (issue 23 #1, #2; CLINICAL §7): closing the
window by any means and leaving the session ask first while dosing runs, in
recovery before discharge or with an active alarm, and say what stops and what
goes on. Driven by real close events, clicks and keys on the real window."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QCloseEvent, QColor
from PySide6.QtWidgets import QApplication

from tests.conftest import PRESCRIBED, discharge_confirmed
from tests.support.window import at_screen, click, make_window, type_into
from ui.common import theme
from ui.main_window import CLOSED_WATCHING_KEY, OPEN_KEY


def _alarming(rec, clock) -> None:
    """Dosing with HIGH alarms nobody acknowledged (BP, HR, SpO2, RR)."""
    rec.start_infusion("RN7", rate="0.35", rate_unit="mg/kg/h")
    clock.advance(600)
    rec.record_vitals({"sbp": "190/115", "hr": "135", "spo2": "89", "rr": "26"}, "RN7")
    assert any(a.priority == "high" for a in rec.session.active_alarms())


@pytest.mark.hazard("H-100")
def test_close_during_dosing_with_high_alarms_asks_and_keeps_monitoring(
        qtbot, bedside, clock):
    window, page, rec = bedside
    _alarming(rec, clock)
    assert window.close() is False                      # window.close() → closeEvent
    question = window.ending
    assert window.isVisible() and question is not None and question.isVisible()
    assert "MRN-0042 is being dosed" in question.why.text()
    assert "HIGH SBP 190 ≥ 180" in question.why.text()
    # The question stands under the banner: the alarms it is about stay in view.
    banner = page.banner
    assert question.frameGeometry().top() > banner.mapToGlobal(banner.rect().bottomLeft()).y()
    stops, keeps = question.stops.text(), question.keeps.text()
    assert "alarm checks and alarm sound for this patient" in stops and "pump" in stops
    assert "everything recorded is saved" in keeps and "next start" in keeps
    # Enter keeps monitoring (the default): the window, the session and its banner stay.
    qtbot.keyClick(question, Qt.Key.Key_Return)
    assert not question.isVisible() and window.isVisible() and window.page is page
    assert page.banner.rows[0].isVisible()
    # The window manager's close (Alt+F4, the title bar's ✕): the same question.
    event = QCloseEvent()
    QApplication.sendEvent(window, event)
    assert not event.isAccepted() and window.ending.isVisible()
    # Enter on the other button, reached by Tab, still keeps monitoring.
    window.ending.end_button.setFocus()
    qtbot.keyClick(window.ending.end_button, Qt.Key.Key_Return)
    assert window.isVisible() and window.page is page and not window.ending.isVisible()


@pytest.mark.hazard("H-100")
def test_ctrl_q_asks_and_answering_close_keeps_the_session_for_the_next_start(
        qtbot, store, clock, protocols):
    from monitor.record.recorder import Recorder
    from tests.conftest import OPENING, baseline_vitals
    window = make_window(qtbot, store, clock, protocols)
    rec = Recorder.open_new(store, clock, protocols, dict(OPENING))
    baseline_vitals(rec)
    page = window.open_session(rec)
    qtbot.waitUntil(lambda: page.charts is not None)
    rec.start_infusion("RN7", rate="0.35", rate_unit="mg/kg/h")
    qtbot.waitUntil(lambda: getattr(window, "quit_key", None) is not None)
    qtbot.keyClick(page.vitals.edits["hr"], Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    question = window.ending
    assert question is not None and question.isVisible() and window.isVisible()
    assert "is being dosed" in question.why.text()
    click(qtbot, question.end_button)                   # the nurse chooses to close
    assert not window.isVisible()
    sid = rec.session.session_id
    assert QSettings().value(OPEN_KEY) == sid and QSettings().value(CLOSED_WATCHING_KEY)
    # The next start opens the session as it was, and says why.
    again = make_window(qtbot, store, clock, protocols)
    assert again.page is not None and again.page.recorder.session.session_id == sid
    assert "was open when the monitor was closed" in again.notice.text()
    assert again.page.recorder.session.phase == "infusing"
    again.shutdown()
    again.close()


def test_close_asks_in_recovery_but_not_after_discharge_without_alarms(
        qtbot, bedside, clock):
    window, _page, rec = bedside
    rec.start_infusion("RN7", rate="0.35", rate_unit="mg/kg/h")
    clock.advance(600)
    rec.stop_infusion("RN7")
    assert window.close() is False and "in recovery, not discharged" in window.ending.why.text()
    click(qtbot, window.ending.keep_button)
    clock.advance(3700)
    rec.record_vitals({"sbp": "128/82", "hr": "72", "spo2": "98", "rr": "14", "temp": "36.8"},
                     "RN7")
    rec.record_assessment({"moaas": 5}, "RN7")
    for a in rec.session.active_alarms():
        rec.acknowledge("RN7", a.alarm_id, "re-measured")
    rec.tick()
    discharge_confirmed(rec, {"escort_present": True, "no_driving_advice": True,
                              "ready_to_leave_at": clock.now(), **PRESCRIBED})
    assert not rec.session.active_alarms()
    assert window.close() is True and not window.isVisible()
    assert QSettings().value(OPEN_KEY) is None          # nothing to resume


def test_half_typed_entry_while_dosing_is_named_in_the_one_question(qtbot, bedside, clock):
    window, page, rec = bedside
    rec.start_infusion("RN7", rate="0.35", rate_unit="mg/kg/h")
    type_into(qtbot, page.vitals.edits["hr"], "7")
    window.close()
    assert "half-typed entry is discarded" in window.ending.stops.text()
    click(qtbot, window.ending.keep_button)
    assert page.vitals.edits["hr"].text() == "7"


@pytest.mark.hazard("H-101", "H-109")
def test_leaving_an_alarming_session_asks_and_its_alarms_go_on_in_the_list(
        qtbot, bedside, clock):
    window, page, rec = bedside
    _alarming(rec, clock)
    click(qtbot, window.sessions_button)
    question = window.ending
    assert question is not None and question.isVisible() and window.page is page
    assert question.windowTitle() == "Leave this session?"
    assert "still checked and sound while the list is shown" in question.keeps.text()
    click(qtbot, question.keep_button)
    assert window.page is page and page.isVisible()
    at_screen(qtbot, window, (1280, 800))
    click(qtbot, window.sessions_button)
    click(qtbot, window.ending.end_button)
    assert window.page is None
    table = window.start_page.table
    sid = rec.session.session_id
    row = next(r for r in range(table.rowCount()) if table.item(r, 0).text() == sid)
    cell = table.item(row, 2)
    count = len(rec.session.active_alarms())
    # Word, not colour alone; "sounding" only when a speaker really plays it (finding 2
    # of the 1280×800 trial: the banner said "✕ No sound", the list "sounding").
    heard = ("sounding" if window.background.watched[sid].sound.available
             else "alarming · ✕ no sound")
    assert cell.text() == f"HIGH ×{count} · {heard}"
    view = table.viewport().rect()
    assert view.contains(table.visualItemRect(cell))                # no scrolling to see it
    assert cell.background().color() == QColor(theme.PRIORITY_COLOR["high"])
    assert table.item(row, 3).background().color() == QColor(theme.PRIORITY_COLOR["high"])
    # The list shown, the session is still evaluated and its alarms still sound.
    watched = window.background.watched[sid]
    events = len(rec.store.events(sid))
    for _ in range(4):
        clock.advance(60)
        window._on_tick()
    assert watched.sound.played and watched.sound.played[-1].priority == "high"
    rec.record_vitals({"sbp": "150/90", "hr": "100", "spo2": "85", "rr": "8"}, "RN7")
    window._on_tick()
    assert len(rec.store.events(sid)) > events          # rules decided, in the record
    assert any("RR" in a.message for a in rec.session.active_alarms())
    # Opened again from the list: the same recorder (never a second one), sounding on its page.
    table.selectRow(row)
    click(qtbot, window.start_page.resume_button)
    assert window.page is not None and window.page.recorder is rec
    assert sid not in window.background.watched


@pytest.mark.hazard("H-100", "H-109")
def test_closing_from_the_list_asks_while_a_left_session_is_watched(qtbot, bedside, clock):
    window, _page, rec = bedside
    _alarming(rec, clock)
    click(qtbot, window.sessions_button)
    click(qtbot, window.ending.end_button)
    assert window.page is None and window.close() is False
    assert "MRN-0042 is being dosed" in window.ending.why.text()
    assert "open the sessions again from the list" in window.ending.keeps.text()
    click(qtbot, window.ending.keep_button)
    assert window.isVisible() and window.background.watched


def test_leaving_before_dosing_without_alarms_asks_nothing(qtbot, bedside):
    window, _page, _rec = bedside
    click(qtbot, window.sessions_button)
    assert window.ending is None and window.page is None
