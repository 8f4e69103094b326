"""Attacks on the database file, its lock and its name (each test names what it attacks)."""

from __future__ import annotations

import json
import os
import sqlite3
from contextlib import contextmanager
from pathlib import Path

import pytest

from monitor.app.cli import main
from monitor.errors import StoreError, StoreLockedError
from monitor.log.sqlite.store import APPLICATION_ID, SCHEMA_VERSION, Store
from monitor.model.events import EventKind
from monitor.record.recorder import Recorder
from tests.conftest import OPENING, T0, baseline_vitals, both_backends, export_file
from tests.monitor.log.test_store import read_only

pytest_generate_tests = both_backends


def note(store: Store, sid: str = "abc", text: str = "x") -> None:
    store.append(sid, EventKind.NOTE, {"text": text}, author="RN7", observed_at=T0,
                 recorded_at=T0)


def test_lock_symlinked_to_the_database_never_truncates_it(tmp_path: Path):
    db = tmp_path / "s.db"
    with Store(db) as s:
        note(s)
    size = db.stat().st_size
    (tmp_path / "s.db.lock").unlink()
    os.symlink(db, tmp_path / "s.db.lock")
    with pytest.raises(StoreError, match=r"lock file .* symbolic link"):
        Store(db)
    assert db.stat().st_size == size
    with Store(db, readonly=True) as ro:
        assert len(ro.events("abc")) == 1


def test_lock_that_is_not_ours_is_left_alone(tmp_path: Path):
    db = tmp_path / "s.db"
    Store(db).close()
    lock = tmp_path / "s.db.lock"
    lock.write_text("somebody's notes\n" * 10)
    with pytest.raises(StoreError, match="not a lock file of this program"):
        Store(db)
    assert lock.read_text() == "somebody's notes\n" * 10


@pytest.mark.hazard("H-211")
def test_second_writer_through_a_symlinked_name_is_refused(tmp_path: Path):
    db = tmp_path / "s.db"
    alias = tmp_path / "alias.db"
    with Store(db) as first:
        os.symlink(db, alias)
        with pytest.raises(StoreLockedError, match="already open for writing"):
            Store(alias)
        note(first)


def test_second_writer_through_a_hard_link_is_refused(tmp_path: Path):
    db = tmp_path / "s.db"
    Store(db).close()
    os.link(db, tmp_path / "other-name.db")
    with pytest.raises(StoreError, match="more than one name"):
        Store(tmp_path / "other-name.db")


def _damage(db: Path) -> None:
    """Overwrite a table page's header: the file opens, its structure is broken."""
    with db.open("r+b") as fh:
        page = 4096
        fh.seek(3 * page)
        fh.write(b"\xff" * 64)


def test_writer_refuses_a_damaged_database_and_says_how_to_recover(tmp_path: Path, capsys):
    db = tmp_path / "s.db"
    with Store(db) as s:
        for i in range(400):
            note(s, text=f"entry {i} " + "x" * 50)
    before = db.read_bytes()
    _damage(db)
    damaged = db.read_bytes()
    assert damaged != before
    with pytest.raises(StoreError, match=r"damaged .*integrity check failed.*export SESSION"):
        Store(db)
    assert db.read_bytes() == damaged  # nothing was written into it
    assert main(["sessions", "--db", str(db)]) == 1


def test_percent_in_the_name_reads_that_file_not_another(tmp_path: Path):
    with Store(tmp_path / "wardA.db") as s:
        note(s, "in-wardA")
    with Store(tmp_path / "ward%41.db") as s:
        note(s, "in-ward-percent")
    with Store(tmp_path / "ward%41.db", readonly=True) as ro:
        assert ro.session_ids() == [] and len(ro.events("in-ward-percent")) == 1
        assert ro.events("in-wardA") == []


