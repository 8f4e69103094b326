"""Another patient's alarms never leave the screen (trial at 1280×800, screens 100,
101): session A, left for the list with active alarms, is still evaluated and still
sounds; while session B is shown, B's banner says "✓ No active alarms" for B, and the
banner's top row says "Also alarming: MRN-0042 · …" in the colour of A's worst
unacknowledged alarm, flashing as its priority requires, with a button (Ctrl+O) that
opens A, asking first as leaving does when B still watches a patient. It takes no
room from anything below the banner. The list and the line say what A's speaker
really does: "✕ no sound" when the banner says "✕ No sound". Driven by clicks and
keys on the real window."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QApplication, QWidget

from monitor.model.session import Priority
from monitor.record.recorder import Recorder
from tests.conftest import OPENING, baseline_vitals
from tests.support.window import CLIENT, at_screen, click
from ui.common import theme
from ui.session.background import Left
from ui.session.others_line import OthersLine

OTHER = {**OPENING, "patient_id": "MRN-0077", "display_name": "John Roe"}


def where(widget: QWidget) -> QRect:
    return QRect(widget.mapTo(widget.window(), widget.rect().topLeft()), widget.size())


def _leave(qtbot, window) -> None:
    """◀ Sessions, then "Leave the session" in the question it asks."""
    click(qtbot, window.sessions_button)
    assert window.ending is not None and window.ending.isVisible()
    click(qtbot, window.ending.end_button)
    assert window.page is None


def _open_from_list(qtbot, window, rec: Recorder) -> Recorder:
    """Click the session's row in the list, then "Open selected session": the
    recorder the window opened it with."""
    page = window.start_page
    page.refresh(window.background.summary())
    table = page.table
    row = next(r for r in range(table.rowCount())
               if table.item(r, 0).text() == rec.session.session_id)
    rect = table.visualItemRect(table.item(row, 1))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    click(qtbot, page.resume_button)
    assert window.page is not None and window.page.recorder.session.session_id == (
        rec.session.session_id)
    return window.page.recorder


def _medium(rec: Recorder) -> None:
    rec.record_vitals({"sbp": "165/95", "hr": "72", "spo2": "97", "rr": "14"}, "RN7")
    assert {a.priority for a in rec.session.active_alarms()} == {Priority.MEDIUM}


def _high(rec: Recorder) -> None:
    rec.record_vitals({"sbp": "190/115", "hr": "135", "spo2": "97", "rr": "14"}, "RN7")
    assert any(a.priority is Priority.HIGH for a in rec.session.active_alarms())


@pytest.fixture
def two(qtbot, themed, bedside, store, clock, protocols):
    """Session A (MRN-0042) alarming at medium, left for the list; session B
    (MRN-0077) opened from the list: (window, A's recorder, B's recorder)."""
    window, _page, rec_a = bedside
    clock.advance(60)
    _medium(rec_a)
    _leave(qtbot, window)
    rec_b = Recorder.open_new(store, clock, protocols, dict(OTHER))
    baseline_vitals(rec_b)
    return window, rec_a, _open_from_list(qtbot, window, rec_b)


@pytest.mark.hazard("H-310")
@pytest.mark.parametrize("screen", list(CLIENT))
def test_another_sessions_alarms_stay_on_screen_and_move_nothing(qtbot, two, screen):
    window, rec_a, rec_b = two
    page = window.page
    at_screen(qtbot, window, screen)
    qtbot.waitUntil(lambda: page.charts is not None)
    line = window.others
    # B is calm; its banner says so for B, and the line says A is not.
    assert not rec_b.session.active_alarms() and page.banner.calm.isVisible()
    assert line.isVisible()
    count = len(rec_a.session.active_alarms())
    assert line.text.text().startswith(f"!! Also alarming: MRN-0042 MEDIUM ×{count}: SBP")
    # Word and symbol, not colour alone, readable in full: the facts are not cut.
    facts = line.text.fontMetrics().horizontalAdvance(line.text.text().split(": SBP")[0])
    assert facts <= line.text.contentsRect().width()
    assert window.rect().contains(where(line))                  # in the window, on screen
    assert page.banner.isAncestorOf(line)                       # in the banner's top row
    assert line.flash.isActive() and line.flash.interval() == 1000  # medium: ~0.5 Hz
    assert theme.PRIORITY_COLOR[Priority.MEDIUM] in line.styleSheet()
    # The line is no taller than the top row's buttons: the rows' room starts where it did.
    assert line.height() <= window.sessions_button.height()
    below = [page.banner.room, page.header, page.rail, page.vitals,
             page.vitals.record_button, page.drawer]

    def geometry():
        QApplication.processEvents()
        return [(where(w).y(), where(w).height()) for w in below]

    with_line = geometry()
    # A's alarms resolve (its monitor or a colleague records normal values): the line
    # goes at the next tick, and nothing below the banner moves.
    rec_a.record_vitals({"sbp": "128/82", "hr": "72", "spo2": "98", "rr": "14"}, "RN7")
    qtbot.waitUntil(lambda: not line.isVisible(), timeout=3000)
    assert not line.flash.isActive()
    assert geometry() == with_line
    # A alarms again, HIGH: the line comes back red and flashing at ~2 Hz, and A sounds.
    _high(rec_a)
    qtbot.waitUntil(line.isVisible, timeout=3000)
    assert line.text.text().startswith("!!! Also alarming: MRN-0042 HIGH ×")
    assert line.flash.interval() == 250
    assert geometry() == with_line
    sound = window.background.watched[rec_a.session.session_id].sound
    qtbot.waitUntil(lambda: any(p.priority == "high" for p in sound.played), timeout=3000)


@pytest.mark.hazard("H-310")
def test_the_line_goes_when_the_other_alarms_are_acknowledged(qtbot, two, clock):
    window, rec_a, _rec_b = two
    line = window.others
    assert line.isVisible()
    for alarm in rec_a.session.active_alarms():
        rec_a.acknowledge("RN8", alarm.alarm_id, "seen")
    qtbot.waitUntil(lambda: not line.isVisible(), timeout=3000)
    # Still in the list, in the colour of its worst alarm.
    assert rec_a.session.active_alarms()


@pytest.mark.hazard("H-310")
def test_the_button_opens_the_alarming_session(qtbot, two):
    window, rec_a, rec_b = two
    assert window.others.open.text() == "Open  Ctrl+O"
    assert window.others.open.toolTip() == "Open MRN-0042's session"
    asked = window.ending  # the question asked when A was left
    click(qtbot, window.others.open)  # B watches nobody: no question
    assert window.ending is asked and not asked.isVisible()
    assert window.page is not None and window.page.recorder is rec_a  # the same recorder
    assert rec_a.session.session_id not in window.background.watched
    assert rec_b.session.session_id not in window.background.watched
    assert not window.others.isVisible()
    assert window.page.banner.rows[0].isVisible()  # A's own banner shows its alarms


@pytest.mark.hazard("H-312")
def test_switching_from_an_infusing_session_asks_first(qtbot, two):
    window, rec_a, rec_b = two
    page_b = window.page
    rec_b.start_infusion("RN7", rate="0.35", rate_unit="mg/kg/h")
    click(qtbot, window.others.open)
    question = window.ending
    assert question is not None and question.isVisible()
    assert question.windowTitle() == "Leave this session for MRN-0042?"
    assert "MRN-0077 is being dosed" in question.why.text()
    assert "MRN-0042's session is shown" in question.keeps.text()
    click(qtbot, question.keep_button)
    assert window.page is page_b                                # nothing changed
    window.activateWindow()  # the window manager's part once the question closes
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=3000)
    # By key: Ctrl+O asks the same; leaving opens A and B goes on being watched.
    qtbot.keyClick(page_b.vitals.edits["sbp"], Qt.Key.Key_O,
                   Qt.KeyboardModifier.ControlModifier)
    assert window.ending.isVisible() and window.ending.end_button.text() == (
        "Leave and open MRN-0042")
    click(qtbot, window.ending.end_button)
    assert window.page is not None and window.page.recorder is rec_a
    assert rec_b.session.session_id in window.background.watched
    # B alarms while A is shown: A's banner names B.
    _high(rec_b)
    qtbot.waitUntil(window.others.isVisible, timeout=3000)
    assert "MRN-0077 HIGH ×" in window.others.text.text()


@pytest.mark.hazard("H-311")
def test_the_list_and_the_line_say_what_the_speaker_really_does(qtbot, themed, bedside,
                                                                  store, clock, protocols):
    window, page, rec_a = bedside
    clock.advance(60)
    _medium(rec_a)
    qtbot.waitUntil(lambda: page.banner.sound.sound.probed, timeout=3000)
    banner_says = page.banner.sound.status.text()
    no_device = banner_says == "✕ No sound"
    _leave(qtbot, window)
    table = window.start_page.table
    sid = rec_a.session.session_id
    row = next(r for r in range(table.rowCount()) if table.item(r, 0).text() == sid)
    cell = table.item(row, 2).text()
    count = len(rec_a.session.active_alarms())
    heard = "alarming · ✕ no sound" if no_device else "sounding"
    assert cell == f"MEDIUM ×{count} · {heard}"                 # the banner's fact
    assert ("sounding" in cell) is not no_device
    # Still so a tick later (the list is refreshed live).
    clock.advance(1)
    qtbot.waitUntil(lambda: window.background.summary()[sid].heard == heard, timeout=3000)
    # The line on another session's banner says the same.
    rec_b = Recorder.open_new(store, clock, protocols, dict(OTHER))
    baseline_vitals(rec_b)
    _open_from_list(qtbot, window, rec_b)
    assert window.others.text.text().endswith(f" · {heard}")


@pytest.mark.hazard("H-310")
def test_a_low_alarm_elsewhere_is_steady_and_named_like_the_trials(qtbot, themed):
    """The trial's case: three "no data" alarms at low priority, no audio device."""
    line = OthersLine()
    qtbot.addWidget(line)
    low = Left("a", "MRN300001", Priority.LOW, 3, Priority.LOW, "SpO2 no data for 2 min",
               "alarming · ✕ no sound")
    line.show_left([low])
    assert line.text.text() == ("! Also alarming: MRN300001 LOW ×3: SpO2 no data for 2 min"
                                " · alarming · ✕ no sound")
    assert not line.flash.isActive()                                # low: steady
    assert f"background: {theme.PRIORITY_COLOR[Priority.LOW]}" in line.styleSheet()
    line.show_left([])
    assert line.isHidden() and not line.session_id
