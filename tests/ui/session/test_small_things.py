"""The smaller things from the bedside trial (issue 23 #17), each by clicks and keys on
the real window: a stale "✓ Saved", start form errors, Enter in a list, the export
path and options, the alarm history's width, the "now" label, the MOAA/S ticks and
the session list's Started column."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QApplication

from monitor.record.recorder import Recorder
from tests.conftest import OPENING
from tests.support.window import (
    click,
    make_window,
    open_session_window,
    pick_by_keys,
    type_into,
)


@pytest.fixture
def page_rec(qtbot, store, clock, protocols):
    window, page, rec = open_session_window(qtbot, store, clock, protocols)
    qtbot.waitUntil(lambda: page.charts is not None, timeout=10_000)
    return window, page, rec


def test_a_new_assessment_starts_without_the_last_ones_saved_mark(qtbot, page_rec,
                                                                  clock) -> None:
    _window, page, _rec = page_rec
    page.show_tab(page.assessment)
    a = page.assessment
    click(qtbot, a.sedation_buttons[5])
    click(qtbot, a.record_button)
    assert a.saved.text().startswith("✓ Saved")
    clock.advance(900)
    click(qtbot, a.sedation_buttons[4])  # the next assessment begins
    assert a.saved.text() == ""
    click(qtbot, a.record_button)
    assert a.saved.text().startswith("✓ Saved")
    qtbot.keyClick(page, Qt.Key.Key_Escape)  # the panel closes ...
    page.show_tab(page.assessment)  # ... and opens again later: a new assessment
    assert a.saved.text() == ""


@pytest.fixture
def start(qtbot, store, clock, protocols):
    window = make_window(qtbot, store, clock, protocols)
    return window, window.start_page


def test_start_errors_name_titles_and_go_once_a_valid_choice_is_made(qtbot, start,
                                                                      protocols) -> None:
    _window, page = start
    click(qtbot, page.start_button)
    error = page.field_errors["protocol"]
    assert error.isVisible()
    for pid, proto in protocols.protocols.items():
        assert proto.name in error.text() and pid not in error.text()
    page.protocol.setFocus()
    qtbot.keyClick(page.protocol, Qt.Key.Key_Down)  # a valid choice, by keys
    assert page.protocol.currentData() is not None
    assert not error.isVisible() and error.text() == ""
    indication_error = page.field_errors["indication_text"]
    assert indication_error.isVisible()
    page.indication.setFocus()
    qtbot.keyClick(page.indication, Qt.Key.Key_Down)
    assert not indication_error.isVisible()


def test_enter_on_a_list_moves_to_the_next_field(qtbot, start) -> None:
    _window, page = start
    type_into(qtbot, page.edits["nurse_id"], "RN7", enter=True)
    assert page.indication.hasFocus()
    qtbot.keyClick(page.indication, Qt.Key.Key_Down)
    qtbot.keyClick(page.indication, Qt.Key.Key_Return)
    # "other" not chosen: its text field is hidden, Enter goes to the protocol
    assert page.protocol.hasFocus()
    qtbot.keyClick(page.protocol, Qt.Key.Key_Return)
    assert not page.protocol.hasFocus()
    assert page.focusWidget() is page.spo2_scale2  # REMS fields hidden: skipped
    assert page.service.sessions() == []  # Enter never opened a session


def test_the_session_list_shows_started_whole(qtbot, store, clock, protocols) -> None:
    Recorder.open_new(store, clock, protocols, dict(OPENING))
    window = make_window(qtbot, store, clock, protocols)
    page = window.start_page
    page.refresh()
    col = page.COLUMNS.index("Started")
    text = page.table.item(0, col).text()
    assert len(text) == len("2026-03-02 09:00")
    metrics = page.table.fontMetrics()
    assert metrics.horizontalAdvance(text) < page.table.columnWidth(col)


def test_the_export_path_keeps_its_folder_and_name_and_wide_is_for_csv(
        qtbot, page_rec, tmp_path: Path) -> None:
    _window, page, _rec = page_rec
    dialog = page.open_export("pdf")
    qtbot.waitExposed(dialog)
    assert not dialog.wide.isVisible()  # a PDF has no wide form
    chosen = tmp_path / "ward 3" / "night-report.pdf"
    type_into(qtbot, dialog.path, str(chosen))
    pick_by_keys(qtbot, dialog.format, "csv")
    assert dialog.path.text() == str(tmp_path / "ward 3" / "night-report.csv")
    assert dialog.wide.isVisible()
    pick_by_keys(qtbot, dialog.format, "fhir")
    assert dialog.path.text() == str(tmp_path / "ward 3" / "night-report.fhir.json")
    assert not dialog.wide.isVisible()
    click(qtbot, dialog.deidentify)  # the name said whom: a new name, same folder
    assert dialog.path.text() == str(tmp_path / "ward 3" / "ketamine-deidentified.fhir.json")
    dialog.close()


@pytest.fixture
def wide_page(qtbot, store, clock, protocols):
    """The session page alone at a 1366×768 screen's size (the window caps itself at
    the offscreen screen's 800 px)."""
    from monitor.record.service import Service
    from tests.conftest import baseline_vitals
    from ui.session.session_page import SessionPage

    def make(size: tuple[int, int] = (1366, 708)):
        rec = Recorder.open_new(store, clock, protocols, dict(OPENING))
        baseline_vitals(rec)
        page = SessionPage(rec, Service(store, clock, protocols))
        qtbot.addWidget(page)
        page.resize(*size)
        page.show()
        qtbot.waitExposed(page)
        qtbot.waitUntil(lambda: page.charts is not None)
        QApplication.processEvents()
        return page, rec
    return make


