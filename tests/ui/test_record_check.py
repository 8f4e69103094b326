"""The window checks a session's record when it opens it and marks a tampered one;
its export dialog refuses to export it."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from monitor.store import Store
from tests.monitor import tamper
from tests.ui.conftest_helpers import click, make_window


def open_from_list(qtbot, window, sid: str) -> None:
    table = window.start_page.table
    row = next(i for i in range(table.rowCount()) if table.item(i, 0).text() == sid)
    rect = table.visualItemRect(table.item(row, 0))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    click(qtbot, window.start_page.resume_button)
    qtbot.waitUntil(lambda: window.page is not None
                    and window.page.recorder.session.session_id == sid)


@pytest.mark.hazard("H-209")
@pytest.mark.parametrize("case", list(tamper.CASES))
def test_window_marks_a_tampered_record_and_refuses_to_export_it(qtbot, db_path, clock,
                                                                 protocols, tmp_path, case):
    sid, other = tamper.two_sessions(db_path, clock, protocols)
    tamper.CASES[case](db_path, sid)
    shown = other if case == "whole session deleted" else sid
    store = Store(db_path)
    try:
        window = make_window(qtbot, store, clock, protocols)
        open_from_list(qtbot, window, shown)
        qtbot.waitUntil(lambda: window.record_check.isVisible())
        assert "TAMPERED OR DAMAGED RECORD" in window.record_check.text()
        page = window.page
        page.export_folder = tmp_path
        dialog = page.open_export("pdf")
        click(qtbot, dialog.write_button)
        assert "Refused to export" in dialog.error.text()
        assert not list(tmp_path.glob("*.pdf"))
        dialog.close()
        window.shutdown()
    finally:
        store.close()


def test_window_shows_no_warning_for_an_intact_record(qtbot, db_path, clock, protocols,
                                                      tmp_path):
    sid, _ = tamper.two_sessions(db_path, clock, protocols)
    store = Store(db_path)
    try:
        window = make_window(qtbot, store, clock, protocols)
        open_from_list(qtbot, window, sid)
        qtbot.waitUntil(lambda: sid in store._verified)  # the check has run
        assert not window.record_check.isVisible()
        page = window.page
        page.export_folder = tmp_path
        dialog = page.open_export("json")
        click(qtbot, dialog.write_button)
        assert "Wrote" in dialog.result_label.text(), dialog.error.text()
        dialog.close()
        window.shutdown()
    finally:
        store.close()


def test_window_opens_a_session_holding_an_unapplicable_event(qtbot, db_path, clock, protocols):
    """As an older version could have stored it: shown as unreadable, never a lock-out."""
    with Store(db_path) as store:
        sid, _seq = tamper.unapplicable_amendment(store, clock, protocols)
    store = Store(db_path)
    try:
        window = make_window(qtbot, store, clock, protocols)
        open_from_list(qtbot, window, sid)
        page = window.page
        qtbot.keyClick(page, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)  # the log
        model = page.log.model
        qtbot.waitUntil(lambda: model.rowCount() >= 5)
        rows = [[model.cell(r, c) for c in range(6)] for r in range(model.rowCount())]
        started = next(r for r in rows if r[1] == "infusion started")
        assert started[2].startswith("unreadable infusion started") and started[5] == "unreadable"
        window.shutdown()
    finally:
        store.close()
