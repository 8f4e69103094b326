"""The alarm banner's room is kept: alarms coming and going move nothing below it
(issue 23 #13, trial #5), at the ward's two screen sizes, and with the banner at its
maximum (two rows, each with its "also:" line) every control stays on screen."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QApplication, QWidget

from tests.support.window import CLIENT, at_screen, click, type_into

SIZES = list(CLIENT)


def where(widget: QWidget) -> QRect:
    top_left = widget.mapTo(widget.window(), widget.rect().topLeft())
    return QRect(top_left, widget.size())


def record(qtbot, page, sbp: str, hr: str, spo2: str, rr: str) -> None:
    v = page.vitals
    for key, text in (("sbp", sbp), ("hr", hr), ("spo2", spo2), ("rr", rr)):
        type_into(qtbot, v.edits[key], text)
    click(qtbot, v.record_button)


@pytest.mark.hazard("H-250")
@pytest.mark.parametrize("screen", SIZES)
def test_alarms_coming_and_going_move_nothing_below_the_banner(qtbot, themed, bedside,
                                                               clock, screen):
    window, page, rec = bedside
    rec.start_infusion("RN7", rate="0.35", rate_unit="mg/kg/h")
    at_screen(qtbot, window, screen)
    qtbot.waitUntil(lambda: page.charts is not None)
    click(qtbot, page.drawer.button_for("Events"))
    v = page.vitals
    watched = [v, v.record_button, page.header, page.rail, page.drawer, page.drawer.panel,
               page.drawer.button_for("Events")]

    def geometry():
        QApplication.processEvents()
        return [(where(w).y(), where(w).height()) for w in watched]

    assert not page.banner.recorder.session.active_alarms()
    calm = geometry()
    clock.advance(300)
    rec.record_assessment({"moaas": 3}, "RN7")
    record(qtbot, page, "190/115", "135", "89", "8")
    shown = [r for r in page.banner.rows if r.isVisible()]
    assert len(shown) == 2 and all(r.others.isVisible() for r in shown)  # at its maximum
    assert all(r.height() >= r.sizeHint().height() for r in shown)      # none squeezed
    assert geometry() == calm
    # The acknowledge form takes a row's place: nothing moves either.
    qtbot.keyClick(v.edits["sbp"], Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    assert page.banner.ack_panel.isVisible()
    assert geometry() == calm
    click(qtbot, page.banner.ack_cancel)
    clock.advance(300)
    rec.record_assessment({"moaas": 5}, "RN7")
    record(qtbot, page, "128/82", "80", "97", "15")
    while any(not a.acknowledged for a in rec.session.active_alarms()):  # the latched ones
        row = next(r for r in page.banner.rows if r.isVisible() and r.ack.isVisible())
        click(qtbot, row.ack)
        click(qtbot, page.banner.ack_confirm)
    assert not rec.session.active_alarms()
    assert geometry() == calm


@pytest.mark.hazard("H-250")
@pytest.mark.parametrize("screen", SIZES)
def test_with_the_banner_at_its_maximum_every_panel_fits(qtbot, themed, bedside, clock,
                                                          screen):
    window, page, rec = bedside
    rec.start_infusion("RN7", rate="0.35", rate_unit="mg/kg/h")
    at_screen(qtbot, window, screen)
    qtbot.waitUntil(lambda: page.charts is not None)
    clock.advance(300)
    rec.record_assessment({"moaas": 3}, "RN7")
    record(qtbot, page, "190/115", "135", "89", "8")
    assert sum(r.others.isVisible() for r in page.banner.rows) == 2
    inside = window.rect()
    for title in ("Assessment", "Infusion", "Events", "Log", "Alarms", "Discharge"):
        click(qtbot, page.drawer.button_for(title))
        QApplication.processEvents()
        panel = page.drawer.current()
        assert page.drawer.scrolls[panel].verticalScrollBar().maximum() == 0, title
        assert inside.contains(where(page.drawer.panel)), title
        # Side by side, none under another: charts, panel, the strip's buttons.
        assert where(page.charts).right() < where(page.drawer.panel).left(), title
        assert where(page.drawer.panel).right() < where(page.drawer.button_for(title)).left()
        assert inside.contains(where(page.vitals.record_button)), title
