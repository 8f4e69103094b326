"""The board and a chair's window under attack from other logins (issue 25, points
3 and 4), against a real PostgreSQL: a forged or malformed notification never
switches a tile or stops the board; a lock held on the server never freezes a
chair's Record."""

from __future__ import annotations

import time

import psycopg
import pytest

from monitor.clinical.protocols import load_protocols
from monitor.clock import SystemClock
from monitor.log.postgres.log import PgLog
from monitor.log.postgres.schema import BOARD, chair_role
from monitor.record.recorder import Recorder
from tests.conftest import OPENING, baseline_vitals
from tests.support.window import make_window, type_into
from ui.board.window import open_board

CHAIR1, CHAIR2 = chair_role(1), chair_role(2)
FORGED = ["km_chair_2 ffffffffffff 1", "x", "", "km_chair_2", "km_chair_2 victim2 99 extra",
          "\ufffd" * 3, "y" * 7999]


@pytest.fixture
def board(qtbot, pg_server, clinic_url):
    window = open_board(pg_server.url(BOARD, clinic_url), chairs=8)
    qtbot.addWidget(window, before_close_func=lambda w: w.shutdown())
    return window


def _hypertensive(rec: Recorder, sbp: int) -> None:
    rec.record_vitals({"sbp": str(sbp), "dbp": "110", "hr": "88", "spo2": "97", "rr": "16"},
                      "RN7", confirmed=True)


@pytest.mark.hazard("H-191")
def test_attack_spoofed_notify_does_not_switch_a_tile(qtbot, board, pg_server, clinic_url,
                                                      tmp_path) -> None:
    log = PgLog(pg_server.url(CHAIR2, clinic_url), spool=tmp_path / "two.db")
    try:
        rec = Recorder.open_new(log, SystemClock(), load_protocols(), dict(OPENING),
                                session_id="victim2")
        _hypertensive(rec, 190)
        tile = board.tiles[CHAIR2]
        alarm = max(rec.session.active_alarms(), key=lambda a: a.rank)
        qtbot.waitUntil(lambda: alarm.message in tile.text(), timeout=5_000)
        assert board.listener is not None
        qtbot.waitUntil(board.listener.listening.is_set, timeout=5_000)
        wakes = board.listener.wakes
        with psycopg.connect(pg_server.url(CHAIR1, clinic_url), autocommit=True) as chair1:
            for payload in FORGED:
                chair1.execute("SELECT pg_notify('km_events', %s)", (payload,))
            chair1.execute("NOTIFY km_events, 'km_chair_2 ffffffffffff 1'")
        # the board read the table on each wake-up: the tile still shows chair 2's session
        qtbot.waitUntil(lambda: board.listener.wakes >= wakes + len(FORGED) + 1,
                        timeout=3_000)
        reads = board.model.refreshes
        qtbot.waitUntil(lambda: board.model.refreshes > reads, timeout=3_000)
        assert tile.session_id == "victim2" and board.model.current[CHAIR2] == "victim2"
        assert alarm.message in tile.text() and "no data" not in tile.text()
        assert board.listener is not None and board.listener.alive
        assert board.listener.errors == 0
        # and the board still follows chair 2 live, through the same listener
        _hypertensive(rec, 205)
        qtbot.waitUntil(lambda: "BP 205/110" in tile.text(), timeout=2_000)
    finally:
        log.close()


@pytest.mark.hazard("H-191")
def test_a_failing_read_on_a_wake_up_never_stops_the_listener(qtbot, board, pg_server,
                                                               clinic_url, tmp_path) -> None:
    def broken() -> None:
        raise RuntimeError("a read that fails")

    assert board.listener is not None
    qtbot.waitUntil(board.listener.listening.is_set, timeout=5_000)
    board.listener.on_wake = broken  # whatever a wake-up's owner does wrong
    with psycopg.connect(pg_server.url(CHAIR1, clinic_url), autocommit=True) as chair1:
        chair1.execute("SELECT pg_notify('km_events', 'x')")
    qtbot.waitUntil(lambda: board.listener.errors >= 1, timeout=5_000)
    assert board.listener.alive
    # the board's own periodic read still brings a chair's session to its tile
    log = PgLog(pg_server.url(chair_role(3), clinic_url), spool=tmp_path / "three.db")
    try:
        Recorder.open_new(log, SystemClock(), load_protocols(), dict(OPENING),
                          session_id="periodic3")
        tile = board.tiles[chair_role(3)]
        qtbot.waitUntil(lambda: tile.session_id == "periodic3", timeout=3_000)
    finally:
        log.close()


@pytest.mark.hazard("H-191")
def test_attack_notify_flood_costs_at_most_ten_reads_a_second(qtbot, board, pg_server,
                                                               clinic_url) -> None:
    assert board.listener is not None
    qtbot.waitUntil(board.listener.listening.is_set, timeout=5_000)
    wakes, reads, began = board.listener.wakes, board.model.refreshes, time.monotonic()
    with psycopg.connect(pg_server.url(CHAIR1, clinic_url), autocommit=True) as chair1:
        chair1.execute("SELECT pg_notify('km_events', g::text) FROM generate_series(1, 3000) g")
    qtbot.waitUntil(lambda: board.listener.wakes >= wakes + 3000, timeout=10_000)
    qtbot.waitUntil(lambda: not board._read_pending, timeout=2_000)
    seconds = time.monotonic() - began
    # ten a second for the wake-ups, one a second from the clock, one at each end
    assert board.model.refreshes - reads <= 11 * seconds + 2, (board.model.refreshes - reads,
                                                                 seconds)
    assert board.listener.alive and board.listener.errors == 0


@pytest.mark.hazard("H-192")
def test_attack_a_held_lock_never_freezes_record_the_window_says_not_saved(
        qtbot, pg_server, clinic_url, tmp_path, clock, protocols) -> None:
    log = PgLog(pg_server.url(CHAIR2, clinic_url), spool=tmp_path / "two.db")
    window = make_window(qtbot, log, clock, protocols)
    try:
        rec = Recorder.open_new(log, clock, protocols, dict(OPENING), session_id="held")
        baseline_vitals(rec)
        page = window.open_session(rec)
        before = len(rec.session.events)
        with psycopg.connect(pg_server.url(database=clinic_url)) as admin:
            admin.execute("SELECT * FROM km_heads WHERE session_id = 'held' FOR UPDATE")
            clock.advance(30)
            began = time.monotonic()
            type_into(qtbot, page.vitals.edits["hr"], "77", enter=True)
            took = time.monotonic() - began
        assert took < 4.0, took  # the lock timeout (2 s), not for ever
        shown = page.vitals.general.text()
        assert page.vitals.general.isVisible() and "Not saved" in shown, shown
        assert len(rec.session.events) == before  # nothing claimed as saved
        clock.advance(30)
        type_into(qtbot, page.vitals.edits["hr"], "78", enter=True)
        assert len(rec.session.events) > before
        assert rec.session.latest("hr")[1] == 78  # type: ignore[index]
    finally:
        window.shutdown()
        log.close()
