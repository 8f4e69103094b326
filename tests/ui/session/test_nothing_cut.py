"""Nothing the nurse reads or types into is cut at the ward's screen sizes (issue 23,
left open after the trial at 1280×800): the infusion checklist beside a repeat
patient's "Last session" button, the acknowledge comment on a long alarm, and the
"Last session" button beside the chart's key."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from monitor.app.course_demo import NOW, build_course
from monitor.clinical.protocols import load_protocols
from monitor.clock import ManualClock
from monitor.log.sqlite.store import Store
from monitor.record.recorder import Recorder
from tests.conftest import OPENING
from tests.support.window import CLIENT, at_screen, click, make_window

SIZES = list(CLIENT)
PANELS = ("Assessment", "Infusion", "Events", "Log", "Alarms", "Discharge")


def where(widget: QWidget) -> QRect:
    top_left = widget.mapTo(widget.window(), widget.rect().topLeft())
    return QRect(top_left, widget.size())


def label_fits(lab: QLabel) -> bool:
    """All of the label's text is shown: one line within its width, or wrapped lines
    within its height."""
    if lab.wordWrap():
        return lab.heightForWidth(lab.width()) <= lab.height()
    return lab.sizeHint().width() <= lab.width()


def shows_all(widget: QWidget) -> bool:
    return widget.width() >= widget.sizeHint().width()


@pytest.fixture
def repeat_patient(qtbot, tmp_path: Path, themed):
    """A new session of a patient with four earlier ones, not dosed yet: the charts
    show the "Last session" button."""
    store = Store(tmp_path / "series.db")
    build_course(store)
    clock = ManualClock(NOW)
    protocols = load_protocols()
    window = make_window(qtbot, store, clock, protocols)
    rec = Recorder.open_new(store, clock, protocols, dict(OPENING))
    rec.record_vitals({"sbp": "128/82", "hr": "72", "spo2": "98", "rr": "14"}, "RN7")
    page = window.open_session(rec)
    qtbot.waitUntil(lambda: window.course_view is not None and window.course_view.isVisible())
    click(qtbot, window.course_view.close_button)          # the nurse goes to the charts
    assert page.charts.overlay_button.isVisible()
    yield window, page
    window.shutdown()
    window.close()
    store.close()


@pytest.mark.hazard("H-251")
@pytest.mark.parametrize("screen", SIZES)
def test_the_infusion_checklist_is_whole_beside_the_last_session_button(
        qtbot, repeat_patient, screen):
    window, page = repeat_patient
    at_screen(qtbot, window, screen)
    click(qtbot, page.drawer.button_for("Infusion"))
    QApplication.processEvents()
    infusion = page.infusion
    panel, strip = where(page.drawer.panel), where(page.drawer.button_for("Infusion"))
    assert panel.right() < strip.left()                           # not under the strip
    assert where(page.charts).right() < panel.left()              # nor under the charts
    view = page.drawer.scrolls[infusion].viewport()
    shown = QRect(view.mapTo(window, view.rect().topLeft()), view.size())
    box = infusion.checklist_box
    parts = [*infusion.checklist.values(), infusion.checklist_button,
             infusion.checklist_state, infusion.start_button,
             *box.findChildren(QLabel)]
    for w in parts:
        assert w.isVisible() and shown.contains(where(w)), (w.accessibleName(), w.text()
                                                             if isinstance(w, QLabel) else "")
        assert shows_all(w) or (isinstance(w, QLabel) and label_fits(w)), w.accessibleName()


@pytest.mark.hazard("H-251")
@pytest.mark.parametrize("screen", SIZES)
def test_the_last_session_button_never_covers_the_chart_key(qtbot, repeat_patient, screen):
    window, page = repeat_patient
    at_screen(qtbot, window, screen)
    charts = page.charts
    for title in (None, *PANELS):
        if title is not None:
            click(qtbot, page.drawer.button_for(title))
        QApplication.processEvents()
        button, key = charts.overlay_button, charts.key
        assert button.isVisible() and key.isVisible(), title
        assert not where(button).intersects(where(key)), title
        assert shows_all(button), (title, button.text(), button.width())
        assert label_fits(key), (title, key.width())
        assert all(shows_all(b) for b in charts.span_buttons.values()), title
        assert where(charts).right() < where(page.drawer.panel).left() or title is None


@pytest.mark.hazard("H-251")
@pytest.mark.parametrize("screen", SIZES)
def test_the_acknowledge_comment_is_whole_on_a_long_alarm(qtbot, themed, bedside, clock,
                                                          screen):
    window, page, rec = bedside
    rec.start_infusion("RN7", rate="0.35", rate_unit="mg/kg/h")
    at_screen(qtbot, window, screen)
    clock.advance(300)
    rec.record_assessment({"moaas": 3}, "RN7")
    rec.record_vitals({"sbp": "190/115", "hr": "135", "spo2": "89", "rr": "8"}, "RN7")
    banner = page.banner
    row = banner.rows[0]
    assert len(row.text.text()) > 50 and row.others.isVisible()   # a long alarm
    click(qtbot, row.ack)
    QApplication.processEvents()
    assert banner.ack_panel.isVisible()
    assert banner.ack_for.text().startswith(f"Acknowledge “{row.text.text()}”")
    assert label_fits(banner.ack_for), banner.ack_for.text()
    for w in (banner.action, banner.comment, banner.ack_confirm, banner.ack_cancel):
        assert shows_all(w), (w.accessibleName(), w.width(), w.sizeHint().width())
    qtbot.keyClicks(banner.comment, "BP re-measured in 5 min, physician called")
    assert banner.comment.fontMetrics().horizontalAdvance(banner.comment.text()) < (
        banner.comment.width())
    qtbot.keyClick(banner.comment, Qt.Key.Key_Return)
    assert not banner.ack_panel.isVisible()
    acks = [e for e in rec.session.events if e.kind.value == "alarm_acknowledged"]
    assert acks and acks[-1].payload.get("comment") == "BP re-measured in 5 min, physician called"
