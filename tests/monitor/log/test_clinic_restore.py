"""The restore drill, as the clinic's documentation (docs/clinic.md) gives it:
``clinic init`` hands out the chairs' lines, chairs record, the administrator backs
up the roles and the database, the server is replaced by a fresh cluster at the same
address, the backup is restored, ``verify`` passes with the same head hashes, and
the chairs reconnect with the lines they were handed. Also what a DBA reads in the
restored schema: comments and the view of current values."""

from __future__ import annotations

import socket
from pathlib import Path

import psycopg
import pytest

from monitor.app.cli import main
from monitor.clinical.protocols import load_protocols
from monitor.clock import ManualClock
from monitor.log.eventlog import open_log
from monitor.log.postgres.log import PgLog
from monitor.log.postgres.schema import BOARD, CHAIR_CONNECTIONS, chair_role
from monitor.model.events import EventKind
from monitor.record.recorder import Recorder
from tests.conftest import OPENING, T0, baseline_vitals
from tests.support.pg_server import PgServer, require_binaries

CHAIR1, CHAIR2 = chair_role(1), chair_role(2)


def _heads(url: str) -> dict[str, str]:
    with open_log(url, readonly=True) as log:
        return {sid: log.check_session(sid).head for sid in log.session_ids()}


def _record(url: str, spool: Path, sid: str, *, amend: bool = False) -> None:
    with PgLog(url, spool=spool) as log:
        rec = Recorder.open_new(log, ManualClock(T0), load_protocols(), dict(OPENING),
                                session_id=sid)
        baseline_vitals(rec)
        if amend:
            first = next(e for e in rec.session.events if e.kind == EventKind.VITALS)
            rec.amend("RN7", first.seq, {"hr": "75"}, "misread the display")
        else:  # a character jsonb cannot hold: kept in events, never breaks the view
            log.append(sid, EventKind.NOTE, {"text": "NUL \x00 here"}, author="RN7",
                       observed_at=T0, recorded_at=T0)


@pytest.mark.hazard("H-195", "H-196")
def test_restore_drill_backup_fresh_server_restore_verify_and_chairs_reconnect(
        tmp_path, monkeypatch, capsys) -> None:
    require_binaries()
    old = PgServer()
    new: PgServer | None = None
    try:
        handout = tmp_path / "handout.pgpass"
        monkeypatch.setenv("PGPASSFILE", str(old.pgpass))
        assert main(["clinic", "init", "--db", old.url(), "--chairs", "2", "--pgpass",
                     str(handout)]) == 0
        said = capsys.readouterr().out
        assert "name the server as 127.0.0.1, the host the administrator's URL named" in said
        lines = handout.read_text().splitlines()
        assert [ln.split(":")[:4] for ln in lines] == [
            ["127.0.0.1", str(old.port), "clinic", r] for r in (BOARD, CHAIR1, CHAIR2)]

        # Through the socket directory the hand-out names this machine, and says so.
        socket_handout = tmp_path / "socket.pgpass"
        assert main(["clinic", "init", "--db", old.socket_url(), "--chairs", "3", "--pgpass",
                     str(socket_handout)]) == 0
        said = capsys.readouterr().out
        assert "this machine's host name" in said and "local socket" in said
        assert socket_handout.read_text().startswith(
            f"{socket.getfqdn()}:{old.port}:clinic:{chair_role(3)}:")

        # The chairs (and the board) have only their hand-out lines.
        monkeypatch.setenv("PGPASSFILE", str(handout))
        _record(old.url(CHAIR1), tmp_path / "s1.db", "drill-1", amend=True)
        _record(old.url(CHAIR2), tmp_path / "s2.db", "drill-2")
        before = _heads(old.url(BOARD))
        assert set(before) == {"drill-1", "drill-2"}

        # Backup, as documented: the roles (with their password verifiers), then the
        # database with its settings and grants.
        roles, dump = tmp_path / "roles.sql", tmp_path / "clinic.dump"
        done = old.client("pg_dumpall", "--roles-only", "-f", str(roles))
        assert done.returncode == 0, done.stderr
        done = old.client("pg_dump", "-Fc", "-d", "clinic", "-f", str(dump))
        assert done.returncode == 0, done.stderr
        port, password = old.port, old.password
        old.close()

        # A fresh cluster at the same address; restore the roles, then the database.
        new = PgServer(port=port, password=password, database=False)
        done = new.client("psql", "-X", "-q", "-d", "postgres", "-f", str(roles))
        errors = [ln for ln in done.stderr.splitlines() if "ERROR" in ln]
        assert done.returncode == 0 and errors == [
            'psql:' + str(roles) + f':{_line(roles, "CREATE ROLE clinic_admin")}: ERROR:  '
            'role "clinic_admin" already exists'], done.stderr
        done = new.client("pg_restore", "--create", "-d", "postgres", str(dump))
        assert done.returncode == 0, done.stderr

        assert main(["verify", "--db", new.url(BOARD)]) == 0
        assert "2 sessions" in capsys.readouterr().out
        assert _heads(new.url(BOARD)) == before

        # Chairs reconnect with the same hand-out lines and record on.
        with PgLog(new.url(CHAIR1), spool=tmp_path / "s1.db") as chair1:
            assert chair1.status() == ""
            chair1.append("drill-1", EventKind.NOTE, {"text": "after the restore"},
                          author="RN7", observed_at=T0, recorded_at=T0)
            assert chair1._execute("SHOW synchronous_commit").fetchone() == ("on",)
            assert chair1._execute("SHOW lock_timeout").fetchone() == ("2s",)
        assert main(["verify", "--db", new.url(BOARD)]) == 0
        capsys.readouterr()
        monkeypatch.setenv("PGPASSFILE", str(new.pgpass))
        with psycopg.connect(new.url(), autocommit=True) as admin:
            limit, settings = admin.execute("SELECT rolconnlimit, rolconfig FROM pg_roles "
                                            "WHERE rolname = %s", (CHAIR1,)).fetchone()
            assert limit == CHAIR_CONNECTIONS  # the roles came back with their limits
            assert "lock_timeout=2s" in settings and "statement_timeout=10s" in settings
        _dba_reads_the_restored_schema(new, handout, monkeypatch)
    finally:
        old.close()
        if new is not None:
            new.close()


