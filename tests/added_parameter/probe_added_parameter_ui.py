"""With the plugin's added parameter: the window's vitals row, amendment form, limit
editor, value rail, chart key and crosshair, and the clinic board's tile show it (run by
tests/ui/session/test_parameter_registry_ui.py in its own interpreter).

Everything is driven as a nurse drives it (keys and clicks) and read back from the
store the window wrote to; the board reads a real PostgreSQL that a chair wrote to."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from monitor.clinical.protocols import load_protocols
from monitor.clock import SystemClock
from monitor.log.postgres.log import PgLog
from monitor.log.postgres.schema import BOARD, chair_role
from monitor.model.events import EventKind
from monitor.record.recorder import Recorder
from tests.conftest import OPENING, baseline_vitals
from tests.support.window import click, make_window, pick_by_keys, type_into
from ui.board.window import open_board
from ui.session.session_page import SessionPage

KEY = "tcco2"
LABEL = "TcCO2"


def _stored_vitals(rec: Recorder) -> list[dict[str, object]]:
    return [e.payload for e in rec.store.events(rec.session.session_id)
            if e.kind is EventKind.VITALS]


def _session(qtbot, store, clock, protocols) -> tuple[SessionPage, Recorder]:
    window = make_window(qtbot, store, clock, protocols)
    rec = Recorder.open_new(store, clock, protocols, dict(OPENING))
    baseline_vitals(rec)
    page = window.open_session(rec)
    qtbot.waitUntil(lambda: page.charts is not None, timeout=10_000)
    return page, rec


def test_rail_and_charts_show_the_added_parameter(qtbot, store, clock, protocols) -> None:
    page, rec = _session(qtbot, store, clock, protocols)
    clock.advance(60)
    rec.record_vitals({KEY: "30"}, "RN7")
    page.tick()
    assert page.rail.values[KEY].text() == "30"
    assert LABEL in page.rail.values[KEY].accessibleName()
    charts = page.charts
    assert KEY in charts.curves and charts.marks[KEY].points().size == 1
    x = (rec.clock.now().timestamp() - charts.ref) / 60.0
    assert f"{LABEL} 30" in charts.show_crosshair(x)
    # Its lane (RR) now draws three curves told apart by colour: the key names it, in it.
    assert charts.curves[KEY].opts["name"] == LABEL
    key = charts.key.text()
    assert f"━ {LABEL}</span>" in key and key.index("RR:") < key.index(LABEL)


def test_the_nurse_types_it_in_the_vitals_row_and_amends_it(qtbot, store, clock,
                                                            protocols) -> None:
    page, rec = _session(qtbot, store, clock, protocols)
    row = page.vitals
    assert list(row.edits)[-1] == KEY and row.edits[KEY].accessibleName() == LABEL
    assert row.edits[KEY].placeholderText() == "mmHg"
    clock.advance(60)
    type_into(qtbot, row.edits["sbp"], "128/82")
    qtbot.keyClick(row.edits["sbp"], Qt.Key.Key_Tab)      # "128/82": Tab skips DBP
    type_into(qtbot, row.edits["hr"], "72")
    type_into(qtbot, row.edits[KEY], "41")
    click(qtbot, row.record_button)
    saved = _stored_vitals(rec)[-1]
    assert (saved["sbp"], saved["dbp"], saved[KEY]) == (128, 82, 41)
    assert row.edits[KEY].text() == ""                     # the row clears once saved

    # A refused value is named under its own field; nothing is stored.
    type_into(qtbot, row.edits[KEY], "400", enter=True)
    assert row.field_errors[KEY].isVisible() and LABEL in row.field_errors[KEY].text()
    assert len(_stored_vitals(rec)) == 2

    # The amendment form has its field, prefilled; the change is stored with its reason.
    page.show_tab(page.log)
    seq = [e for e in rec.session.events if e.kind is EventKind.VITALS][-1].seq
    assert page.log.select_seq(seq)
    click(qtbot, page.log.amend_button)
    form = page.log.amend_dialog
    assert form is not None and form.edits[KEY].text() == "41"
    assert form.edits[KEY].accessibleName() == "Transcutaneous CO2"
    type_into(qtbot, form.edits[KEY], "43")
    type_into(qtbot, form.reason, "misread the display", enter=True)
    assert not form.isVisible()
    assert rec.session.entries[seq].payload[KEY] == 43
    amended = [e for e in rec.store.events(rec.session.session_id)
               if e.kind is EventKind.AMENDED][-1]
    assert amended.payload["target_seq"] == seq
    assert (amended.payload["old"][KEY], amended.payload["values"][KEY]) == (41, 43)


def test_the_limit_editor_names_it_and_changes_its_limit(qtbot, store, clock,
                                                         protocols) -> None:
    page, rec = _session(qtbot, store, clock, protocols)
    qtbot.keyClick(page, Qt.Key.Key_F7)
    editor = page.alarm_history.limits
    name = f"{LABEL} (mmHg): upper limit, high alarm"
    pick_by_keys(qtbot, editor.limit, name)
    assert editor.limit.currentData() == f"{KEY}.high_high"
    assert editor.limit_now.text() == "now: none"
    type_into(qtbot, editor.limit_value, "60")
    type_into(qtbot, editor.limit_reason, "physician order")
    click(qtbot, editor.limit_button)
    (ev,) = [e for e in rec.store.events(rec.session.session_id)
             if e.kind is EventKind.LIMIT_CHANGED]
    assert (ev.payload["limit"], ev.payload["new"]) == (f"{KEY}.high_high", 60)
    assert editor.limit_now.text() == "now: 60" and name in editor.last.text()


def test_the_board_tile_shows_it(qtbot, pg_server, clinic_url, tmp_path: Path) -> None:
    log = PgLog(pg_server.url(chair_role(1), clinic_url), spool=tmp_path / "s1.db")
    try:
        rec = Recorder.open_new(log, SystemClock(), load_protocols(), dict(OPENING),
                                session_id="added1")
        rec.record_vitals({"sbp": "124", "dbp": "78", "hr": "72", "spo2": "98", "rr": "14",
                           KEY: "44"}, "RN7", confirmed=True)
        board = open_board(pg_server.url(BOARD, clinic_url), chairs=4)
        qtbot.addWidget(board, before_close_func=lambda w: w.shutdown())
        tile = board.tiles[chair_role(1)]
        qtbot.waitUntil(lambda: f"{LABEL} 44" in tile.text(), timeout=10_000)
        assert "BP 124/78" in tile.text() and "HR 72" in tile.text()
    finally:
        log.close()
