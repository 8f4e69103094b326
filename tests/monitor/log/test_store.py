from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
from contextlib import contextmanager
from pathlib import Path

import pytest

from monitor.errors import ChainError, StoreError, StoreLockedError, ValidationError
from monitor.log.sqlite.store import SCHEMA_VERSION, Store
from monitor.model.events import EventKind
from tests.conftest import T0, baseline_vitals, both_backends

pytest_generate_tests = both_backends


@pytest.mark.sqlite_only
def test_file_is_owner_only_and_wal_full(store, db_path):
    assert stat.S_IMODE(os.stat(db_path).st_mode) == 0o600
    with store.raw() as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


@pytest.mark.sqlite_only
def test_triggers_refuse_update_and_delete(recorder, store):
    with store.raw() as conn:
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("UPDATE events SET payload = '{}' WHERE seq = 1")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("DELETE FROM events")


@pytest.mark.sqlite_only
def test_tampering_is_found_and_named(recorder, store, db_path):
    baseline_vitals(recorder)
    assert store.verify() == (1, 4)
    store.close()
    conn = sqlite3.connect(db_path)
    conn.execute("DROP TRIGGER events_append_only_update")
    conn.execute("UPDATE events SET payload = replace(payload, '128', '118') WHERE seq = 2")
    conn.commit()
    conn.close()
    with Store(db_path, readonly=True) as ro, pytest.raises(ChainError) as err:
        ro.verify()
    sid = recorder.session.session_id
    assert f"Event {sid}-2 (vitals_recorded) content does not match" in str(err.value)


@pytest.mark.hazard("H-211")
@pytest.mark.sqlite_only
def test_second_writer_is_refused_but_readers_work(recorder, db_path):
    with pytest.raises(StoreLockedError, match="already open for writing"):
        Store(db_path)
    with Store(db_path, readonly=True) as ro:
        assert len(ro.events(recorder.session.session_id)) == 1


def test_corrupt_file_gives_clear_error(tmp_path: Path):
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(StoreError, match="not a ketamine-monitor database or is damaged"):
        Store(bad)
    with pytest.raises(StoreError, match="not a ketamine-monitor database"):
        Store(bad, readonly=True)
    assert bad.read_bytes().startswith(b"this is not sqlite")


def test_other_sqlite_database_is_refused(tmp_path: Path):
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE x (a)")
    conn.close()
    with pytest.raises(StoreError, match="not a ketamine-monitor database"):
        Store(other, readonly=True)


@contextmanager
def read_only(path: Path):
    """Make a file or folder read-only even for root (chattr +i), else by mode bits."""
    if os.geteuid() == 0:
        if subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode:
            pytest.skip("cannot make a path read-only for root here (chattr +i)")
        try:
            yield
        finally:
            subprocess.run(["chattr", "-i", str(path)], check=True)
    else:
        mode = path.stat().st_mode
        path.chmod(0o500 if path.is_dir() else 0o400)
        try:
            yield
        finally:
            path.chmod(mode)


def test_read_only_folder_new_database(tmp_path: Path):
    folder = tmp_path / "ro"
    folder.mkdir()
    with read_only(folder), pytest.raises(StoreError, match="Cannot open"):
        Store(folder / "x.db")


def test_read_only_folder_existing_database(tmp_path: Path):
    """The data stays readable; opening for writing is refused with a clear message."""
    folder = tmp_path / "ro2"
    folder.mkdir()
    path = folder / "s.db"
    with Store(path) as s:
        s.append("abc", EventKind.NOTE, {"text": "x"}, author="RN7", observed_at=T0,
                 recorded_at=T0)
    with read_only(folder), pytest.raises(StoreError, match="Cannot"):
        Store(path)
    with Store(path, readonly=True) as ro:
        assert len(ro.events("abc")) == 1


@pytest.mark.sqlite_only
def test_read_only_file(recorder, store, db_path):
    store.close()
    with read_only(db_path), pytest.raises(StoreError, match="read-only"):
        Store(db_path)


def test_missing_folder(tmp_path: Path):
    with pytest.raises(StoreError, match="does not exist"):
        Store(tmp_path / "nope" / "x.db")


@pytest.mark.hazard("H-208")
@pytest.mark.sqlite_only
def test_full_disk_loses_nothing_already_stored(recorder, store):
    baseline_vitals(recorder)
    before = store.events(recorder.session.session_id)
    with store.raw() as conn:
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {pages}")
    big = {"sbp": "130", "dbp": "80"}
    with pytest.raises(StoreError, match="disk is full"):
        for _ in range(2000):
            recorder.record_vitals(big, "RN7")
    with store.raw() as conn:
        conn.execute("PRAGMA max_page_count = 1073741823")
    after = store.events(recorder.session.session_id)
    assert after[: len(before)] == before
    assert store.verify()[1] == len(after)
    # and the session keeps recording once space is back
    recorder.record_vitals(big, "RN7")
    assert store.verify()[1] == len(after) + 1


def test_newer_schema_is_refused(tmp_path: Path):
    path = tmp_path / "new.db"
    Store(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(StoreError, match="newer version"):
        Store(path)


def test_invalid_entry_stores_nothing(recorder, store):
    n = len(store.events(recorder.session.session_id))
    with pytest.raises(ValidationError):
        recorder.record_vitals({"sbp": "120/", "hr": "abc"}, "RN7")
    with pytest.raises(ValidationError, match="Nurse ID"):
        recorder.record_vitals({"sbp": "120/80"}, "")
    assert len(store.events(recorder.session.session_id)) == n


@pytest.mark.hazard("H-219")
def test_future_and_pre_session_times_refused(recorder, clock):
    from datetime import timedelta
    with pytest.raises(ValidationError, match="not more than 1 minute in the future"):
        recorder.record_vitals({"hr": "70"}, "RN7", observed_at=clock.now() + timedelta(minutes=2))
    with pytest.raises(ValidationError, match="not before the session opened"):
        recorder.record_vitals({"hr": "70"}, "RN7", observed_at=T0 - timedelta(minutes=1))
    soon = clock.now() + timedelta(seconds=30)
    ev = recorder.record_vitals({"hr": "70"}, "RN7", observed_at=soon)
    assert ev.kind is EventKind.VITALS


def test_reopen_folds_the_same_session(recorder, store, open_store, clock, protocols):
    from monitor.record.recorder import Recorder
    baseline_vitals(recorder)
    recorder.start_infusion("RN7", rate="0.35", rate_unit="mg/kg/h")
    clock.advance(1800)
    sid = recorder.session.session_id
    dose = recorder.session.dose_mg(clock.now())
    store.close()
    with open_store() as again:
        rec2 = Recorder(again, sid, clock, protocols)
        assert rec2.session.phase == "infusing"
        assert rec2.session.dose_mg(clock.now()) == pytest.approx(dose)
        rec2.record_vitals({"hr": "80"}, "RN7")
        assert again.verify() == (1, len(again.events(sid)))


def test_listing_matches_the_folded_phase(recorder, store, clock):
    from monitor.model.session import fold
    from monitor.record.sessions import session_rows
    steps = [lambda: baseline_vitals(recorder),
             lambda: recorder.start_infusion("RN7", rate="0.35", rate_unit="mg/kg/h"),
             lambda: recorder.stop_infusion("RN7")]
    for step in steps:
        step()
        (row,) = session_rows(store)
        sid = recorder.session.session_id
        assert row["phase"] == fold(sid, store.events(sid)).phase
