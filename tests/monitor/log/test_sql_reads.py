"""The reads both backends share (monitor.log.sql_reads), on the SQLite file and on the
real clinic server; an import into either; the spool's public interface."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from monitor.app.cli import main
from monitor.errors import ChainError, StoreError
from monitor.log import sql_reads
from monitor.log.postgres.spool import Spool, open_spool
from monitor.log.sqlite.store import Store
from monitor.model.events import GENESIS, Event, EventKind, chain_events
from monitor.record.recorder import Recorder
from tests.conftest import OPENING, baseline_vitals, both_backends, export_file

pytest_generate_tests = both_backends


def _session_elsewhere(tmp_path: Path, clock, protocols, patient: str = "MRN-0099"
                       ) -> list[Event]:
    """A whole session recorded into another SQLite file (what an import brings)."""
    with Store(tmp_path / "elsewhere.db") as other:
        rec = Recorder.open_new(other, clock, protocols, {**OPENING, "patient_id": patient})
        baseline_vitals(rec)
        return other.events(rec.session.session_id)


def _rechained(events: list[Event], session_id: str) -> list[Event]:
    return chain_events(session_id, (0, GENESIS), [(e.kind, e.payload, e.author,
                                                    e.observed_at, e.source) for e in events],
                        events[0].recorded_at)


@pytest.mark.hazard("H-293")
def test_listings_read_alike_on_both_backends(store, clock, protocols) -> None:
    first = Recorder.open_new(store, clock, protocols, dict(OPENING))
    baseline_vitals(first)
    clock.advance(60)
    second = Recorder.open_new(store, clock, protocols, {**OPENING, "patient_id": "MRN-7"})
    one, two = first.session.session_id, second.session.session_id
    assert store.session_ids() == [one, two]
    assert store.kind_counts(one) == {"session_opened": 1, "vitals_recorded": 1,
                                      "assessment_recorded": 1, "checklist_recorded": 1}
    assert store.kind_counts(two) == {"session_opened": 1}
    assert store.kind_counts("no-such-session") == {}
    rows = store.summaries()
    assert [(s.session_id, s.patient_id, s.entries, s.protocol) for s in rows] == [
        (one, "MRN-0042", 4, "chronic-pain-iv"), (two, "MRN-7", 1, "chronic-pain-iv")]
    opening = first.session.events[0]
    assert rows[0].opened_at == opening.observed_at
    assert rows[0].dose_mode == opening.payload["protocol_snapshot"]["protocol"]["dose_mode"]
    assert rows[0].dose_mode  # the protocol copy names it
    assert store.find_session(two) == two
    unique = next(i for i in range(1, len(one) + 1) if not two.startswith(one[:i]))
    assert store.find_session(one[:unique]) == one
    with pytest.raises(StoreError, match=f"No session 'zz' in {re.escape(store.location)}$"):
        store.find_session("zz")
    with pytest.raises(StoreError, match="No session '' in"):
        store.find_session("")


def test_a_prefix_of_two_sessions_is_ambiguous_on_both_backends(store, tmp_path, clock,
                                                                protocols) -> None:
    events = _session_elsewhere(tmp_path, clock, protocols)
    for sid in ("ward-a1", "ward-a2"):
        store.import_events(_rechained(events, sid))
    assert store.find_session("ward-a2") == "ward-a2"
    with pytest.raises(StoreError, match="Session 'ward-a' is ambiguous: ward-a1, ward-a2"):
        store.find_session("ward-a")


@pytest.mark.hazard("H-290")
def test_a_session_imports_into_either_backend_with_its_own_hashes(store, tmp_path, clock,
                                                                  protocols) -> None:
    events = _session_elsewhere(tmp_path, clock, protocols)
    sid = events[0].session_id
    store.import_events(events)
    assert [e.hash for e in store.events(sid)] == [e.hash for e in events]
    assert store.session_ids() == [sid]
    assert store.check_session(sid).ok
    assert store.verify() == (1, len(events))
    with pytest.raises(StoreError, match=f"Refused: session {sid} is already in"):
        store.import_events(events)
    assert len(store.events(sid)) == len(events)


@pytest.mark.hazard("H-290")
def test_an_import_is_refused_whole_on_both_backends(store, tmp_path, clock,
                                                    protocols) -> None:
    events = _session_elsewhere(tmp_path, clock, protocols)
    sid = events[0].session_id
    store.import_events(events)
    captured = _rechained(events, sid[:6])  # `export <sid[:6]>` would then be ambiguous
    with pytest.raises(StoreError, match=f"session id {sid[:6]} is the beginning of session "
                                         f"{sid} already in .*nothing was imported"):
        store.import_events(captured)
    other = _rechained(events, "imported-2")
    forged = [*other[:2], other[2]._replace(payload={"tampered": True}), *other[3:]]
    with pytest.raises(ChainError, match="Refused: event imported-2-3 content does not match"):
        store.import_events(forged)
    with pytest.raises(StoreError, match="Nothing to import"):
        store.import_events([])
    assert store.session_ids() == [sid]
    assert store.events("imported-2") == [] and store.events(sid[:6]) == []


@pytest.mark.hazard("H-290")
def test_cli_imports_a_json_export_into_the_clinic_server(pg_server, clinic_url, tmp_path,
                                                          clock, protocols, capsys) -> None:
    events = _session_elsewhere(tmp_path, clock, protocols)
    sid = events[0].session_id
    out = export_file(tmp_path / "elsewhere.db", sid, "json", tmp_path / "s.json")
    chair = pg_server.url("km_chair_1", clinic_url)
    assert main(["import", str(out), "--db", chair]) == 0
    assert f"Imported session {sid} ({len(events)} events)" in capsys.readouterr().out
    assert main(["import", str(out), "--db", chair]) == 1
    assert f"Refused: session {sid} is already in" in capsys.readouterr().err
    assert main(["verify", "--db", chair]) == 0


@pytest.mark.hazard("H-292")
def test_an_import_waits_for_the_server_and_never_goes_to_the_spool(
        pg_server, clinic_url, tmp_path, clock, protocols) -> None:
    from monitor.log.postgres.log import PgLog
    events = _session_elsewhere(tmp_path, clock, protocols)
    spool = tmp_path / "spool.db"
    log = PgLog(pg_server.url("km_chair_1", clinic_url), spool=spool)
    try:
        pg_server.stop()
        try:
            with pytest.raises(StoreError, match=r"^Not imported: .*nothing was imported "
                                                 r"\(import it again when the clinic server "
                                                 "answers"):
                log.import_events(events)
        finally:
            pg_server.start()
    finally:
        log.close()
    with Store(spool, readonly=True) as local:
        assert local.session_ids() == []
    with PgLog(pg_server.url("km_chair_1", clinic_url), spool=spool) as again:
        again.import_events(events)
        assert [e.hash for e in again.events(events[0].session_id)] == [e.hash for e in events]


@pytest.mark.sqlite_only
@pytest.mark.hazard("H-291")
def test_the_spool_takes_only_events_that_continue_its_chain(tmp_path, clock,
                                                              protocols) -> None:
    events = _session_elsewhere(tmp_path, clock, protocols)
    sid = events[0].session_id
    path = tmp_path / "spool.db"
    spool = open_spool(path)
    try:
        assert isinstance(spool, Spool) and isinstance(spool, Store)
        with pytest.raises(StoreError, match=f"Not saved: session {sid} in .*: event 2 does "
                                             "not follow event 0; nothing was written"):
            spool.add_chained(events[1:])
        with pytest.raises(StoreError, match="more than one session"):
            spool.add_chained([events[0], _rechained(events, "other")[1]])
        assert spool.head(sid) == (0, GENESIS) and spool.held_session_ids() == []
        with spool.transaction():
            spool.add_chained(events[:2])
            with pytest.raises(StoreError, match="event 4 does not follow event 2"):
                spool.add_chained(events[3:])
        spool.add_chained(events[2:])
        assert spool.head(sid) == (events[-1].seq, events[-1].hash)
        assert spool.held_session_ids() == [sid]
        assert spool.verify() == (1, len(events))  # sealed and registered as its own
    finally:
        spool.close()


@pytest.mark.sqlite_only
def test_a_spool_path_that_is_not_a_log_is_a_clear_error(tmp_path) -> None:
    folder = tmp_path / "missing"
    with pytest.raises(StoreError, match=f"Cannot open {folder / 's.db'}: folder {folder} "
                                         "does not exist"):
        open_spool(folder / "s.db")


@pytest.mark.sqlite_only
def test_each_statement_is_written_once_for_every_placeholder_style(tmp_path) -> None:
    assert sql_reads.statement("head", "qmark").count("?") == 1
    assert "?" not in sql_reads.statement("head", "pyformat")
    assert sql_reads.statement("head", "pyformat").count("%s") == 1
    with pytest.raises(ValueError, match="paramstyle 'named' is not supported; allowed: "
                                         "qmark, format, pyformat"):
        sql_reads.statement("head", "named")
    conn = sqlite3.connect(tmp_path / "plain.db")  # any DB-API connection with the table
    try:
        conn.execute(f"CREATE TABLE events (id INTEGER PRIMARY KEY, {sql_reads.COLUMNS})")
        conn.execute(f"INSERT INTO events ({sql_reads.COLUMNS}) VALUES "
                     "('s1', 1, ?, 't', 't', 'RN7', 'manual', '{\"patient_id\": \"P\"}', ?, 'h1')",
                     (str(EventKind.SESSION_OPENED), GENESIS))
        assert sql_reads.head(conn, sqlite3.paramstyle, "s1") == (1, "h1")
        assert sql_reads.head(conn, sqlite3.paramstyle, "s2") == (0, GENESIS)
        assert sql_reads.kind_counts(conn, sqlite3.paramstyle, "s1") == {"session_opened": 1}
    finally:
        conn.close()


def test_an_empty_log_lists_nothing_on_both_backends(store) -> None:
    assert store.summaries() == [] and store.session_ids() == []
    with pytest.raises(StoreError, match="No session 'a' in"):
        store.find_session("a")