def test_hash_in_the_name_creates_no_other_file(tmp_path: Path):
    with Store(tmp_path / "bed#3.db") as s:
        note(s)
    with Store(tmp_path / "bed#3.db", readonly=True) as ro:
        assert len(ro.events("abc")) == 1
    assert not (tmp_path / "bed").exists()
    assert not any(p.name.startswith("bed") and "#" not in p.name for p in tmp_path.iterdir())


def test_read_only_media_without_wal_files_can_be_read(tmp_path: Path):
    folder = tmp_path / "cdrom"
    folder.mkdir()
    with Store(folder / "s.db") as s:
        note(s)
    assert not (folder / "s.db-wal").exists() and not (folder / "s.db-shm").exists()
    with read_only(folder), Store(folder / "s.db", readonly=True) as ro:
        assert len(ro.events("abc")) == 1
        assert ro.verify() == (1, 1)


def _other_app_db(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, what TEXT)")
    conn.execute("CREATE TABLE users (name TEXT)")
    conn.execute("INSERT INTO users VALUES ('alice')")
    conn.commit()
    conn.close()


def test_import_into_another_applications_database_is_refused(tmp_path: Path, db_path, clock,
                                                               protocols, capsys):
    from monitor.clock import ManualClock
    with Store(db_path) as store:
        rec = Recorder.open_new(store, clock, protocols, dict(OPENING))
        baseline_vitals(rec)
        sid = rec.session.session_id
    exported = export_file(db_path, sid, "json", tmp_path / "x.json", clock=ManualClock(T0))
    other = tmp_path / "other-app.db"
    _other_app_db(other)
    before = other.read_bytes()
    assert main(["import", str(exported), "--db", str(other)]) == 1
    assert "not a ketamine-monitor database; nothing was changed" in capsys.readouterr().err
    assert other.read_bytes() == before
    assert not Path(f"{other}-wal").exists()
    conn = sqlite3.connect(other)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert {r[0] for r in conn.execute("SELECT name FROM sqlite_master")} == {"events", "users"}
    conn.close()
    with pytest.raises(StoreError, match="not a ketamine-monitor database"):
        Store(other, readonly=True)


def test_database_from_a_newer_version_is_refused_for_reading_too(tmp_path: Path):
    path = tmp_path / "new.db"
    with Store(path) as s:
        note(s)
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    for readonly in (True, False):
        with pytest.raises(StoreError, match="made by a newer version"):
            Store(path, readonly=readonly)


def test_database_of_the_previous_schema_is_upgraded_and_sealed(tmp_path: Path):
    from monitor.log.sqlite.store import MIGRATIONS
    path = tmp_path / "v1.db"
    conn = sqlite3.connect(path, isolation_level=None)
    for statement in MIGRATIONS[0]:
        conn.execute(statement)
    conn.execute("PRAGMA user_version = 1")
    conn.close()
    with Store(path, readonly=True) as ro:  # readable as it is
        assert ro.verify() == (0, 0)
    with Store(path) as s:
        note(s)
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    with Store(path, readonly=True) as ro:
        assert ro.verify() == (1, 1) and ro.verify_notes == []


@pytest.mark.hazard("H-201")
def test_exact_session_id_wins_over_a_prefix(store, clock, protocols):
    for sid in ("2612", "2612ab"):
        Recorder.open_new(store, clock, protocols, dict(OPENING), session_id=sid)
    assert store.find_session("2612") == "2612"
    assert store.find_session("2612a") == "2612ab"
    with pytest.raises(StoreError, match="ambiguous"):
        store.find_session("26")