def _line(path: Path, text: str) -> int:
    return next(n for n, ln in enumerate(path.read_text().splitlines(), 1) if text in ln)


def _dba_reads_the_restored_schema(server: PgServer, handout: Path, monkeypatch) -> None:
    with psycopg.connect(server.url(), autocommit=True) as admin:
        comments = dict(admin.execute(
            "SELECT c.relname, obj_description(c.oid, 'pg_class') FROM pg_class c WHERE "
            "c.relname IN ('events', 'km_heads', 'km_leases', 'km_meta', "
            "'km_current_entries')").fetchall())
        assert all(comments.values()) and len(comments) == 5, comments
        assert "append-only" in comments["events"]
        assert admin.execute("SELECT col_description('events'::regclass, 5)").fetchone()[0]
    monkeypatch.setenv("PGPASSFILE", str(handout))
    view = ("SELECT session_id, current_values ->> 'hr', as_recorded ->> 'hr', amended, "
            "amendment_reason FROM km_current_entries WHERE kind = 'vitals_recorded' "
            "ORDER BY session_id, seq")
    with psycopg.connect(server.url(BOARD), autocommit=True) as board:
        rows = board.execute(view).fetchall()
        total, readable = board.execute("SELECT count(*), count(current_values) FROM "
                                        "km_current_entries").fetchone()
        assert readable == total - 1  # the NUL note: NULL in the view, the rest shown
    assert ("drill-1", "75", "72", True, "misread the display") in rows
    assert ("drill-2", "72", "72", False, None) in rows
    with psycopg.connect(server.url(CHAIR2), autocommit=True) as chair2:
        assert {r[0] for r in chair2.execute(view).fetchall()} == {"drill-2"}  # its own
        with pytest.raises(psycopg.Error):
            chair2.execute("DELETE FROM km_current_entries")


def test_clinic_init_again_brings_an_older_database_up_to_date(pg_server, clinic_url,
                                                              tmp_path) -> None:
    from monitor.log.postgres.setup import init_clinic
    chair = pg_server.url(CHAIR1, clinic_url)
    _record(chair, tmp_path / "s1.db", "older")
    admin = pg_server.url(database=clinic_url)
    with psycopg.connect(admin, autocommit=True) as conn:  # as before head rows existed
        conn.execute("SET ROLE km_owner")
        conn.execute("DELETE FROM km_heads")
        conn.execute("UPDATE km_meta SET value = '1' WHERE key = 'schema_version'")
    init_clinic(admin, 2, None)
    with PgLog(chair, spool=tmp_path / "s1.db") as log:
        before = len(log.events("older"))
        log.append("older", EventKind.NOTE, {"text": "after the upgrade"}, author="RN7",
                   observed_at=T0, recorded_at=T0)
        assert [e.seq for e in log.events("older")] == list(range(1, before + 2))
        assert log._execute("SELECT value FROM km_meta WHERE key = 'schema_version'"
                            ).fetchone() == ("2",)
    with open_log(pg_server.url(BOARD, clinic_url), readonly=True) as board:
        assert board.verify() == (1, before + 1)
