"""A lost clinic server loses nothing: the chair records into its local spool (same
chain) and uploads exactly what the server lacks when it returns."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.log.eventlog import open_log
from monitor.log.postgres.log import RETRY_SECONDS, PgLog
from monitor.log.postgres.schema import BOARD, chair_role
from monitor.log.sqlite.store import Store
from monitor.model.events import first_broken
from monitor.record.recorder import Recorder
from tests.conftest import OPENING, baseline_vitals

CHAIR1 = chair_role(1)


class Ticks:
    """An injected monotonic clock for the reconnect back-off."""

    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def _vitals(rec: Recorder, clock, hr: int) -> None:
    clock.advance(60)
    rec.record_vitals({"sbp": "120", "dbp": "80", "hr": str(hr), "spo2": "97", "rr": "14"},
                      "RN7")


def _server_copy(pg_server, clinic_url, sid):
    with open_log(pg_server.url(BOARD, clinic_url), readonly=True) as board:
        return board.events(sid)


def test_pg_ctl_stop_mid_session_then_start_every_entry_arrives_once(
        pg_server, clinic_url, tmp_path: Path, clock, protocols) -> None:
    ticks = Ticks()
    spool = tmp_path / "spool.db"
    log = PgLog(pg_server.url(CHAIR1, clinic_url), spool=spool, monotonic=ticks)
    rec = Recorder.open_new(log, clock, protocols, dict(OPENING))
    sid = rec.session.session_id
    baseline_vitals(rec)
    for hr in (70, 71, 72):
        _vitals(rec, clock, hr)
    assert log.status() == ""
    pg_server.stop()
    try:
        for hr in (80, 81, 82, 83):
            _vitals(rec, clock, hr)  # no error: the nurse re-enters nothing
        assert log.offline and "recording on this computer" in log.status()
        rec.add_note("RN7", "written while the server was away")
    finally:
        pg_server.start()
    ticks.t += RETRY_SECONDS + 1
    _vitals(rec, clock, 90)  # the server is back: tried on a thread, this one is spooled
    log.settle()
    _vitals(rec, clock, 91)  # the new connection is taken up: the spool goes up first
    assert not log.offline and log.status() == ""
    mine = rec.session.events
    on_server = _server_copy(pg_server, clinic_url, sid)
    assert [e.hash for e in on_server] == [e.hash for e in mine]
    assert [e.seq for e in on_server] == list(range(1, len(mine) + 1))
    assert first_broken(on_server) is None
    texts = [e.payload.get("text") for e in on_server if e.kind == "note_added"]
    assert texts == ["written while the server was away"]
    hrs = [e.payload.get("hr") for e in on_server if e.kind == "vitals_recorded"]
    assert hrs == [72, 70, 71, 72, 80, 81, 82, 83, 90, 91]
    # the spool holds the same chain, checked by the SQLite backend with its seals
    log.close()
    with Store(spool, readonly=True) as local:
        assert local.verify()[0] == 1
        assert [e.hash for e in local.events(sid)] == [e.hash for e in mine[:len(
            local.events(sid))]]


def test_upload_is_idempotent_when_reopened(pg_server, clinic_url, tmp_path, clock,
                                            protocols) -> None:
    ticks = Ticks()
    spool = tmp_path / "spool.db"
    log = PgLog(pg_server.url(CHAIR1, clinic_url), spool=spool, monotonic=ticks)
    rec = Recorder.open_new(log, clock, protocols, dict(OPENING))
    sid = rec.session.session_id
    pg_server.stop()
    try:
        _vitals(rec, clock, 88)
    finally:
        pg_server.start()
    log.close()  # the chair closes before the server returned
    for _ in range(2):  # each opening uploads what is missing, and only that
        PgLog(pg_server.url(CHAIR1, clinic_url), spool=spool).close()
    on_server = _server_copy(pg_server, clinic_url, sid)
    assert [e.hash for e in on_server] == [e.hash for e in rec.session.events]


def test_an_unreachable_server_at_start_is_a_clear_error(tmp_path) -> None:
    from monitor.errors import StoreError
    with pytest.raises(StoreError, match="Cannot reach"):
        PgLog("postgresql://km_chair_1@127.0.0.1:1/clinic", spool=tmp_path / "s.db")


def _chair(pg_server, *args: str):
    import subprocess
    import sys
    return subprocess.Popen([sys.executable, "-m", "tests.support.clinic_chair", *args],
                            env=pg_server.env(), stdout=subprocess.PIPE, text=True,
                            cwd=Path(__file__).resolve().parents[3])


def test_sigkill_during_upload_loses_and_duplicates_nothing(pg_server, clinic_url, tmp_path,
                                                            clock, protocols) -> None:
    import psycopg

    from monitor.model.events import EventKind
    url = pg_server.url(CHAIR1, clinic_url)
    spool = tmp_path / "spool.db"
    log = PgLog(url, spool=spool)
    rec = Recorder.open_new(log, clock, protocols, dict(OPENING))
    sid = rec.session.session_id
    pg_server.stop()
    try:  # a long outage: many device samples go to the spool
        items = [(EventKind.VITALS, {"hr": 60 + i % 30}, "monitor-1", clock.now(), "device")
                 for i in range(20_000)]
        log.append_many(sid, items, recorded_at=clock.now())
        assert log.offline
    finally:
        log.close()
        pg_server.start()
    with Store(spool, readonly=True) as local:
        expected = [e.hash for e in local.events(sid)]
    assert len(expected) == 20_001
    child = _chair(pg_server, "upload", url, str(spool))
    admin = psycopg.connect(pg_server.url(database=clinic_url), autocommit=True)
    try:
        writing = None
        for _ in range(100_000):  # until the child's upload transaction has written rows
            writing = admin.execute(
                "SELECT pid FROM pg_stat_activity WHERE application_name = 'ketamine-monitor'"
                " AND backend_xid IS NOT NULL").fetchone()
            if writing or child.poll() is not None:
                break
        assert writing, "the upload was not seen in progress"
        child.kill()
        child.wait(timeout=30)
        for _ in range(100_000):  # the server notices the dead client and rolls back
            if not admin.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s",
                                 writing).fetchone():
                break
        assert admin.execute("SELECT count(*) FROM events").fetchone()[0] == 1
    finally:
        admin.close()
    again = _chair(pg_server, "upload", url, str(spool))
    assert again.wait(timeout=120) == 0
    on_server = _server_copy(pg_server, clinic_url, sid)
    assert [e.hash for e in on_server] == expected
    assert first_broken(on_server) is None


def test_one_process_records_for_a_chair(pg_server, clinic_url, tmp_path) -> None:
    from monitor.errors import StoreLockedError
    url = pg_server.url(CHAIR1, clinic_url)
    with PgLog(url, spool=tmp_path / "spool.db"), pytest.raises(StoreLockedError):
        PgLog(url, spool=tmp_path / "spool.db")


def test_a_spool_that_disagrees_with_the_server_is_kept_and_reported(
        pg_server, clinic_url, tmp_path) -> None:
    from datetime import UTC, datetime

    from monitor.model.events import EventKind
    t0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
    url = pg_server.url(CHAIR1, clinic_url)

    def note(log: PgLog, text: str) -> None:
        log.append("fork", EventKind.NOTE, {"text": text}, author="RN", observed_at=t0,
                   recorded_at=t0)

    first = PgLog(url, spool=tmp_path / "a.db")
    note(first, "one")
    pg_server.stop()
    try:
        note(first, "two, while away")
    finally:
        first.close()
        pg_server.start()
    with PgLog(url, spool=tmp_path / "b.db") as other:  # the same chair, elsewhere
        note(other, "two, on the server")
    with PgLog(url, spool=tmp_path / "a.db") as again:
        assert "disagree at event 2" in again.status()
        texts = [e.payload["text"] for e in again.events("fork")]
    assert texts == ["one", "two, on the server"]
    with Store(tmp_path / "a.db", readonly=True) as kept:
        assert [e.payload["text"] for e in kept.events("fork")] == ["one", "two, while away"]
