"""The "Reopened … Nothing recorded was lost" note (trial screens 61, 65, 80, 87): it
sat in the top row in place of what is due for the whole session, and was still on
the start page after the session was closed and signed, still saying "infusing". It
goes after the nurse's first entry or a minute, and with the page it spoke of."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

import ui.resume_notice
from monitor.record.recorder import Recorder
from tests.conftest import OPENING, baseline_vitals
from tests.support.window import at_screen, click, make_window, type_into
from ui.main_window import CLOSED_WATCHING_KEY, OPEN_KEY


def _reopened_while_infusing(qtbot, store, clock, protocols):
    """The monitor closed while an infusion ran, and started again: the session opens
    with the note."""
    rec = Recorder.open_new(store, clock, protocols, dict(OPENING))
    baseline_vitals(rec)
    rec.start_infusion("RN7", rate="0.35", rate_unit="mg/kg/h")
    QSettings().setValue(OPEN_KEY, rec.session.session_id)
    QSettings().setValue(CLOSED_WATCHING_KEY, True)
    window = make_window(qtbot, store, clock, protocols)
    page = window.page
    assert page is not None
    qtbot.waitUntil(lambda: page.charts is not None, timeout=10_000)
    assert window.notice.isVisible() and "infusing" in window.notice.text()
    return window, page


def _due_shown_whole(page) -> bool:
    due = page.header.next_due
    return due.isVisible() and due.sizeHint().width() <= due.width()


@pytest.mark.hazard("H-328")
def test_the_note_goes_at_the_nurses_first_entry_and_what_is_due_shows_whole(
        qtbot, themed, store, clock, protocols):
    window, page = _reopened_while_infusing(qtbot, store, clock, protocols)
    at_screen(qtbot, window, (1280, 800))
    page.tick()
    v = page.vitals
    for key, text in (("sbp", "128/82"), ("hr", "76"), ("spo2", "98"), ("rr", "14")):
        type_into(qtbot, v.edits[key], text)
    click(qtbot, v.record_button)
    qtbot.waitUntil(lambda: not window.notice.isVisible())
    assert window.notice.text() == ""
    page.tick()
    QApplication.processEvents()
    due = page.header.next_due
    window.grab().save("/tmp/t4d/after-entry.png")
    assert _due_shown_whole(page), (due.text(), due.sizeHint().width(), due.width())
    window.shutdown()


@pytest.mark.hazard("H-328")
def test_the_note_goes_after_a_minute_without_an_entry(qtbot, themed, store, clock, protocols,
                                                       monkeypatch):
    monkeypatch.setattr(ui.resume_notice, "SHOWN_MS", 300)   # the minute, shortened
    window, page = _reopened_while_infusing(qtbot, store, clock, protocols)
    page.tick()                                 # the rules' own decisions do not take it
    assert window.notice.isVisible()
    qtbot.waitUntil(lambda: not window.notice.isVisible(), timeout=3000)
    assert window.notice.text() == ""
    window.shutdown()


@pytest.mark.hazard("H-328")
def test_the_start_page_never_shows_the_note_of_a_session_left(qtbot, themed, store, clock,
                                                               protocols):
    """Reopened in baseline (nothing asks before leaving), then back to the session list
    at once by clicking "◀ Sessions": no "infusing … entries" note stays behind."""
    rec = Recorder.open_new(store, clock, protocols, dict(OPENING))
    baseline_vitals(rec)
    QSettings().setValue(OPEN_KEY, rec.session.session_id)
    QSettings().setValue(CLOSED_WATCHING_KEY, True)
    window = make_window(qtbot, store, clock, protocols)
    assert window.notice.isVisible() and "baseline" in window.notice.text()
    click(qtbot, window.sessions_button)
    qtbot.waitUntil(lambda: window.page is None and window.start_page.isVisible())
    assert not window.notice.isVisible() and window.notice.text() == ""
    window.shutdown()
