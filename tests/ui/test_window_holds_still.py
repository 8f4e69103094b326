"""The bedside window holds still and says what matters at the ward's screen sizes
(issue 23 #11, #12, #14): a refused value moves nothing, a paused infusion is a
calm state of its own, and the header's facts are not cut at 1280 px.

Offscreen Qt has an 800×800 screen: the window is sized to the client area the
two ward screens give under a window manager with a 30 px taskbar (measured
under Xvfb + icewm by tests/xvfb: 1356×709 at 1366×768, 1270×741 at 1280×800)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication, QWidget

from tests.support.window import CLIENT, at_screen, click, type_into
from ui.session.header import PAUSED_TEXT

SIZES = list(CLIENT)


def where(widget: QWidget) -> QRect:
    top_left = widget.mapTo(widget.window(), widget.rect().topLeft())
    return QRect(top_left, widget.size())


def alarming(rec, clock) -> None:
    rec.start_infusion("RN7", rate="0.35", rate_unit="mg/kg/h")
    clock.advance(600)
    rec.record_vitals({"sbp": "190/115", "hr": "135", "spo2": "89", "rr": "26"}, "RN7")


def cut(label) -> bool:
    """A one-line label shows less than its text."""
    return (label.isVisible()
            and label.fontMetrics().horizontalAdvance(label.text()) > label.contentsRect().width())


@pytest.mark.hazard("H-105")
@pytest.mark.parametrize("screen", SIZES)
def test_a_refused_value_moves_nothing(qtbot, themed, bedside, clock, screen):
    window, page, rec = bedside
    alarming(rec, clock)
    at_screen(qtbot, window, screen)
    qtbot.waitUntil(lambda: page.charts is not None)
    v = page.vitals
    assert sum(r.isVisible() for r in page.banner.rows) == 2    # the banner at its maximum
    watched = [v, v.record_button, *v.edits.values(), page.header, page.rail]

    def geometry():
        QApplication.processEvents()
        lane = page.charts.plots["bp"].getViewBox().height()
        return [where(w) for w in watched], round(lane)

    before = geometry()
    type_into(qtbot, v.edits["hr"], "400", enter=True)                   # refused
    assert v.field_errors["hr"].isVisible() and "HR 400" in v.field_errors["hr"].text()
    assert geometry() == before
    # Three refused at once, and a long message: still one line, nothing moves: one
    # message whole, the others named beside it (the trial's cut messages, issue 23 #2).
    type_into(qtbot, v.edits["sbp"], "abc")
    type_into(qtbot, v.edits["spo2"], "150")
    type_into(qtbot, v.edits["temp"], "98.6", enter=True)
    said = [m for m in v.field_errors.values() if m.full_text()]
    assert len(said) >= 3
    assert geometry() == before
    shown = [m for m in v.field_errors.values() if m.isVisible()]
    assert len(shown) == 1 and v.line.more.isVisible()
    assert len({where(m).y() for m in (*shown, v.line.more)}) == 1    # side by side
    # Corrected and recorded: the messages go, the row is where it was.
    for key, text in (("sbp", "150/90"), ("hr", "100"), ("spo2", "95"), ("temp", "")):
        type_into(qtbot, v.edits[key], text)
    qtbot.keyClick(v.edits["rr"], Qt.Key.Key_Return)
    assert not any(m.isVisible() for m in v.field_errors.values())
    assert geometry() == before


@pytest.mark.hazard("H-106")
def test_a_paused_infusion_is_a_calm_band_of_its_own(qtbot, themed, bedside, clock):
    _window, page, rec = bedside
    rec.start_infusion("RN7", rate="0.35", rate_unit="mg/kg/h")
    header = page.header
    assert header.phase.text() == "INFUSING"
    running = header.phase.grab().toImage()
    click(qtbot, page.drawer.button_for("Infusion"))
    type_into(qtbot, page.infusion.reason, "nausea")
    click(qtbot, page.infusion.pause_button)
    qtbot.keyClick(page.infusion.confirm_button, Qt.Key.Key_Return)
    assert rec.session.paused
    assert header.phase.text() == PAUSED_TEXT and "INFUSING" not in header.phase.text()
    band = header.phase.grab().toImage().pixelColor(2, header.phase.height() // 2)
    assert band == QColor("#4B5D8C")                                    # a steady band
    assert running.pixelColor(2, running.height() // 2) != band
    assert not any(t.isActive() for t in page.banner.flash_timers.values())  # calm: no flash
    assert header.rate.text() == "at 0.35 mg/kg/h · 24.5 mg/h"          # paused at, resumes at
    click(qtbot, page.infusion.resume_button)
    qtbot.keyClick(page.infusion.confirm_button, Qt.Key.Key_Return)
    assert header.phase.text() == "INFUSING"


@pytest.mark.hazard("H-107")
@pytest.mark.parametrize("screen", SIZES)
def test_header_facts_are_not_cut_while_paused_with_alarms(qtbot, themed, bedside, clock,
                                                          screen):
    window, page, rec = bedside
    alarming(rec, clock)
    clock.advance(300)
    rec.pause_infusion("RN7", "nausea")
    page.tick()
    at_screen(qtbot, window, screen)
    h = page.header
    for label in (h.patient, h.phase, h.elapsed, h.rate, h.dose, h.news2, h.overdue,
                  h.next_due):
        assert label.isVisible() or label is h.overdue, label.accessibleName()
        assert not cut(label), (label.accessibleName(), label.text(), label.width())
    assert "Jane Doe" in h.patient.text() and "mg/kg" in h.dose.text()
    assert h.news2.text() == "NEWS2 — no temp" or h.news2.text().startswith("NEWS2 ")
    assert h.next_due.isVisible() and " in " in h.next_due.text()


@pytest.mark.hazard("H-107")
@pytest.mark.parametrize("screen", SIZES)
def test_recovery_shows_the_observation_left_in_the_header(qtbot, themed, bedside, clock,
                                                          screen):
    window, page, rec = bedside
    rec.start_infusion("RN7", rate="0.35", rate_unit="mg/kg/h")
    clock.advance(600)
    rec.stop_infusion("RN7")
    clock.advance(600)
    page.tick()
    at_screen(qtbot, window, screen)
    h = page.header
    assert h.min_obs.isVisible() and not h.rate.isVisible()
    assert h.min_obs.text().startswith("Observe ") and "min more (of " in h.min_obs.text()
    assert not cut(h.min_obs)


def test_news2_dash_says_what_is_missing(qtbot, store, clock, protocols):
    from monitor.record.recorder import Recorder
    from tests.conftest import OPENING
    from tests.support.window import make_window
    window = make_window(qtbot, store, clock, protocols)
    rec = Recorder.open_new(store, clock, protocols, dict(OPENING))
    page = window.open_session(rec)
    rec.record_vitals({"sbp": "128/82", "hr": "72", "spo2": "98", "rr": "14"}, "RN7")
    rec.record_assessment({"moaas": 5}, "RN7")
    assert page.header.news2.text() == "NEWS2 — no temp"
    window.shutdown()
