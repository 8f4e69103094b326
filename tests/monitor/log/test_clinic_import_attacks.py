"""The clinic log's import (``ketamine-monitor import FILE.json --db postgresql://…``)
under attack, on a real PostgreSQL: a file cut short, another chair's session, the
server going away mid-import, two imports of the same file at once (real processes)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest

from monitor.app.cli import main
from monitor.log.postgres.log import PgLog
from monitor.log.postgres.schema import BOARD, chair_role
from monitor.log.sqlite.store import Store
from monitor.record.recorder import Recorder
from tests.conftest import OPENING, baseline_vitals, export_file

ROOT = Path(__file__).parents[3]
CHAIR1, CHAIR2 = chair_role(1), chair_role(2)
CLI = "import sys; from monitor.app.cli import main; sys.exit(main(sys.argv[1:]))"


def _exported(tmp_path: Path, clock, protocols) -> tuple[str, int, Path]:
    """A session recorded on a bedside PC and exported as JSON: (id, events, file)."""
    db = tmp_path / "bedside.db"
    with Store(db) as store:
        rec = Recorder.open_new(store, clock, protocols, dict(OPENING))
        baseline_vitals(rec)
        sid, count = rec.session.session_id, len(store.events(rec.session.session_id))
    return sid, count, export_file(db, sid, "json", tmp_path / "s.json")


def _server_count(pg_server, clinic_url, sid: str) -> int:
    with psycopg.connect(pg_server.url(database=clinic_url)) as conn:
        row = conn.execute("SELECT count(*) FROM events WHERE session_id = %s",
                           (sid,)).fetchone()
        assert row is not None
        return int(row[0])


def _cut(path: Path, keep: int) -> Path:
    """The file cut after its ``keep``-th event line: valid JSON, a shorter chain."""
    lines = path.read_text("utf-8").splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith('{"author"'))
    body = lines[first:first + keep]
    body[-1] = body[-1].rstrip(",")
    out = path.with_name("cut.json")
    out.write_text("\n".join([*lines[:first], *body, " ]", "}"]) + "\n", "utf-8")
    json.loads(out.read_text("utf-8"))  # still a valid document
    return out


@pytest.mark.hazard("H-344")
@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_file_cut_short_at_an_event_is_refused_not_imported_shorter(
        pg_server, clinic_url, tmp_path, clock, protocols, capsys, backend) -> None:
    sid, count, out = _exported(tmp_path, clock, protocols)
    cut = _cut(out, count - 2)
    target = (str(tmp_path / "other.db") if backend == "sqlite"
              else pg_server.url(CHAIR1, clinic_url))
    assert main(["import", str(cut), "--db", target]) == 1
    err = capsys.readouterr().err
    assert f"declares {count} events but holds {count - 2}" in err, err
    assert "nothing was imported" in err
    if backend == "postgresql":
        assert _server_count(pg_server, clinic_url, sid) == 0
    else:
        with Store(Path(target), readonly=True) as local:
            assert local.session_ids() == []
    assert main(["import", str(out), "--db", target]) == 0   # the whole file still imports


@pytest.mark.hazard("H-344")
def test_another_chairs_session_is_refused_without_naming_its_chair(
        pg_server, clinic_url, tmp_path, clock, protocols, capsys) -> None:
    sid, count, out = _exported(tmp_path, clock, protocols)
    assert main(["import", str(out), "--db", pg_server.url(CHAIR1, clinic_url)]) == 0
    capsys.readouterr()
    assert main(["import", str(out), "--db", pg_server.url(CHAIR2, clinic_url)]) == 1
    err = capsys.readouterr().err
    assert "Not imported" in err and "not one of this chair's sessions" in err, err
    assert CHAIR1 not in err
    assert _server_count(pg_server, clinic_url, sid) == count
    with PgLog(pg_server.url(BOARD, clinic_url), readonly=True) as board:
        assert board.verify() == (1, count)


def _start_import(out: Path, url: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", CLI, "import", str(out), "--db", url],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


@pytest.mark.hazard("H-344")
def test_two_imports_of_the_same_file_at_once_store_it_once(
        pg_server, clinic_url, tmp_path, clock, protocols) -> None:
    sid, count, out = _exported(tmp_path, clock, protocols)
    url = pg_server.url(CHAIR1, clinic_url)
    runs = [_start_import(out, url) for _ in range(2)]
    results = [(p.wait(timeout=120), *p.communicate()) for p in runs]
    codes = sorted(code for code, _o, _e in results)
    assert codes == [0, 1], results
    failed = next(err for code, _o, err in results if code == 1)
    assert failed.startswith("ketamine-monitor: error: ") and failed.count("\n") == 1, failed
    assert "Traceback" not in failed
    assert _server_count(pg_server, clinic_url, sid) == count
    with PgLog(pg_server.url(BOARD, clinic_url), readonly=True) as board:
        assert board.verify() == (1, count)


@pytest.mark.hazard("H-344")
def test_the_server_going_away_mid_import_leaves_nothing_then_the_import_goes_again(
        pg_server, clinic_url, tmp_path, clock, protocols) -> None:
    """The import waits on a table lock held by the administrator; its connection is
    then cut by the server (as a restart or a lost link cuts it)."""
    sid, count, out = _exported(tmp_path, clock, protocols)
    url = pg_server.url(CHAIR1, clinic_url)
    with psycopg.connect(pg_server.url(database=clinic_url)) as admin:
        admin.execute("LOCK TABLE events IN ACCESS EXCLUSIVE MODE")
        run = _start_import(out, url)
        deadline, cut = time.monotonic() + 30, 0
        while not cut and time.monotonic() < deadline and run.poll() is None:
            with psycopg.connect(pg_server.url(database=clinic_url), autocommit=True) as c:
                row = c.execute(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE usename = %s AND wait_event_type = 'Lock'", (CHAIR1,)).fetchone()
                cut = int(row[0]) if row else 0
            time.sleep(0.02)
        code, _out, err = (run.wait(timeout=60), *run.communicate())
        admin.rollback()
    assert code == 1 and "Traceback" not in err, err
    assert "nothing was imported" in err or "Not imported" in err, err
    assert _server_count(pg_server, clinic_url, sid) == 0
    assert main(["import", str(out), "--db", url]) == 0
    assert _server_count(pg_server, clinic_url, sid) == count
