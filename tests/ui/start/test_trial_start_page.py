"""The start page's highlighted row is the selection (a nurse's trial: "Open selected
session" said "Select a session in the list first" with the only row highlighted), and
the refusal goes once a row is chosen."""

from __future__ import annotations

from PySide6.QtCore import Qt

from monitor.record.recorder import Recorder
from tests.conftest import OPENING
from tests.support.window import click, make_window


def test_open_selected_opens_the_highlighted_only_row(qtbot, store, clock, protocols):
    rec = Recorder.open_new(store, clock, protocols, dict(OPENING))
    sid = rec.session.session_id
    window = make_window(qtbot, store, clock, protocols)
    start = window.start_page
    start.refresh()
    assert start.table.rowCount() == 1
    assert [r.row() for r in start.table.selectionModel().selectedRows()] == [0]
    click(qtbot, start.resume_button)
    assert not start.general.isVisible()
    assert window.page is not None and window.page.recorder.session.session_id == sid
    window.shutdown()


def test_the_refusal_goes_once_a_row_is_chosen(qtbot, store, clock, protocols):
    Recorder.open_new(store, clock, protocols, dict(OPENING))
    window = make_window(qtbot, store, clock, protocols)
    start = window.start_page
    start.refresh()
    start.table.clearSelection()
    start.table.setCurrentCell(-1, -1)
    click(qtbot, start.resume_button)
    assert start.general.isVisible() and "Select a session" in start.general.text()
    rect = start.table.visualRect(start.table.model().index(0, 1))
    qtbot.mouseClick(start.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert not start.general.isVisible()
    window.shutdown()