def test_the_alarm_history_never_scrolls_sideways(qtbot, wide_page) -> None:
    page, rec = wide_page()
    rec.record_vitals({"sbp": "196", "dbp": "118", "hr": "136", "spo2": "86", "rr": "7"},
                      "RN7", confirmed=True)
    page.show_tab(page.alarm_history)
    history = page.alarm_history
    history.refresh()
    QApplication.processEvents()
    table = history.table
    assert table.rowCount() >= 3
    assert table.horizontalScrollBar().maximum() == 0
    right = table.columnViewportPosition(5) + table.columnWidth(5)
    assert right <= table.viewport().width()
    metrics = table.fontMetrics()
    for row in range(table.rowCount()):  # a long message wraps: its row is tall enough
        text = table.item(row, 2).text()
        lines = -(-metrics.horizontalAdvance(text) // max(1, table.columnWidth(2) - 8))
        assert table.rowHeight(row) >= lines * metrics.lineSpacing(), text


def test_now_is_never_cut_to_ow(qtbot, page_rec) -> None:
    _window, page, _rec = page_rec
    charts = page.charts
    for span in ("All", "2 h", "30 min"):
        click(qtbot, charts.span_buttons[span])
        QApplication.processEvents()
        label = charts.now_lines[0].label
        box = charts.plots["bp"].getViewBox().sceneBoundingRect()
        drawn = label.mapRectToScene(label.boundingRect())
        assert label.isVisible() and box.contains(drawn), (span, drawn, box)


def _drawn_labels(axis) -> list[str]:
    image = QImage(10, 10, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    try:
        _axis, _ticks, texts = axis.generateDrawSpecs(painter)
    finally:
        painter.end()
    return [text for _rect, _flags, text in texts]


@pytest.mark.parametrize("size", [(1366, 708), (1280, 740)])
def test_the_moaas_lane_has_its_tick_labels(qtbot, themed, wide_page, size) -> None:
    page, _rec = wide_page(size)
    axis = page.charts.plots["sed"].getAxis("left")
    assert {"0", "5"} <= set(_drawn_labels(axis))


@pytest.mark.hazard("H-246")
def test_after_end_infusion_the_focus_is_on_the_vitals_row(qtbot, page_rec, clock) -> None:
    window, page, rec = page_rec
    rec.start_infusion("RN7", rate="0.35", rate_unit="mg/kg/h", confirmed=True)
    clock.advance(600)
    page.show_tab(page.infusion)
    panel = page.infusion
    qtbot.waitUntil(panel.stop_button.isVisible)
    click(qtbot, panel.stop_button)
    dialog = panel.dialog
    qtbot.waitUntil(dialog.isVisible)
    qtbot.keyClick(dialog.confirm_button, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: rec.session.phase == "recovery" and not dialog.isVisible())
    # the window's focus (where keys go once it is active again) is the vitals row
    qtbot.waitUntil(lambda: window.focusWidget() is page.vitals.edits["sbp"], timeout=2_000)
