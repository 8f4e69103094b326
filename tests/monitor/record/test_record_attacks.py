"""The record under attack, SQLite side (issue 25): a moved file, special files, seals
switched off, same-named triggers, poisoned imports, a damaged file, a key file cut
short. Each test is named after its attack; real files, subprocesses where the
attack needs another process."""

from __future__ import annotations

import csv
import io
import json
import os
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import vitaldb
from pypdf import PdfReader

from monitor.app.cli import main
from monitor.clock import ManualClock
from monitor.errors import ChainError, StoreError
from monitor.log.sqlite.key_ledger import ledger_file
from monitor.log.sqlite.sealing import key_file
from monitor.log.sqlite.store import WAL_SIZE_LIMIT, Store
from monitor.model.events import EventKind
from monitor.record.recorder import Recorder
from tests.conftest import OPENING, T0, baseline_vitals, export_file
from tests.support import tamper

ROOT = Path(__file__).resolve().parents[3]


def note(store: Store, sid: str, text: str = "x") -> None:
    store.append(sid, EventKind.NOTE, {"text": text}, author="RN7", observed_at=T0,
                 recorded_at=T0)


def notes_in(db: Path, sid: str) -> list[str]:
    with Store(db, readonly=True) as ro:
        return [e.payload["text"] for e in ro.events(sid)]


def recorded(db: Path, clock, protocols) -> str:
    with Store(db) as store:
        rec = Recorder.open_new(store, clock, protocols, dict(OPENING))
        baseline_vitals(rec)
        return rec.session.session_id


# -- 1. a database moved, deleted or replaced while the window records ---------------
@pytest.mark.hazard("H-170")
def test_attack_database_renamed_while_recording(tmp_path: Path, capsys):
    db, moved = tmp_path / "sessions.db", tmp_path / "moved.db"
    store = Store(db)
    try:
        note(store, "abc", "before the move")
        os.rename(db, moved)
        with pytest.raises(StoreError, match=r"moved or renamed while recording \(it is now "
                                             rf"{moved}\).* every entry saved before this "
                                             rf"one is in {moved}"):
            note(store, "abc", "after the move")
        # Recording has stopped: nothing more goes anywhere nobody looks.
        with pytest.raises(StoreError, match="Recording has stopped"):
            note(store, "abc", "later still")
    finally:
        store.close()
    assert notes_in(moved, "abc") == ["before the move"]
    assert main(["verify", "--db", str(moved)]) == 0
    assert not db.exists()
    Store(db).close()  # the old name's -wal holds nothing now: a new database may start


@pytest.mark.hazard("H-170")
def test_attack_database_deleted_while_recording(tmp_path: Path):
    db = tmp_path / "sessions.db"
    store = Store(db)
    try:
        for i in range(3):
            note(store, "abc", f"entry {i}")
        os.unlink(db)
        with pytest.raises(StoreError, match=r"was deleted while recording; every entry saved "
                                             r"before this one was copied to .*sessions-rescued"):
            note(store, "abc", "after the delete")
    finally:
        store.close()
    rescued = tmp_path / "sessions-rescued-1.db"
    assert notes_in(rescued, "abc") == ["entry 0", "entry 1", "entry 2"]
    assert main(["verify", "--db", str(rescued)]) == 0


@pytest.mark.hazard("H-170")
def test_attack_database_replaced_by_another_file_while_recording(tmp_path: Path):
    db, other = tmp_path / "sessions.db", tmp_path / "other.db"
    with Store(other) as s:
        note(s, "zzz", "the other file")
    store = Store(db)
    try:
        note(store, "abc", "ours")
        os.replace(other, db)
        with pytest.raises(StoreError, match="replaced by another file while recording"):
            note(store, "abc", "after the swap")
    finally:
        store.close()
    assert notes_in(tmp_path / "sessions-rescued-1.db", "abc") == ["ours"]
    assert notes_in(db, "zzz") == ["the other file"]  # the file put there is untouched


_WRITER = """
import sys, time
from datetime import UTC, datetime
from monitor.model.events import EventKind
from monitor.log.sqlite.store import Store
store = Store(sys.argv[1])
t = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
for i in range(int(sys.argv[2])):
    store.append("abc", EventKind.NOTE, {"text": f"entry {i}"}, author="RN7",
                 observed_at=t, recorded_at=t)
print("saved", flush=True)
time.sleep(60)
"""


