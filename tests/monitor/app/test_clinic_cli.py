"""The command line in clinic mode: ``clinic init``, and the usual commands on a
``postgresql://`` log; a session exported from the server imports into SQLite
with its hashes intact."""

from __future__ import annotations

import json
import os
import stat

import psycopg

from monitor.app.cli import main
from monitor.clock import ManualClock
from monitor.log.postgres.log import PgLog
from monitor.log.postgres.schema import BOARD, chair_role
from monitor.log.sqlite.store import Store
from monitor.model.events import EventKind
from monitor.record.recorder import Recorder
from tests.conftest import OPENING, T0, baseline_vitals


def test_clinic_init_makes_roles_and_hands_out_passwords_in_a_pgpass(pg_server, tmp_path,
                                                                      capsys) -> None:
    admin = pg_server.fresh_database("clinic_cli_init")
    before = {r[0] for r in psycopg.connect(admin).execute("SELECT rolname FROM pg_roles")}
    handout = tmp_path / "handout"
    assert main(["clinic", "init", "--db", admin, "--chairs", "9", "--pgpass",
                 str(handout)]) == 0
    out = capsys.readouterr().out
    assert "km_chair_9" in out and str(handout) in out
    new = {chair_role(9)} - before
    lines = handout.read_text().splitlines()
    assert [ln.split(":")[3] for ln in lines] == sorted(new)
    assert stat.S_IMODE(os.stat(handout).st_mode) == 0o600
    password = lines[0].split(":", 4)[4]
    assert password not in out  # never printed
    # the new chair logs in with the handed-out file only
    url = pg_server.url(chair_role(9), "clinic_cli_init")
    with psycopg.connect(url, passfile=str(handout)) as conn:
        assert conn.execute("SELECT current_user").fetchone() == (chair_role(9),)
    # again, the same: nothing new, nothing broken
    assert main(["clinic", "init", "--db", admin, "--chairs", "9"]) == 0


def test_clinic_init_bad_input_says_what_is_allowed(pg_server, tmp_path, capsys) -> None:
    admin = pg_server.fresh_database("clinic_cli_bad")
    assert main(["clinic", "init", "--db", admin, "--chairs", "0"]) == 1
    assert "--chairs 0: must be from 1 to 64" in capsys.readouterr().err
    assert main(["clinic", "init", "--db", str(tmp_path / "x.db")]) == 2
    assert "postgresql://" in capsys.readouterr().err
    chair = pg_server.url(chair_role(1), "clinic_cli_bad")
    assert main(["clinic", "init", "--db", chair, "--chairs", "2"]) == 1
    assert "superuser" in capsys.readouterr().err
    assert main(["board", "--db", str(tmp_path / "x.db")]) == 2


def test_sessions_verify_export_on_the_server_and_import_into_sqlite(
        pg_server, clinic_url, tmp_path, protocols, capsys) -> None:
    log = PgLog(pg_server.url(chair_role(1), clinic_url), spool=tmp_path / "spool.db")
    rec = Recorder.open_new(log, ManualClock(T0), protocols,
                            {**OPENING, "display_name": "Zoë \"Q\" Ñ\\\n"})
    baseline_vitals(rec)
    rec.add_note("RN7", "quote \" backslash \\ and ünïcödé ✓ 😀")
    # what the server hashes must be what Python hashed, for every character
    odd = "".join(chr(c) for c in range(1, 0x80)) + "\u2028\u2029\ufeff😀 \\u0000"
    log.append("odd", EventKind.NOTE, {"text": odd, "k\n\"": [1.5, None, True]},
               author="RN \"7\"\t", observed_at=T0, recorded_at=T0, source="man\x7fual")
    log.close()
    board = pg_server.url(BOARD, clinic_url)
    sid = rec.session.session_id
    assert main(["sessions", "--db", board]) == 0
    assert sid in capsys.readouterr().out
    assert main(["verify", "--db", board]) == 0
    assert "2 sessions" in capsys.readouterr().out
    out = tmp_path / "s.json"
    assert main(["export", sid, "--format", "json", "--out", str(out), "--db", board]) == 0
    capsys.readouterr()
    exported = json.loads(out.read_text())
    db = tmp_path / "local.db"
    assert main(["import", str(out), "--db", str(db)]) == 0
    with Store(db, readonly=True) as local:
        assert local.verify() == (1, len(rec.session.events))
        assert [e.hash for e in local.events(sid)] == [e.hash for e in rec.session.events]
    assert exported  # read back by the json module


def test_a_tampered_row_fails_verification(pg_server, clinic_url, tmp_path, protocols,
                                           capsys) -> None:
    log = PgLog(pg_server.url(chair_role(1), clinic_url), spool=tmp_path / "spool.db")
    rec = Recorder.open_new(log, ManualClock(T0), protocols, dict(OPENING))
    baseline_vitals(rec)
    log.close()
    with psycopg.connect(pg_server.url(database=clinic_url), autocommit=True) as conn:
        # a superuser can switch triggers off: the chain still shows the edit
        conn.execute("SET session_replication_role = replica")
        conn.execute("UPDATE events SET payload = replace(payload, '128', '118') "
                     "WHERE kind = 'vitals_recorded'")
    assert main(["verify", "--db", pg_server.url(BOARD, clinic_url)]) == 1
    assert "content does not match its stored hash" in capsys.readouterr().err
