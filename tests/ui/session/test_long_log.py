"""The log of a long session (issue 23 #15): a session that crosses midnight, with a
1 Hz monitor feed, built through the recorder with a manual clock. The log dates its
times, opens at the newest row, filters the nurse's own entries, folds a minute of
device samples into one row unless asked, never cuts Kind or What at 1366 px and
never scrolls Time out of view."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QApplication

from monitor.clock import ManualClock
from monitor.record.recorder import Recorder
from monitor.record.service import Service
from tests.conftest import OPENING, baseline_vitals
from tests.support.window import click, pick_by_keys
from ui.session.log_rows import DeviceMinute, is_device_sample
from ui.session.session_page import SessionPage

START = datetime(2026, 3, 2, 23, 40).astimezone()  # local: the session crosses midnight
SAMPLES = 20 * 60  # 23:50:00 to 00:09:59, one a second


@pytest.fixture
def long_page(qtbot, store, protocols):
    clock = ManualClock(START)
    rec = Recorder.open_new(store, clock, protocols, dict(OPENING))
    baseline_vitals(rec)
    first = START + timedelta(minutes=10)
    batch = []
    for n in range(SAMPLES):
        batch.append(({"hr": 70 + n % 5, "spo2": 97 + n % 2}, first + timedelta(seconds=n),
                      "MON-1"))
        if len(batch) == 300:
            clock.set(batch[-1][1])
            rec.record_device_vitals(batch)
            batch = []
    # After midnight, while the monitor still counts as sending (a silence past 30 s
    # would raise "no data", as it should, and add its own rows).
    clock.set(START + timedelta(minutes=30, seconds=5))
    rec.add_note("RN7", "patient asleep, easily roused")  # after midnight
    # The session page alone at the 1366×768 screen's size (the window caps itself at
    # the offscreen screen's 800 px): what a nurse's full-screen window holds.
    page = SessionPage(rec, Service(store, clock, protocols))
    qtbot.addWidget(page)
    page.resize(1366, 768 - 60)  # less the taskbar and the title bar
    page.show()
    qtbot.waitExposed(page)
    page.show_tab(page.log)
    qtbot.waitUntil(lambda: page.log.isVisible())
    return page, page, rec, clock


def _drawn_labels(axis) -> list[str]:
    """The labels the axis really draws (it drops those that do not fit)."""
    image = QImage(10, 10, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    try:
        return [text for _rect, _flags, text in axis.generateDrawSpecs(painter)[2]]
    finally:
        painter.end()


def _rows_shown(table) -> range:
    top = table.rowAt(0)
    bottom = table.rowAt(table.viewport().height() - 1)
    return range(top, (bottom if bottom >= 0 else table.model().rowCount() - 1) + 1)


@pytest.mark.hazard("H-245")
def test_times_carry_the_date_once_the_session_crosses_midnight(qtbot, long_page) -> None:
    _window, page, _rec, _clock = long_page
    model = page.log.model
    times = [model.cell(r, 0) for r in range(model.rowCount())]
    assert times[0] == "2 Mar 23:40" and times[-1] == "3 Mar 00:10", times[-1]
    note = next(r for r in range(model.rowCount()) if model.cell(r, 1) == "note added")
    qtbot.mouseClick(page.log.table.viewport(), Qt.MouseButton.LeftButton,
                     pos=page.log.table.visualRect(model.index(note, 2)).center())
    assert "3 Mar 00:10" in page.log.selected_text.text()


@pytest.mark.hazard("H-240")
def test_the_log_opens_at_its_newest_row(qtbot, long_page) -> None:
    _window, page, _rec, _clock = long_page
    table = page.log.table
    assert table.model().rowCount() - 1 in _rows_shown(table)
    assert table.model().cell(table.model().rowCount() - 1, 1) == "note added"


@pytest.mark.hazard("H-240")
def test_device_samples_fold_per_minute_unless_asked(qtbot, long_page) -> None:
    _window, page, rec, _clock = long_page
    log = page.log
    model = log.model
    samples = [e for e in rec.session.events if is_device_sample(e)]
    assert len(samples) == SAMPLES
    folded = [r for r in model.rows if isinstance(r, DeviceMinute)]
    assert len(folded) == 20 and all(len(g.events) == 60 for g in folded)
    row = model.rows.index(folded[0])
    assert model.cell(row, 2) == "HR 70–74 · SpO2 97–98"
    assert model.cell(row, 1) == "vitals 1 min ×60"
    assert model.cell(row, 0) == "2 Mar 23:50"
    # a folded row is not an entry: the correction names what to do
    log.table.selectRow(row)
    click(qtbot, log.strike_button)
    assert "Every device sample" in log.general.text()

    # a new sample of the newest minute joins its row; nothing is added
    rows = model.rowCount()
    with qtbot.assertNotEmitted(model.rowsInserted):
        rec.record_device_vitals([({"hr": 80, "spo2": 96}, folded[-1].events[-1].observed_at
                                   + timedelta(microseconds=1), "MON-1")])
    assert model.rowCount() == rows and len(folded[-1].events) == 61
    assert "HR 70–80" in model.cell(model.rows.index(folded[-1]), 2)

    click(qtbot, log.every_sample)
    assert model.rowCount() == len(rec.session.events)
    assert not any(isinstance(r, DeviceMinute) for r in model.rows)
    sample = next(r for r in range(model.rowCount()) if model.rows[r].source == "device")
    assert model.cell(sample, 0) == "2 Mar 23:50:00"  # a 1 Hz row has its seconds


@pytest.mark.hazard("H-240")
def test_the_manual_entries_filter_shows_only_what_people_entered(qtbot, long_page) -> None:
    _window, page, rec, _clock = long_page
    log = page.log
    pick_by_keys(qtbot, log.filter, "Manual entries")
    rows = log.model.rows
    manual = [e for e in rec.session.events if e.source == "manual"]
    assert [r.seq for r in rows] == sorted((e.seq for e in manual),
                                           key=lambda s: rec.session.events[s - 1].observed_at
                                           if rec.session.events[s - 1].seq == s else s)
    assert len(rows) == len(manual) and all(r.source == "manual" for r in rows)
    assert log.model.rowCount() - 1 in _rows_shown(log.table)  # still at the newest


def test_kind_and_what_are_never_cut_at_1366(qtbot, long_page) -> None:
    window, page, _rec, _clock = long_page
    assert window.width() <= 1366
    table, model = page.log.table, page.log.model
    metrics = table.fontMetrics()
    for fold in (True, False):
        model.set_fold(fold)
        table.scrollToBottom()
        QApplication.processEvents()
        for row in _rows_shown(table):
            for col in (0, 1, 2):
                text = model.cell(row, col)
                assert metrics.horizontalAdvance(text) + 8 <= table.columnWidth(col), text
        right = table.columnViewportPosition(5) + table.columnWidth(5)
        assert right <= table.viewport().width()  # every column in view, no scrolling


@pytest.mark.hazard("H-245")
def test_ctrl_end_and_clicks_never_scroll_time_out_of_view(qtbot, long_page) -> None:
    _window, page, _rec, _clock = long_page
    table, model = page.log.table, page.log.model
    click(qtbot, page.log.every_sample)
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(table, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    assert table.horizontalScrollBar().value() == 0 and table.columnViewportPosition(0) == 0
    assert table.currentIndex().row() == model.rowCount() - 1
    for col in (5, 2, 4):
        last = model.rowCount() - 2
        qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton,
                         pos=table.visualRect(model.index(last, col)).center())
        assert table.horizontalScrollBar().value() == 0
        assert table.columnViewportPosition(0) == 0
    qtbot.keyClick(table, Qt.Key.Key_Right)
    qtbot.keyClick(table, Qt.Key.Key_End)
    assert table.columnViewportPosition(0) == 0


@pytest.mark.hazard("H-245")
def test_the_charts_all_axis_has_dates_across_midnight(qtbot, long_page) -> None:
    _window, page, _rec, _clock = long_page
    qtbot.waitUntil(lambda: page.charts is not None)
    charts = page.charts
    click(qtbot, charts.span_buttons["All"])
    axis = charts.plots[next(iter(charts.plots))].getAxis("top")
    low, high = axis.range
    ticks = sorted(v for _spacing, values in axis.tickValues(low, high, axis.width() or 600)
                   for v in values)
    labels = axis.tickStrings(ticks, 1.0, 10.0)
    assert "3 Mar 00:00" in labels, labels  # whole hours, aligned on midnight
    assert all(lbl[:6] in ("2 Mar ", "3 Mar ") for lbl in labels), labels
    drawn = _drawn_labels(axis)
    assert drawn and all(lbl[:6] in ("2 Mar ", "3 Mar ") for lbl in drawn), drawn


@pytest.mark.hazard("H-245")
def test_ticks_of_one_day_in_a_view_of_two_carry_the_date() -> None:
    from ui.charts.clock_ticks import tick_labels
    day = datetime(2026, 12, 6, 10, 26)
    view = (datetime(2026, 12, 6, 2, 7), datetime(2026, 12, 7, 1, 56))
    assert tick_labels([day, day + timedelta(hours=8, minutes=20)], view) == [
        "6 Dec 10:26", "6 Dec 18:46"]
    assert tick_labels([day, day + timedelta(hours=1)]) == ["10:26", "11:26"]