@pytest.mark.hazard("H-171")
def test_attack_database_moved_then_writer_killed_never_loses_the_orphaned_wal(
        tmp_path: Path, capsys):
    """The reviewer's loss: mv the file, the writer dies, the next start on the default
    path used to create a new database and SQLite threw the old -wal away."""
    db, moved = tmp_path / "sessions.db", tmp_path / "moved.db"
    child = subprocess.Popen([sys.executable, "-c", _WRITER, str(db), "40"], cwd=ROOT,
                             stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "saved"
        os.rename(db, moved)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    wal = Path(f"{db}-wal")
    size = wal.stat().st_size
    assert size > 0  # the newest entries are only there
    capsys.readouterr()
    assert main(["import", str(tmp_path / "none.json"), "--db", str(db)]) == 1
    err = capsys.readouterr().err
    assert f"Refused to create {db}: {wal} exists without its database" in err
    assert not db.exists() and wal.stat().st_size == size
    # The recovery the message gives: put the file back; every entry is there.
    os.rename(moved, db)
    assert notes_in(db, "abc") == [f"entry {i}" for i in range(40)]


@pytest.mark.hazard("H-171")
def test_wal_stays_small_while_recording(tmp_path: Path):
    db = tmp_path / "s.db"
    biggest = 0
    with Store(db) as store:
        for i in range(3000):
            note(store, "abc", f"entry {i} " + "x" * 200)
            biggest = max(biggest, Path(f"{db}-wal").stat().st_size)
    assert biggest <= WAL_SIZE_LIMIT + 64 * 1024  # SQLite's default would let it reach 4 MB


# -- 15. special files as --db ------------------------------------------------------
def _special(kind: str, tmp_path: Path) -> Path:
    if kind == "fifo":
        os.mkfifo(tmp_path / "pipe.db")
        return tmp_path / "pipe.db"
    if kind == "directory":
        (tmp_path / "folder.db").mkdir()
        return tmp_path / "folder.db"
    if kind == "socket":
        path = tmp_path / "sock.db"
        sock = socket.socket(socket.AF_UNIX)
        sock.bind(str(path))
        sock.close()
        return path
    return Path("/dev/null")


@pytest.mark.hazard("H-180")
@pytest.mark.parametrize("kind", ["fifo", "dev-null", "directory", "socket"])
@pytest.mark.parametrize("command", ["sessions", "verify", "export", "import", "demo"])
def test_attack_special_file_as_db_is_refused_before_locking(tmp_path: Path, kind, command):
    target = _special(kind, tmp_path)
    args = {"sessions": ["sessions"], "verify": ["verify"],
            "export": ["export", "abc", "--format", "json", "--out", str(tmp_path / "o.json")],
            "import": ["import", str(tmp_path / "none.json")],
            "demo": ["demo", "--headless", "--minutes", "1"]}[command]
    lock_before = Path(f"{target}.lock").exists()
    # In a process of its own: a FIFO used to hang `sessions` and `verify` forever.
    done = subprocess.run([sys.executable, "-m", "monitor.app.cli", *args, "--db", str(target)],
                          cwd=ROOT, capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 1, done.stderr
    assert "not a database file" in done.stderr and done.stderr.count("\n") == 1
    assert Path(f"{target}.lock").exists() == lock_before  # no /dev/null.lock


# -- 9. a same-named trigger that does nothing -----------------------------------------
@pytest.mark.hazard("H-172")
def test_attack_same_named_noop_triggers_fail_the_trigger_check(db_path, clock, protocols,
                                                                tmp_path, capsys):
    sid = recorded(db_path, clock, protocols)
    conn = sqlite3.connect(db_path, isolation_level=None)
    for name in ("events_append_only_update", "events_append_only_delete"):
        conn.execute(f"DROP TRIGGER {name}")
        what = "UPDATE" if "update" in name else "DELETE"
        conn.execute(f"CREATE TRIGGER {name} BEFORE {what} ON events BEGIN SELECT 1; END")
    conn.execute("UPDATE events SET author = 'RN9' WHERE seq = 2")  # now nothing refuses it
    conn.close()
    capsys.readouterr()
    assert main(["verify", "--db", str(db_path)]) == 1
    err = capsys.readouterr().err
    assert ("append-only trigger events_append_only_update was replaced by one with another "
            "definition") in err
    with pytest.raises(Exception, match=r"Refused to export.*replaced by one with another"):
        export_file(db_path, sid, "json", tmp_path / "x.json", clock=ManualClock(T0))


def test_trigger_check_ignores_only_whitespace(db_path, clock, protocols, capsys):
    """The same definition written on one line is still ours (no false alarm)."""
    recorded(db_path, clock, protocols)
    conn = sqlite3.connect(db_path, isolation_level=None)
    conn.execute("DROP TRIGGER events_append_only_delete")
    conn.execute("CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events BEGIN "
                 "SELECT RAISE(ABORT, 'events are append-only: corrections are new events'); "
                 "END")
    conn.close()
    assert main(["verify", "--db", str(db_path)]) == 0


# -- 8. seals switched off without the key ------------------------------------------------
def _downgrade(db: Path, sid: str) -> None:
    """The reviewer's attack: change a value, recompute the chain, move the registry head,
    relabel every key id and delete the seals row."""
    tamper.edit_and_rehash(db, sid, 2, '"sbp":128', '"sbp":118')
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("UPDATE registry SET key_id = '0123456789abcdef'")
    conn.execute("DELETE FROM seals")
    conn.close()


@pytest.mark.hazard("H-173")
def test_attack_seals_downgraded_by_relabelling_key_ids(db_path, clock, protocols, tmp_path,
                                                        capsys):
    sid, _ = tamper.two_sessions(db_path, clock, protocols)
    _downgrade(db_path, sid)
    capsys.readouterr()
    assert main(["verify", "--db", str(db_path)]) == 3  # not 0: nothing was verified
    out = capsys.readouterr().out
    assert out.startswith("NOT VERIFIED: ") and "seals not checked" in out
    for fmt in ("json", "csv", "pdf", "fhir", "vital"):
        path = export_file(db_path, sid, fmt, tmp_path / f"x.{fmt}", clock=ManualClock(T0))
        if fmt == "json":
            assert json.loads(path.read_text())["record"]["verification"].startswith(
                "NOT VERIFIED: seals not checked")
        elif fmt == "csv":
            rows = list(csv.DictReader(io.StringIO(path.read_text("utf-8-sig"))))
            assert rows and {r["record"] for r in rows} == {"NOT VERIFIED"}
        elif fmt == "pdf":
            first = PdfReader(path).pages[0].extract_text().splitlines()
            assert first[0].startswith("NOT VERIFIED: seals not checked")
            assert all("NOT VERIFIED" in p.extract_text() for p in PdfReader(path).pages)
        elif fmt == "fhir":
            tag = json.loads(path.read_text())["meta"]["tag"][0]["display"]
            assert "verification: NOT VERIFIED" in tag
        else:
            from tests.monitor.export.test_vital_export import _recs
            vf = vitaldb.VitalFile(str(path))
            assert _recs(vf, "EVENT")[0][1].startswith("NOT VERIFIED")


def _to_schema_1(db: Path, sid: str, *, clear_mark: bool) -> None:
    """Seals removed by making the file look older than seals: edit and rehash, drop the
    registry, the seals and the mac column, set user_version 1 (and the mark, maybe)."""
    tamper.edit_and_rehash(db, sid, 2, '"sbp":128', '"sbp":118')
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("DROP TABLE registry")
    conn.execute("DROP TABLE seals")
    conn.execute("ALTER TABLE events DROP COLUMN mac")
    conn.execute("PRAGMA user_version = 1")
    if clear_mark:
        conn.execute("PRAGMA application_id = 0")
    conn.close()


@pytest.mark.hazard("H-173")
@pytest.mark.parametrize("clear_mark", [False, True], ids=["mark kept", "mark cleared"])
def test_attack_seals_removed_by_downgrading_to_schema_1(db_path, clock, protocols, tmp_path,
                                                         capsys, clear_mark):
    sid, _ = tamper.two_sessions(db_path, clock, protocols)
    _to_schema_1(db_path, sid, clear_mark=clear_mark)
    before = db_path.read_bytes()
    # A writer would seal the forged content as it is now: refused, nothing changed.
    with pytest.raises(StoreError, match=r"its seals were removed\. Nothing was changed"):
        Store(db_path)
    assert db_path.read_bytes() == before
    capsys.readouterr()
    assert main(["verify", "--db", str(db_path)]) == 1
    assert "its seals were removed" in capsys.readouterr().err


@pytest.mark.hazard("H-174")
def test_attack_key_file_deleted_then_a_writer_starts(db_path, clock, protocols, capsys):
    recorded(db_path, clock, protocols)
    key_file().unlink()
    with pytest.raises(StoreError, match=r"Refused to make a new record key: .* this "
                                         r"workstation sealed them with key .* deleted; "
                                         "restore it from its backup"):
        Store(db_path)
    assert not key_file().exists()  # no key minted in silence
    capsys.readouterr()
    assert main(["verify", "--db", str(db_path)]) == 3
    assert "this workstation sealed with it before" in capsys.readouterr().out


@pytest.mark.hazard("H-174")
def test_attack_key_file_replaced_then_a_writer_starts(db_path, clock, protocols, capsys):
    recorded(db_path, clock, protocols)
    key_file().write_text(secrets.token_hex(32))
    with pytest.raises(StoreError, match=r"the key file was replaced\. Restore the original"):
        Store(db_path)
    assert main(["verify", "--db", str(db_path)]) == 3


def test_workstation_key_ids_are_kept_outside_the_database(db_path, clock, protocols):
    from monitor.log.sqlite.sealing import key_id, load_key
    recorded(db_path, clock, protocols)
    kid = key_id(load_key(create=False))
    assert ledger_file().read_text().split() == [kid]
    assert not str(ledger_file()).startswith(str(db_path.parent / "sessions"))
    # A new database on the same workstation adds nothing new and is not refused.
    with Store(db_path.with_name("second.db")) as s:
        note(s, "abc")
    assert ledger_file().read_text().split() == [kid]


# -- 13. the key file cut short, or not a file -------------------------------------------
@pytest.mark.hazard("H-175")
@pytest.mark.parametrize("damage", ["empty", "directory"])
def test_attack_broken_key_file_never_blocks_reading(db_path, clock, protocols, tmp_path,
                                                     damage, capsys):
    sid = recorded(db_path, clock, protocols)
    key_file().unlink()
    if damage == "empty":
        key_file().write_text("")
        os.chmod(key_file(), 0o600)
    else:
        key_file().mkdir()
    expected = "is empty" if damage == "empty" else "is not a file"
    with pytest.raises(StoreError, match=expected):
        Store(db_path)
    capsys.readouterr()
    assert main(["verify", "--db", str(db_path)]) == 3
    assert expected in capsys.readouterr().out
    assert main(["sessions", "--db", str(db_path)]) == 0
    path = export_file(db_path, sid, "json", tmp_path / "x.json", clock=ManualClock(T0))
    assert expected in json.loads(path.read_text())["record"]["verification"]


@pytest.fixture
def small_disk(tmp_path: Path):
    """A real full disk: a 64 KiB tmpfs (needs the right to mount; skipped without)."""
    mnt = tmp_path / "small"
    mnt.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mnt)],
                          capture_output=True)
    if done.returncode != 0:
        pytest.skip("cannot mount a small tmpfs here (not root)")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", str(mnt)], check=True)


