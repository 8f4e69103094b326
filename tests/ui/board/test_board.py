"""The central board against a real PostgreSQL: chair processes record, the board
window (listening for notifications) shows each chair's tile."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QPushButton, QTableView

from monitor.log.postgres.schema import BOARD, chair_role
from ui.board.window import open_board

ROOT = Path(__file__).resolve().parents[3]


def _chair(pg_server, clinic_url, n: int, tmp_path: Path, sid: str, count: int,
           interval: float) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.support.clinic_chair", "record",
         pg_server.url(chair_role(n), clinic_url), str(tmp_path / f"spool{n}.db"), sid,
         str(count), str(interval)],
        env=pg_server.env(), stdout=subprocess.PIPE, text=True, cwd=ROOT)


@pytest.fixture
def board(qtbot, pg_server, clinic_url):
    window = open_board(pg_server.url(BOARD, clinic_url), chairs=8)
    qtbot.addWidget(window, before_close_func=lambda w: w.shutdown())
    return window


def test_two_chairs_and_a_board_the_board_sees_both_within_a_second(
        qtbot, board, pg_server, clinic_url, tmp_path) -> None:
    seen: dict[tuple[str, int], float] = {}

    def note(chair: str, sid: str) -> None:  # runs after the tile was redrawn
        for seq in range(1, len(board.model.sessions[sid].events) + 1):
            seen.setdefault((sid, seq), time.time())

    board.tile_updated.connect(note)
    chairs = [_chair(pg_server, clinic_url, n, tmp_path, f"sess{n}", 6, 0.25) for n in (1, 2)]
    tiles = [board.tiles[chair_role(n)] for n in (1, 2)]
    try:
        qtbot.waitUntil(lambda: all("SpO2 97" in t.text() for t in tiles), timeout=30_000)
        for n, tile in zip((1, 2), tiles, strict=True):  # while both chairs record
            text = tile.text()
            assert tile.session_id == f"sess{n}"
            assert "J.D." in text and "HR" in text and "BASELINE" in text, text
            assert "no data" not in text
        qtbot.waitUntil(lambda: all(p.poll() is not None for p in chairs), timeout=60_000)
    finally:
        for p in chairs:
            p.kill()
    commits = {}
    for n, p in zip((1, 2), chairs, strict=True):
        out = p.stdout.read().split("\n")
        assert p.returncode == 0 and "done" in out
        for line in out:
            if line.startswith("committed"):
                _, seq, at = line.split()
                commits[(f"sess{n}", int(seq))] = float(at)
    assert len(commits) == 12
    qtbot.waitUntil(lambda: all(k in seen for k in commits), timeout=5_000)
    delays = [seen[k] - at for k, at in commits.items()]
    assert max(delays) <= 1.0, delays
    assert "no session" in board.tiles[chair_role(3)].text()


def test_clicking_a_tile_opens_the_session_read_only(qtbot, board, pg_server, clinic_url,
                                                      tmp_path) -> None:
    p = _chair(pg_server, clinic_url, 1, tmp_path, "click1", 2, 0.05)
    assert p.wait(timeout=60) == 0
    tile = board.tiles[chair_role(1)]
    qtbot.waitUntil(lambda: tile.session_id == "click1", timeout=5_000)
    board.show()  # the view opens inside the board window
    qtbot.mouseClick(tile, Qt.MouseButton.LeftButton)
    viewer = board.viewers["click1"]
    assert viewer.isVisible() and "read-only" in viewer.windowTitle()
    assert viewer.model.rowCount() >= 3  # opening and two vitals sets
    assert viewer.table.editTriggers() == QTableView.EditTrigger.NoEditTriggers
    assert not viewer.findChildren(QLineEdit)  # nothing can be typed in
    # the only buttons are the charts' own view controls: nothing records
    assert all(viewer.charts.isAncestorOf(b) for b in viewer.findChildren(QPushButton))


@pytest.mark.hazard("H-206")
def test_a_chair_whose_feed_stops_shows_no_data_with_its_age(qtbot, board, pg_server,
                                                             clinic_url, tmp_path) -> None:
    p = _chair(pg_server, clinic_url, 2, tmp_path, "stops", 2, 0.05)
    tile = board.tiles[chair_role(2)]
    qtbot.waitUntil(lambda: tile.session_id == "stops" and "HR" in tile.text(),
                    timeout=30_000)
    assert p.wait(timeout=60) == 0  # the chair process ends: its feed stops
    qtbot.waitUntil(lambda: "no data" in tile.text(), timeout=5_000)
    text = tile.text()
    assert "offline" in text and "ago" in text
    assert "HR" not in text and "SpO2" not in text  # nothing frozen is shown


def test_board_re_reads_after_the_server_returns(qtbot, board, pg_server, clinic_url,
                                                  tmp_path) -> None:
    from monitor.clinical.protocols import load_protocols
    from monitor.clock import SystemClock
    from monitor.log.postgres.log import PgLog
    from monitor.record.recorder import Recorder
    from tests.conftest import OPENING

    log = PgLog(pg_server.url(chair_role(3), clinic_url), spool=tmp_path / "s3.db")
    rec = Recorder.open_new(log, SystemClock(), load_protocols(), dict(OPENING),
                            session_id="back")
    tile = board.tiles[chair_role(3)]
    qtbot.waitUntil(lambda: tile.session_id == "back", timeout=5_000)
    pg_server.stop()
    try:
        qtbot.waitUntil(lambda: "unreachable" in board.status.text(), timeout=10_000)
        rec.record_device_vitals([({"hr": 77, "spo2": 95}, SystemClock().now(), "m")])
        assert log.offline
    finally:
        pg_server.start()
    log.reconnect(force=True)  # the chair uploads; no notification reached the board
    assert not log.offline
    qtbot.waitUntil(lambda: "HR 77" in tile.text(), timeout=10_000)
    log.close()


def test_eight_chairs_fit_1366_by_768(qtbot, board, pg_server, clinic_url, tmp_path) -> None:
    procs = [_chair(pg_server, clinic_url, n, tmp_path, f"fit{n}", 2, 0.05)
             for n in range(1, 9)]
    for p in procs:
        assert p.wait(timeout=120) == 0
    qtbot.waitUntil(lambda: all(t.session_id for t in board.tiles.values()), timeout=10_000)
    hint = board.minimumSizeHint()
    # the screen less a taskbar and a title bar
    assert hint.width() <= 1366 and hint.height() <= 768 - 60, hint
    board.resize(1366, 708)
    board.show()
    qtbot.waitExposed(board)
    for tile in board.tiles.values():
        assert tile.geometry().right() <= board.width() and tile.width() >= 300


@pytest.mark.hazard("H-214")
def test_the_board_shows_and_sounds_the_worst_alarm(qtbot, board, pg_server, clinic_url,
                                                    tmp_path) -> None:
    from monitor.clinical.protocols import load_protocols
    from monitor.clock import SystemClock
    from monitor.log.postgres.log import PgLog
    from monitor.record.recorder import Recorder
    from tests.conftest import OPENING

    log = PgLog(pg_server.url(chair_role(4), clinic_url), spool=tmp_path / "s4.db")
    try:
        rec = Recorder.open_new(log, SystemClock(), load_protocols(), dict(OPENING),
                                session_id="alarm4")
        rec.record_vitals({"sbp": "120", "dbp": "80", "hr": "70", "spo2": "84", "rr": "14"},
                          "RN7", confirmed=True)
        (alarm,) = rec.session.active_alarms()  # raised by the chair, the session's owner
        tile = board.tiles[chair_role(4)]
        qtbot.waitUntil(lambda: "SpO2 84" in tile.text() and alarm.message in tile.text(),
                        timeout=5_000)
        assert f"{alarm.priority.upper()}: {alarm.message}" in tile.text()
        qtbot.waitUntil(lambda: bool(board.sound.played), timeout=5_000)
        assert board.sound.played[0].priority == alarm.priority
        assert board.sound.played[0].volume == board.sound.config.pattern(alarm.priority).volume
        # the board recorded nothing: the alarm is in the log once, from the chair
        kinds = [e.kind for e in log.events("alarm4")]
        assert kinds.count("alarm_raised") == 1
    finally:
        log.close()


def test_the_session_viewer_follows_what_another_writer_records(qtbot, board, pg_server,
                                                                clinic_url, tmp_path) -> None:
    from monitor.clinical.protocols import load_protocols
    from monitor.clock import SystemClock
    from monitor.log.postgres.log import PgLog
    from monitor.record.recorder import Recorder
    from tests.conftest import OPENING

    vitals = {"sbp": "128", "dbp": "82", "spo2": "98", "rr": "14"}
    log = PgLog(pg_server.url(chair_role(5), clinic_url), spool=tmp_path / "s5.db")
    try:
        rec = Recorder.open_new(log, SystemClock(), load_protocols(), dict(OPENING),
                                session_id="view5")
        rec.record_vitals({**vitals, "hr": "72"}, "RN7")
        tile = board.tiles[chair_role(5)]
        qtbot.waitUntil(lambda: "HR 72" in tile.text(), timeout=5_000)
        qtbot.mouseClick(tile, Qt.MouseButton.LeftButton)
        viewer = board.viewers["view5"]
        model, hr = viewer.model, viewer.charts.curves["hr"]
        assert model.rowCount() == len(rec.session.events)
        points = len(hr.xData)

        # The chair records; the board's read adds exactly that to the open viewer.
        with qtbot.assertNotEmitted(model.modelReset):
            new = rec.record_vitals({**vitals, "hr": "75"}, "RN7")
            qtbot.waitUntil(lambda: model.rowCount() == len(rec.session.events),
                            timeout=5_000)
        assert model.rows[-1].seq == new.seq
        assert len(hr.xData) == points + 1 and hr.yData[-1] == 75

        # The chair corrects it: the viewer redraws everything with the corrected value.
        with qtbot.waitSignal(model.modelReset, timeout=5_000):
            rec.amend("RN7", new.seq, {"hr": "79"}, "misread the display")
        row = [e.seq for e in model.rows].index(new.seq)
        assert model.cell(row, 5) == "amended" and "HR 79" in model.cell(row, 2)
        assert model.rowCount() == len(rec.session.events)
        assert len(hr.xData) == points + 1 and hr.yData[-1] == 79 and 75 not in hr.yData
    finally:
        log.close()


@pytest.mark.hazard("H-280")
def test_an_exception_on_a_board_thread_shows_on_the_board(qtbot, board, hooked) -> None:
    import threading

    def work() -> None:
        raise RuntimeError("clinic link broke")

    worker = threading.Thread(target=work, name="worker")
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: not board.problem.isHidden(), timeout=5000)
    assert board.problem.text().startswith(
        "⚠ Unexpected error in the worker thread: RuntimeError: clinic link broke.")
