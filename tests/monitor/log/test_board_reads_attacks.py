"""The board's reads (monitor/log/postgres/board_reads.py) while a chair does its worst
with locks: a chair cannot lock the events table in any mode, and what it can hold
(advisory locks, an open transaction) blocks no read of the board."""

from __future__ import annotations

import time

import psycopg
import pytest

from monitor.log.postgres import board_reads
from monitor.log.postgres.log import PgLog
from monitor.log.postgres.schema import BOARD, chair_role
from monitor.record.recorder import Recorder
from tests.conftest import OPENING, baseline_vitals

CHAIR1, CHAIR2 = chair_role(1), chair_role(2)


@pytest.mark.hazard("H-346")
def test_a_chair_holding_locks_never_stops_the_boards_reads(
        pg_server, clinic_url, tmp_path, clock, protocols) -> None:
    with PgLog(pg_server.url(CHAIR1, clinic_url), spool=tmp_path / "one.db") as log:
        rec = Recorder.open_new(log, clock, protocols, dict(OPENING))
        baseline_vitals(rec)
        sid, count = rec.session.session_id, len(rec.session.events)
    with psycopg.connect(pg_server.url(CHAIR2, clinic_url)) as chair:
        for mode in ("ACCESS EXCLUSIVE", "EXCLUSIVE", "SHARE ROW EXCLUSIVE", "SHARE",
                     "ROW EXCLUSIVE"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                chair.execute(f"LOCK TABLE events IN {mode} MODE")
            chair.rollback()
        # what it may hold: advisory locks and an open transaction that read its rows
        chair.execute("SELECT count(*) FROM events")
        chair.execute("SELECT pg_advisory_lock(k) FROM generate_series(1, 50) AS k")
        with PgLog(pg_server.url(BOARD, clinic_url), readonly=True) as board:
            began = time.monotonic()
            newest = dict(board.query(board_reads.newest_sessions, [CHAIR1, CHAIR2]))
            heads = board.query(board_reads.heads, [sid])
            after = board.query(board_reads.events_after, sid, 0)
            took = time.monotonic() - began
        chair.rollback()
    assert took < 2.0, took
    assert newest == {CHAIR1: sid, CHAIR2: None}
    assert heads == {sid: count} and [e.seq for e in after] == list(range(1, count + 1))