@pytest.mark.hazard("H-175")
def test_attack_first_start_on_a_full_disk_leaves_no_empty_key(small_disk: Path, tmp_path,
                                                               monkeypatch):
    filler = small_disk / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        with pytest.raises(OSError, match="No space left"):
            while True:
                os.write(fd, b"\0" * 4096)
    finally:
        os.close(fd)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(small_disk / "config"))
    with pytest.raises(StoreError, match=r"Cannot create the record key .*the disk is full"):
        Store(tmp_path / "s.db")
    assert not key_file().exists()  # no empty key left to block every later writer
    assert not list(small_disk.rglob("*.tmp"))
    filler.unlink()
    with Store(tmp_path / "s.db") as s:  # space again: the next start just works
        note(s, "abc")
    assert len(key_file().read_text().strip()) == 64


# -- 10. poisoned imports -----------------------------------------------------------------
@pytest.fixture
def exported(db_path, clock, protocols, tmp_path) -> tuple[dict, str]:
    sid = recorded(db_path, clock, protocols)
    path = export_file(db_path, sid, "json", tmp_path / "good.json", clock=ManualClock(T0))
    return json.loads(path.read_text()), sid


def _import(doc: dict, tmp_path: Path, capsys, target: Path | None = None) -> tuple[int, str]:
    from tests.monitor.export.test_import_attacks import rechain
    path = tmp_path / "in.json"
    path.write_text(json.dumps(rechain(doc)))
    capsys.readouterr()
    code = main(["import", str(path), "--db", str(target or tmp_path / "target.db")])
    return code, capsys.readouterr().err


