"""The event-log interface: opened from a path or URL, backends by scheme, and two
writers of one file never hand out the same sequence number."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from monitor.errors import StoreError, StoreLockedError
from monitor.log.eventlog import BACKENDS, EventLog, open_log, register_backend
from monitor.log.sqlite.store import Store
from monitor.model.events import EventKind

T0 = datetime(2026, 1, 1, 8, 0, tzinfo=UTC)


def _append(log: EventLog, sid: str, n: int = 1) -> None:
    for i in range(n):
        log.append(sid, EventKind.NOTE, {"text": f"n{i}"}, author="RN",
                   observed_at=T0, recorded_at=T0)


def test_bare_path_and_sqlite_url_open_the_same_file(tmp_path: Path) -> None:
    db = tmp_path / "a b%.db"
    with open_log(db) as log:
        assert isinstance(log, Store) and isinstance(log, EventLog)
        _append(log, "S1", 2)
        assert log.owner("S1") == log.writer != ""
    with open_log(f"sqlite://{db.as_posix().replace('%', '%25')}", readonly=True) as log:
        assert [e.seq for e in log.events("S1")] == [1, 2]
        assert log.location == str(db)
        assert log.writer == "" and log.owner("S1") == ""
    with open_log(f"sqlite:///{db.as_posix().replace('%', '%25')}", readonly=True) as log:
        assert log.location == str(db)  # four slashes: the same absolute path
        with pytest.raises(StoreError, match="read-only"):
            log.claim("S1")


def test_unknown_scheme_names_what_is_known(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match=r"unknown log scheme 'mysql' \(known: [a-z, ]*sqlite"):
        open_log("mysql://nurse:secret@host/db")
    try:
        open_log("mysql://nurse:secret@host/db")
    except StoreError as exc:
        assert "secret" not in str(exc)  # a password never reaches a message
    with pytest.raises(StoreError, match="three slashes"):
        open_log("sqlite://host/records.db")


def test_a_registered_backend_receives_the_url(tmp_path: Path) -> None:
    seen: list[tuple[str, bool]] = []

    def opener(url: str, *, readonly: bool = False) -> EventLog:
        seen.append((url, readonly))
        return Store(tmp_path / "x.db")

    register_backend("memo", opener)
    try:
        with open_log("memo://ward/7", readonly=False) as log:
            _append(log, "S")
        assert seen == [("memo://ward/7", False)]
    finally:
        del BACKENDS["memo"]


def test_a_writer_continues_from_the_stored_head(tmp_path: Path) -> None:
    """A writer that appended, lost the lock and got it back continues from the file:
    seq is assigned inside the transaction from the stored head."""
    db = tmp_path / "w.db"
    first = open_log(db)
    _append(first, "S", 3)
    first.close()
    second = open_log(db)
    _append(second, "S", 2)
    with pytest.raises(StoreLockedError):
        open_log(db)
    second.close()
    with sqlite3.connect(db) as conn:
        seqs = [r[0] for r in conn.execute("SELECT seq FROM events ORDER BY id")]
    assert seqs == [1, 2, 3, 4, 5]
    with open_log(db, readonly=True) as log:
        assert log.verify() == (1, 5)


class _OtherChair(Store):
    """A backend in which another workstation owns every session (as a clinic server
    reports it): this writer records entries but must not decide alarms."""

    def owner(self, session_id: str) -> str:
        return "chair-2 (pid 1)"


@pytest.mark.hazard("H-218")
def test_only_the_owner_appends_alarm_decisions(tmp_path: Path, clock, protocols) -> None:
    from monitor.record.recorder import Recorder
    from tests.conftest import OPENING, baseline_vitals

    db = tmp_path / "c.db"
    with Store(db) as log:
        rec = Recorder.open_new(log, clock, protocols, dict(OPENING))
        sid = rec.session.session_id
        baseline_vitals(rec)
        assert rec.evaluates_rules
    with _OtherChair(db) as log:
        rec = Recorder(log, sid, clock, protocols)
        assert not rec.evaluates_rules and log.owner(sid) == "chair-2 (pid 1)"
        rec.record_vitals({"sbp": "200", "dbp": "95"}, "RN7")
        assert rec.last_evaluation.conditions["bp"].priority == "high"  # shown ...
        assert not [e for e in log.events(sid) if e.kind is EventKind.ALARM_RAISED]  # not added
    with Store(db) as log:
        rec = Recorder(log, sid, clock, protocols)
        rec.tick()  # the owner decides
        assert [e.payload.get("parameter") for e in log.events(sid)
                if e.kind is EventKind.ALARM_RAISED] == ["sbp"]
