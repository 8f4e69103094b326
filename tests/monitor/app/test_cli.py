"""The command line as a user runs it: a real process, real files, exit codes."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from monitor.log.sqlite.store import Store
from tests.conftest import OPENING, baseline_vitals

SUBCOMMANDS = ("gui", "demo", "sessions", "export", "import", "verify", "listen", "replay")


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ui.entry", *args], capture_output=True,
                          text=True, timeout=120, env={**os.environ, **(env or {})})


def test_help_lists_every_subcommand():
    proc = cli("--help")
    assert proc.returncode == 0
    for name in SUBCOMMANDS:
        assert name in proc.stdout


def test_bad_arguments_exit_2():
    assert cli("export").returncode == 2
    assert cli("export", "x", "--format", "docx", "--out", "y").returncode == 2
    assert cli("frobnicate").returncode == 2


def make_session(db: Path, clock, protocols):
    from monitor.record.recorder import Recorder
    with Store(db) as store:
        rec = Recorder.open_new(store, clock, protocols, dict(OPENING))
        baseline_vitals(rec)
        return rec.session.session_id


def test_sessions_and_verify(db_path, clock, protocols):
    sid = make_session(db_path, clock, protocols)
    proc = cli("sessions", "--db", str(db_path))
    assert proc.returncode == 0, proc.stderr
    assert sid in proc.stdout and "MRN-0042" in proc.stdout and "baseline" in proc.stdout
    proc = cli("verify", "--db", str(db_path))
    assert proc.returncode == 0
    assert "4 events, every chain verifies" in proc.stdout


def test_environment_variable_selects_database(db_path, clock, protocols):
    sid = make_session(db_path, clock, protocols)
    proc = cli("sessions", env={"KETAMINE_MONITOR_DB": str(db_path)})
    assert sid in proc.stdout


def test_verify_names_the_tampered_event(db_path, clock, protocols):
    sid = make_session(db_path, clock, protocols)
    conn = sqlite3.connect(db_path)
    conn.execute("DROP TRIGGER events_append_only_update")
    conn.execute("UPDATE events SET author = 'RN9' WHERE seq = 3")
    conn.commit()
    conn.close()
    proc = cli("verify", "--db", str(db_path))
    assert proc.returncode == 1
    assert f"Event {sid}-3 (assessment_recorded)" in proc.stderr
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("content", [b"", b"garbage" * 50])
def test_corrupt_or_missing_database_one_line(tmp_path: Path, content: bytes):
    bad = tmp_path / "bad.db"
    bad.write_bytes(content)
    for args in (("verify",), ("sessions",)):
        proc = cli(*args, "--db", str(bad))
        assert proc.returncode == 1
        assert proc.stderr.startswith("ketamine-monitor: error:")
        assert "Traceback" not in proc.stderr
    proc = cli("verify", "--db", str(tmp_path / "absent.db"))
    assert proc.returncode == 1 and "No database" in proc.stderr


def test_db_option_before_or_after_the_command(db_path, clock, protocols):
    sid = make_session(db_path, clock, protocols)
    assert sid in cli("--db", str(db_path), "sessions").stdout
    assert sid in cli("sessions", "--db", str(db_path)).stdout