@pytest.mark.hazard("H-176")
def test_attack_import_author_as_a_number_is_refused(exported, tmp_path, capsys):
    doc, _ = exported
    doc["events"][1]["author"] = 7
    code, err = _import(doc, tmp_path, capsys)
    assert code == 1 and "event 2: field author is 7 (int); allowed: text" in err
    target = tmp_path / "target.db"
    assert not target.exists() or main(["verify", "--db", str(target)]) == 0


@pytest.mark.hazard("H-176")
@pytest.mark.parametrize("bad", ["", "/etc/passwd", "../../x", "a b", "ÄBC1"])
def test_attack_import_session_id_outside_the_pattern_is_refused(exported, tmp_path, capsys,
                                                                 bad):
    doc, _ = exported
    for rec in doc["events"]:
        rec["session_id"] = bad
    code, err = _import(doc, tmp_path, capsys)
    assert code == 1 and "field session_id" in err and "no path" in err


@pytest.mark.hazard("H-176")
def test_attack_import_prefix_of_an_existing_id_would_capture_export(exported, db_path,
                                                                     tmp_path, capsys):
    doc, sid = exported
    for rec in doc["events"]:
        rec["session_id"] = sid[:6]
    code, err = _import(doc, tmp_path, capsys, target=db_path)
    assert code == 1 and f"session id {sid[:6]} is the beginning of session {sid}" in err
    with Store(db_path, readonly=True) as ro:
        assert ro.find_session(sid[:6]) == sid  # `export` still finds the original


