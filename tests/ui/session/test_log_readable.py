"""The log reads whole at the bedside (issue 23): a long assessment, a note and an
alarm with its other reasons wrap in the What column, their rows as tall as the text,
at 1366x768; an alarm's acknowledgement and resolution name the alarm. Driven by keys
and clicks on the real window."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QStyle, QStyleOptionViewItem, QTableView

from tests.support.window import at_screen, click, pick_by_keys, type_into
from ui.session.log_heights import MAX_LINES

COMMENT = ("patient reports tingling in both hands and a feeling of floating above the "
           "chair; reassured, music on, eye mask off at her request, husband informed")


def _text_rect_fits(table: QTableView, index: QModelIndex) -> bool:
    """Whether the cell's whole text fits where the item delegate draws it (Qt's own
    text rectangle for the cell, less the style's text margins), word-wrapped."""
    option = QStyleOptionViewItem()
    table.itemDelegate().initStyleOption(option, index)
    option.rect = table.visualRect(index)
    option.features |= QStyleOptionViewItem.ViewItemFeature.WrapText
    style = table.style()
    rect = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, option, table)
    margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, table) + 1
    rect = rect.adjusted(margin, 0, -margin, 0)
    needed = option.fontMetrics.boundingRect(rect, Qt.TextFlag.TextWordWrap, option.text)
    return needed.height() <= rect.height() and needed.width() <= rect.width()


def _row_of(model, kind: str, containing: str) -> int:
    rows = [r for r in range(model.rowCount())
            if model.cell(r, 1) == kind and containing in model.cell(r, 2)]
    assert rows, f"no {kind} row with {containing!r}"
    return rows[-1]


@pytest.fixture
def page_1366(qtbot, bedside):
    window, page, rec = bedside
    qtbot.waitUntil(lambda: page.charts is not None, timeout=10_000)
    at_screen(qtbot, window, (1366, 768))
    return window, page, rec


def _open_log(qtbot, page):
    qtbot.keyClick(page, Qt.Key.Key_F6)
    log = page.log
    qtbot.waitUntil(lambda: log.table.isVisible() and not log.heights.timer.isActive())
    return log


@pytest.mark.hazard("H-260")
def test_a_long_assessment_and_note_wrap_whole_in_the_log_at_1366(qtbot, page_1366) -> None:
    window, page, _rec = page_1366
    qtbot.keyClick(page, Qt.Key.Key_F3)                       # the assessment panel
    a = page.assessment
    click(qtbot, a.sedation_buttons[4])
    type_into(qtbot, a.comment, COMMENT)
    click(qtbot, a.record_button)
    assert a.saved.text().startswith("✓ Saved")
    qtbot.keyClick(page, Qt.Key.Key_F5)                       # a long note too
    ev = page.events
    type_into(qtbot, ev.note, "husband on his way, will drive her home; she asks for the "
              "lights down and no talking for the next half hour", enter=True)
    log = _open_log(qtbot, page)
    table, model = log.table, log.model
    assert window.width() <= 1366
    row = _row_of(model, "assessment recorded", "tingling")
    index = model.index(row, 2)
    assert COMMENT in model.cell(row, 2)
    metrics = table.fontMetrics()
    assert metrics.horizontalAdvance(model.cell(row, 2)) > table.columnWidth(2), (
        "the case: longer than the What column")
    assert table.rowHeight(row) > table.verticalHeader().defaultSectionSize()
    assert _text_rect_fits(table, index), "the assessment is cut"
    note = _row_of(model, "note added", "husband on his way")
    assert _text_rect_fits(table, model.index(note, 2)), "the note is cut"
    # Every row the nurse sees is whole, and the newest row is still in view.
    table.scrollToBottom()
    shown = range(table.rowAt(0), model.rowCount())
    assert model.rowCount() - 1 in shown
    assert all(_text_rect_fits(table, model.index(r, 2)) for r in shown)
    assert table.columnViewportPosition(0) == 0  # Time never scrolls out of view
    # A click on the wrapped row selects it (nothing scrolls sideways).
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton,
                     pos=table.visualRect(index).center())
    assert log.selected_event().seq == model.rows[row].seq
    assert table.horizontalScrollBar().value() == 0


@pytest.mark.hazard("H-260")
def test_rows_fit_again_when_the_column_narrows_and_a_line_break_shows(
        qtbot, page_1366, clock) -> None:
    window, page, rec = page_1366
    rec.add_note("RN7", "first line\nsecond line: pupils equal, reactive\nthird line")
    log = _open_log(qtbot, page)
    table, model = log.table, log.model
    note = _row_of(model, "note added", "first line")
    assert _text_rect_fits(table, model.index(note, 2)), "a line break shows one line only"
    wide = table.rowHeight(note)
    assert wide >= 3 * table.fontMetrics().lineSpacing()
    before = table.columnWidth(2)
    window.resize(1100, window.height())                      # a narrower What
    # the refit runs once the resize has been laid out (a 0 ms timer after it)
    qtbot.waitUntil(lambda: table.columnWidth(2) < before and not log.heights.timer.isActive())
    # every row fits, or (a very long text in a narrow column) holds MAX_LINES lines and
    # the rest is in its tooltip and the Selected line
    capped = MAX_LINES * table.fontMetrics().lineSpacing()
    qtbot.waitUntil(lambda: all(_text_rect_fits(table, model.index(row, 2))
                                or table.rowHeight(row) >= capped
                                for row in range(table.rowAt(0), model.rowCount())))
    # The next entry arrives as a new row and is fitted as it comes.
    clock.advance(60)
    rec.add_note("RN7", "a further long note about how the patient is doing, what she "
                 "said, and what was done about it at the bedside in the dim room")
    last = model.rowCount() - 1
    assert _text_rect_fits(table, model.index(last, 2))


@pytest.mark.hazard("H-261")
def test_the_log_names_the_alarm_that_was_acknowledged_and_resolved(
        qtbot, page_1366, clock) -> None:
    _window, page, rec = page_1366
    rec.start_infusion("RN7", rate="0.35", rate_unit="mg/kg/h")
    v = page.vitals
    type_into(qtbot, v.edits["sbp"], "165/95", enter=True)   # SBP 165 ≥ 160: medium
    banner = page.banner
    qtbot.keyClick(page, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(banner.action, Qt.Key.Key_Return)          # acknowledged: seen
    clock.advance(60)
    page.tick()
    type_into(qtbot, v.edits["sbp"], "150/90", enter=True)   # back in range: resolved
    log = _open_log(qtbot, page)
    pick_by_keys(qtbot, log.filter, "Alarms")
    model = log.model
    ack = _row_of(model, "alarm acknowledged", "SBP")
    assert model.cell(ack, 2) == "SBP 165 ≥ 160 (MEDIUM) acknowledged: seen"
    resolved = _row_of(model, "alarm resolved", "SBP")
    assert model.cell(resolved, 2) == "SBP 165 ≥ 160 (MEDIUM) resolved: condition cleared"
    qtbot.mouseClick(log.table.viewport(), Qt.MouseButton.LeftButton,
                     pos=log.table.visualRect(model.index(ack, 2)).center())
    assert "SBP 165 ≥ 160 (MEDIUM) acknowledged: seen" in log.selected_text.text()
