"""The window checks a session's record when it opens it and marks a tampered one;
its export dialog refuses to export it."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt

from monitor.log.sqlite.store import Store
from tests.support import tamper
from tests.support.window import click, make_window


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


@pytest.mark.hazard("H-178")
def test_attack_deidentified_export_file_name_names_the_session(qtbot, db_path, clock,
                                                                 protocols, tmp_path):
    """The window's suggested name for a de-identified file must not carry the session id
    (it links the file back to the identified record)."""
    sid, _ = tamper.two_sessions(db_path, clock, protocols)
    store = Store(db_path)
    try:
        window = make_window(qtbot, store, clock, protocols)
        open_from_list(qtbot, window, sid)
        page = window.page
        page.export_folder = tmp_path
        dialog = page.open_export("json")
        assert sid in dialog.path.text()
        click(qtbot, dialog.deidentify)
        assert dialog.deidentify.isChecked()
        assert sid not in dialog.path.text() and "MRN" not in dialog.path.text()
        assert dialog.path.text().endswith("ketamine-deidentified.json")
        click(qtbot, dialog.write_button)
        assert "Wrote" in dialog.result_label.text(), dialog.error.text()
        written = json.loads((tmp_path / "ketamine-deidentified.json").read_text())
        assert written["deidentified"] and sid not in json.dumps(written)
        dialog.close()
        window.shutdown()
    finally:
        store.close()


@pytest.mark.hazard("H-170")
def test_attack_database_renamed_while_the_window_records(qtbot, db_path, clock, protocols,
                                                           tmp_path):
    """The reviewer's loss: after `mv sessions.db moved.db` every entry still said Saved.
    Now the next Enter says what happened and where the entries are; nothing new is
    called saved, and the typed values stay for re-entry."""
    from tests.support.window import open_session_window
    store = Store(db_path)
    try:
        window, page, _rec = open_session_window(qtbot, store, clock, protocols)
        v = page.vitals
        qtbot.keyClicks(v.edits["sbp"], "128/82")
        qtbot.keyClick(v.edits["sbp"], Qt.Key.Key_Return)
        before = v.saved_label.text()
        assert before.startswith("✓ Saved")
        moved = tmp_path / "moved.db"
        db_path.rename(moved)
        clock.advance(120)
        qtbot.keyClicks(v.edits["sbp"], "131/84")
        qtbot.keyClick(v.edits["sbp"], Qt.Key.Key_Return)
        shown = v.errors.general.text()
        assert "moved or renamed while recording" in shown and str(moved) in shown
        assert v.saved_label.text() == before  # no new "Saved"
        assert v.edits["sbp"].text() == "131/84"
        window.shutdown()
    finally:
        store.close()
    with Store(moved, readonly=True) as ro:  # the first reading is in the moved file
        sid = ro.session_ids()[0]
        sbps = [e.payload.get("sbp") for e in ro.events(sid) if e.kind.value == "vitals_recorded"]
        assert sbps[-1] == 128 and 131 not in sbps


@pytest.mark.hazard("H-173")
def test_window_says_not_verified_for_a_session_sealed_elsewhere(qtbot, db_path, clock,
                                                                  protocols, tmp_path,
                                                                  monkeypatch):
    """A database from another workstation (its key not here, a key made here on
    purpose): the session opens, and the window says NOT VERIFIED, not 'verified'."""
    import os
    import secrets

    from monitor.log.sqlite.sealing import key_file
    sid, _ = tamper.two_sessions(db_path, clock, protocols)
    for sub in ("config", "data"):
        (tmp_path / "here" / sub).mkdir(parents=True)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "here" / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "here" / "data"))
    key_file().parent.mkdir(mode=0o700)
    key_file().write_text(secrets.token_hex(32))
    os.chmod(key_file(), 0o600)
    store = Store(db_path)
    try:
        window = make_window(qtbot, store, clock, protocols)
        open_from_list(qtbot, window, sid)
        qtbot.waitUntil(lambda: window.record_check.isVisible())
        assert "NOT VERIFIED: seals not checked" in window.record_check.text()
        assert window.record_check.property("role") == "error"
        window.shutdown()
    finally:
        store.close()