@pytest.mark.hazard("H-176")
def test_import_rechecks_the_stored_rows_and_rolls_back(exported, tmp_path, capsys):
    """Past the field check (called directly): an event hashed over a number but stored as
    text fails the same checker verify uses, before COMMIT, and nothing stays."""
    from monitor.model.events import Event, chain_events
    doc, _ = exported
    events = [Event.from_record(r) for r in doc["events"]]
    forged = chain_events(events[0].session_id, (0, "0" * 64),
                          [(e.kind, e.payload, 7 if e.seq == 2 else e.author,  # type: ignore
                            e.observed_at, e.source) for e in events], events[0].recorded_at)
    target = tmp_path / "t.db"
    with Store(target) as store, pytest.raises(ChainError, match=r"Not imported: event .*-2 "
                                                                r".*as stored content does not "
                                                                r"match its stored hash"):
        store.import_events(forged)
    with Store(target, readonly=True) as ro:
        assert ro.session_ids() == []
    assert main(["verify", "--db", str(target)]) == 0


# -- 11. a legal note of many lines -------------------------------------------------------
@pytest.mark.hazard("H-177")
def test_attack_note_of_999_lines_still_makes_the_pdf(db_path, clock, protocols, tmp_path):
    with Store(db_path) as store:
        rec = Recorder.open_new(store, clock, protocols, dict(OPENING))
        baseline_vitals(rec)
        rec.add_note("RN7", "".join(f"{i % 10}\n" for i in range(999)))  # 1,998 characters
        sid = rec.session.session_id
    pdf = export_file(db_path, sid, "pdf", tmp_path / "r.pdf", clock=ManualClock(T0))
    reader = PdfReader(pdf)
    text = "\n".join(p.extract_text() for p in reader.pages)
    lines = [t for t in text.splitlines() if len(t.strip()) == 1 and t.strip().isdigit()]
    assert len(lines) >= 999 and len(reader.pages) >= 4  # the row runs over pages


# -- 12. de-identified exports that date the session --------------------------------------
def _no_real_date(reader: PdfReader) -> bool:
    """No creation or modification date but the fixed one (2000-01-01) a file without
    a date carries."""
    dates = [str(reader.metadata.get(k, "")) for k in ("/CreationDate", "/ModDate")]
    return all(d in ("", "None") or d.startswith("D:2000") for d in dates)


