"""The board read from across the room (issue 23 #18), against the real PostgreSQL the
tests start: large values, distinct patient labels, every active alarm of a chair in
sight, and a clicked session opened beside the tiles, never over them."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QApplication, QTabBar

from monitor.clinical.protocols import load_protocols
from monitor.clock import SystemClock
from monitor.log.postgres.log import PgLog
from monitor.log.postgres.schema import BOARD, chair_role
from monitor.record.recorder import Recorder
from tests.conftest import OPENING
from ui.board.window import BoardWindow, open_board

VITALS = {"sbp": "124", "dbp": "78", "hr": "72", "spo2": "98", "rr": "14"}


@pytest.fixture
def board(qtbot, pg_server, clinic_url):
    window = open_board(pg_server.url(BOARD, clinic_url), chairs=8)
    qtbot.addWidget(window, before_close_func=lambda w: w.shutdown())
    window.resize(1366, 708)  # the screen less a taskbar and a title bar
    window.show()
    qtbot.waitExposed(window)
    return window


def _chair(pg_server, clinic_url, tmp_path: Path, n: int, name: str, pid: str,
           vitals: dict[str, str]) -> PgLog:
    log = PgLog(pg_server.url(chair_role(n), clinic_url), spool=tmp_path / f"s{n}.db")
    rec = Recorder.open_new(log, SystemClock(), load_protocols(),
                            {**OPENING, "patient_id": pid, "display_name": name},
                            session_id=f"room{n}")
    rec.record_vitals(vitals, "RN7", confirmed=True)
    return log


def _in_window(w) -> QRect:
    return QRect(w.mapTo(w.window(), w.rect().topLeft()), w.size())


@pytest.mark.hazard("H-243")
def test_two_patients_with_the_same_initials_read_differently(
        qtbot, board: BoardWindow, pg_server, clinic_url, tmp_path) -> None:
    logs = [_chair(pg_server, clinic_url, tmp_path, 1, "Dana Park", "MRN-1", VITALS),
            _chair(pg_server, clinic_url, tmp_path, 2, "David Price", "MRN-2", VITALS)]
    try:
        tiles = [board.tiles[chair_role(n)] for n in (1, 2)]
        qtbot.waitUntil(lambda: all("HR 72" in t.text() for t in tiles), timeout=10_000)
        a, b = (t.patient.text() for t in tiles)
        assert a.startswith("D.P.") and b.startswith("D.P.") and a != b
    finally:
        for log in logs:
            log.close()


@pytest.mark.hazard("H-242")
def test_every_active_alarm_of_a_chair_is_on_its_tile(
        qtbot, board: BoardWindow, pg_server, clinic_url, tmp_path) -> None:
    log = _chair(pg_server, clinic_url, tmp_path, 3, "Jane Doe", "MRN-3",
                 {**VITALS, "sbp": "186", "dbp": "104", "hr": "118"})
    try:
        tile = board.tiles[chair_role(3)]
        qtbot.waitUntil(lambda: "HR 118" in tile.text(), timeout=10_000)
        session = board.model.sessions["room3"]
        priorities = {a.priority for a in session.active_alarms()}
        assert {"high", "medium"} <= priorities
        shown = [r for r in tile.alarm_rows if r.isVisible()]
        assert len(shown) == len(session.active_alarms())
        assert shown[0].text().startswith("!!! HIGH")  # worst first
        text = tile.text()
        for alarm in session.active_alarms():
            assert f"{alarm.priority.upper()}: {alarm.message}" in text
        for row in shown:  # each row wholly inside the tile, a whole line high
            assert tile.rect().contains(QRect(row.mapTo(tile, row.rect().topLeft()),
                                              row.size())), row.text()
            assert row.height() >= row.fontMetrics().height(), row.full
        for upper, lower in itertools.pairwise(shown):  # never on each other
            assert upper.geometry().bottom() < lower.geometry().top()
    finally:
        log.close()


@pytest.mark.hazard("H-244")
def test_values_are_large_and_fit_their_tile(qtbot, board: BoardWindow, pg_server,
                                             clinic_url, tmp_path) -> None:
    logs = [_chair(pg_server, clinic_url, tmp_path, n, "Jane Doe", f"MRN-{n}", VITALS)
            for n in range(1, 9)]
    try:
        qtbot.waitUntil(lambda: all("SpO2 98" in t.text() for t in board.tiles.values()),
                        timeout=20_000)
        for tile in board.tiles.values():
            for vital in tile.vitals:
                # the value's line is over 30 px high (about 16 px before)
                assert vital.heightForWidth(vital.width()) >= 30 + 2 * 15, vital.text()
                assert tile.rect().contains(QRect(vital.mapTo(tile, vital.rect().topLeft()),
                                                  vital.size()))
                assert vital.sizeHint().width() <= vital.width(), vital.text()
    finally:
        for log in logs:
            log.close()


@pytest.mark.hazard("H-241")
def test_a_clicked_session_opens_beside_the_tiles_never_over_them(
        qtbot, board: BoardWindow, pg_server, clinic_url, tmp_path) -> None:
    logs = [_chair(pg_server, clinic_url, tmp_path, 1, "Jane Doe", "MRN-1", VITALS),
            _chair(pg_server, clinic_url, tmp_path, 2, "Omar Haddad", "MRN-2",
                   {**VITALS, "spo2": "84"})]
    try:
        tile, alarming = board.tiles[chair_role(1)], board.tiles[chair_role(2)]
        qtbot.waitUntil(lambda: "SpO2 84" in alarming.text() and "HIGH" in alarming.text(),
                        timeout=10_000)
        qtbot.mouseClick(tile, Qt.MouseButton.LeftButton)
        viewer = board.viewers["room1"]
        qtbot.waitUntil(viewer.isVisible)
        assert viewer.window() is board  # a pane of the board, not a window of its own
        tops = [w for w in QApplication.topLevelWidgets()
                if w.isVisible() and w is not board]
        assert tops == []
        pane = _in_window(board.views)
        for t in board.tiles.values():  # every tile whole and in sight, beside the pane
            assert t.isVisible() and not _in_window(t).intersects(pane), t.chair
            assert board.rect().contains(_in_window(t))
        QApplication.processEvents()
        for t in board.tiles.values():  # every alarm row whole inside its tile
            for row in (r for r in t.alarm_rows if r.isVisible()):
                assert t.rect().contains(QRect(row.mapTo(t, row.rect().topLeft()),
                                               row.size())), (t.chair, row.full)
                assert row.visibleRegion().boundingRect() == row.rect()
        assert any(r.isVisible() for r in alarming.alarm_rows)
        # closing the pane gives the tiles their four columns back
        bar = board.views.tabBar()
        close = bar.tabButton(0, QTabBar.ButtonPosition.RightSide) or bar.tabButton(
            0, QTabBar.ButtonPosition.LeftSide)
        qtbot.mouseClick(close, Qt.MouseButton.LeftButton)
        assert board.views.isHidden() and "room1" not in board.viewers
        qtbot.waitUntil(lambda: tile.width() > board.width() // 5)
    finally:
        for log in logs:
            log.close()