@contextmanager
def refusing_alarms(store, request):
    """A fault injected into the log: inserting an alarm decision fails."""
    if isinstance(store, Store):
        with store.raw() as conn:
            conn.execute("CREATE TRIGGER no_alarms BEFORE INSERT ON events WHEN NEW.kind = "
                         "'alarm_raised' BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END")
        yield
        with store.raw() as conn:
            conn.execute("DROP TRIGGER no_alarms")
        return
    import psycopg
    server = request.getfixturevalue("pg_server")
    admin = server.url(database=request.getfixturevalue("clinic_url"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute("CREATE FUNCTION no_alarms() RETURNS trigger LANGUAGE plpgsql AS $$ "
                     "BEGIN RAISE EXCEPTION 'disk I/O error'; END $$")
        conn.execute("CREATE TRIGGER no_alarms BEFORE INSERT ON events FOR EACH ROW WHEN "
                     "(NEW.kind = 'alarm_raised') EXECUTE FUNCTION no_alarms()")
        yield
        conn.execute("DROP TRIGGER no_alarms ON events")


def test_failed_rule_decisions_leave_no_entry_behind(recorder, store, request):
    """The entry and the alarm it raises are one transaction: 'Not saved' is true."""
    baseline_vitals(recorder)
    sid = recorder.session.session_id
    before = store.events(sid)
    with refusing_alarms(store, request):
        with pytest.raises(StoreError, match="Not saved"):
            recorder.record_vitals({"sbp": "210", "dbp": "95"}, "RN7")
        assert store.events(sid) == before
        assert recorder.session.latest("sbp")[1] == 128  # the fold went back to what is stored
        assert len(recorder.session.events) == len(before)
    recorder.record_vitals({"sbp": "210", "dbp": "95"}, "RN7")
    kinds = [e.kind for e in store.events(sid)[len(before):]]
    assert kinds[0] is EventKind.VITALS and EventKind.ALARM_RAISED in kinds
    assert store.verify()[1] == len(store.events(sid))


def test_protocol_copy_survives_renaming_and_deleting_the_site_protocol(
        tmp_path: Path, db_path, clock):
    from pypdf import PdfReader

    from monitor.clinical.protocols import load_protocols
    from monitor.clock import ManualClock
    site = tmp_path / "protocols.toml"
    shipped = (Path(__file__).parents[3] / "monitor" / "clinical" / "protocols"
               / "chronic-pain-iv.toml")
    lines = ["version = 1"]
    for line in shipped.read_text().splitlines():
        if line.startswith("["):
            line = "[protocols.ward-7." + line[1:]
        elif line.startswith(("version", "id =")):
            continue
        lines.append(line.replace("Chronic pain: low-dose IV infusion", "Ward 7 low dose"))
    site.write_text("\n".join(lines) + "\n")
    protocols = load_protocols(site)
    assert "ward-7" in protocols.protocols, protocols.problems
    with Store(db_path) as store:
        rec = Recorder.open_new(store, clock, protocols, {**OPENING, "protocol": "ward-7"})
        baseline_vitals(rec)
        sid = rec.session.session_id
    site.write_text(site.read_text().replace("Ward 7 low dose", "Renamed later"))
    renamed = load_protocols(site)
    pdf = export_file(db_path, sid, "pdf", tmp_path / "a.pdf", clock=ManualClock(T0),
                         protocols=renamed)
    text = PdfReader(pdf).pages[0].extract_text()
    assert "Ward 7 low dose" in text and "Renamed later" not in text
    site.write_text("version = 1\n")
    gone = load_protocols(site)
    assert "ward-7" not in gone.protocols
    for fmt in ("csv", "json", "pdf", "fhir"):
        export_file(db_path, sid, fmt, tmp_path / f"b.{fmt}", clock=ManualClock(T0),
                       protocols=gone)
    with Store(db_path) as store:
        again = Recorder(store, sid, clock, gone)
        assert again.protocol.name == "Ward 7 low dose"
    doc = json.loads((tmp_path / "b.json").read_text())
    assert doc["session"]["protocol"] == "ward-7"


def test_legacy_lock_file_is_reused(tmp_path: Path):
    db = tmp_path / "s.db"
    Store(db).close()
    lock = tmp_path / "s.db.lock"
    assert lock.exists() and lock.read_text().isdigit()
    with Store(db) as s:
        note(s)
    assert lock.read_text() == str(os.getpid())