@pytest.mark.hazard("H-178")
def test_attack_deidentified_exports_do_not_date_the_session(db_path, clock, protocols,
                                                             tmp_path):
    sid = recorded(db_path, clock, protocols)
    later = ManualClock(T0)
    later.advance(3 * 3600)
    pdf = export_file(db_path, sid, "pdf", tmp_path / "d.pdf", clock=later, deidentify=True)
    reader = PdfReader(pdf)
    assert _no_real_date(reader) and "generated" not in reader.pages[0].extract_text()
    doc = json.loads(export_file(db_path, sid, "json", tmp_path / "d.json", clock=later,
                                 deidentify=True).read_text())
    assert doc["exported_at"] == "withheld (de-identified)"
    bundle = json.loads(export_file(db_path, sid, "fhir", tmp_path / "d.fhir", clock=later,
                                    deidentify=True).read_text())
    assert "timestamp" not in bundle
    # Identified exports keep their time of writing.
    named = PdfReader(export_file(db_path, sid, "pdf", tmp_path / "n.pdf", clock=later))
    assert "generated 2026-03-02" in named.pages[0].extract_text()


# -- 14. a partly damaged file -------------------------------------------------------------
def _four_sessions(db: Path, clock, protocols) -> list[str]:
    sids = ["aaaa1111", "bbbb2222", "cccc3333", "dddd4444"]
    with Store(db) as store:
        for sid in sids:
            rec = Recorder.open_new(store, clock, protocols, dict(OPENING), session_id=sid)
            for i in range(60):
                rec.add_note("RN7", f"{sid}-note-{i:03d} " + "y" * 150)
    return sids


def _damage_page_holding(db: Path, marker: bytes) -> None:
    data = db.read_bytes()
    at = data.index(marker)
    page = 4096
    with db.open("r+b") as fh:
        fh.seek(at - at % page)
        fh.write(b"\xff" * 64)


@pytest.mark.hazard("H-179")
def test_attack_partly_damaged_file_lists_what_can_be_read(tmp_path, clock, protocols,
                                                           capsys):
    db = tmp_path / "s.db"
    sids = _four_sessions(db, clock, protocols)
    _damage_page_holding(db, b"cccc3333-note-030")
    capsys.readouterr()
    assert main(["sessions", "--db", str(db)]) == 1
    captured = capsys.readouterr()
    for sid in ("aaaa1111", "bbbb2222", "dddd4444"):
        assert sid in captured.out
    assert "cccc3333" not in captured.out
    assert "listed the 3 sessions that can be read" in captured.err
    assert "unreadable: session cccc3333" in captured.err
    with pytest.raises(StoreError, match=r"recover the readable sessions \(aaaa1111, bbbb2222, "
                                         r"dddd4444\)"):
        Store(db)
    for sid in sids[:2] + sids[3:]:  # the documented recovery can start
        out = tmp_path / f"{sid}.json"
        assert main(["export", sid, "--format", "json", "--out", str(out), "--db", str(db)]) == 0
        assert main(["import", str(out), "--db", str(tmp_path / "new.db")]) == 0
    assert main(["verify", "--db", str(tmp_path / "new.db")]) == 0


@pytest.mark.hazard("H-172")
def test_attack_same_named_noop_trigger_function_on_the_clinic_server(pg_server, clinic_url,
                                                                       tmp_path):
    """PostgreSQL: a superuser keeps every trigger name but makes the function they run
    let changes through; verify compares the function's definition."""
    import psycopg

    from monitor.log.eventlog import open_log
    from monitor.log.postgres.schema import chair_role
    url = pg_server.url(chair_role(1), clinic_url)
    with open_log(url, spool=tmp_path / "spool.db") as log:
        note(log, "S1", "as recorded")  # type: ignore[arg-type]
        assert log.verify() == (1, 1)
    with psycopg.connect(pg_server.url(database=clinic_url), autocommit=True) as conn:
        conn.execute("CREATE OR REPLACE FUNCTION km_refuse_change() RETURNS trigger "
                     "LANGUAGE plpgsql AS $$ BEGIN RETURN coalesce(NEW, OLD); END $$")
        conn.execute("UPDATE events SET author = 'RN9'")  # nothing refuses it now
    with open_log(url, spool=tmp_path / "spool.db") as log, pytest.raises(
            ChainError, match=r"runs a function km_refuse_change\(\) whose definition is "
                              "not the clinic's"):
        log.verify()


@pytest.mark.hazard("H-178")
def test_attack_deidentified_course_pdf_carries_no_creation_date(tmp_path):
    from monitor.app.course_demo import PATIENT, build_course
    db = tmp_path / "series.db"
    with Store(db) as log:
        build_course(log)
    out = tmp_path / "series.pdf"
    assert main(["export", "--course", PATIENT, "--format", "pdf", "--deidentify",
                 "--out", str(out), "--db", str(db)]) == 0
    assert _no_real_date(PdfReader(out))
