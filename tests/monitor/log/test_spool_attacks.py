"""Attacks on a chair's spool through its public interface (``add_chained``) and on its
file: events that do not continue the chain or whose hash does not cover their
content, a spool replaced by a symlink or by another application's database, and a
spool held open by another process (a real one)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from monitor.errors import StoreError, StoreLockedError
from monitor.log.postgres.spool import open_spool
from monitor.log.sqlite.store import Store
from monitor.model.events import GENESIS, Event, chain_events
from monitor.record.recorder import Recorder
from tests.conftest import OPENING, baseline_vitals

ROOT = Path(__file__).parents[3]


def _events(tmp_path: Path, clock, protocols) -> list[Event]:
    """A session recorded elsewhere (what the server holds and a spool takes)."""
    with Store(tmp_path / "server-copy.db") as other:
        rec = Recorder.open_new(other, clock, protocols, dict(OPENING))
        baseline_vitals(rec)
        return other.events(rec.session.session_id)


def _forged(events: list[Event], at: int, **change: object) -> list[Event]:
    """``events`` with one event's content changed and every link kept as it was: the
    chain's seq and previous hashes still line up, its hash no longer covers it."""
    out = list(events)
    out[at] = out[at]._replace(**change)
    return out


@pytest.mark.hazard("H-342")
@pytest.mark.parametrize("change", [
    {"payload": {"sbp": 80, "dbp": 40}},        # a value changed after it was hashed
    {"author": "RN99"},
    {"hash": "0" * 64},                         # a hash that covers nothing
])
def test_add_chained_refuses_an_event_whose_hash_does_not_cover_it(tmp_path, clock,
                                                                     protocols, change):
    events = _events(tmp_path, clock, protocols)
    sid = events[0].session_id
    if "hash" in change:  # the next event names the forged hash, so only content fails
        forged = _forged(events, 1, **change)
        forged[2] = forged[2]._replace(prev_hash=change["hash"])
    else:
        forged = _forged(events, 1, **change)
    spool = open_spool(tmp_path / "spool.db")
    try:
        with pytest.raises(StoreError, match=f"Not saved: session {sid} in .*: event 2's "
                                             "content does not match its hash; nothing "
                                             "was written"):
            spool.add_chained(forged)
        assert spool.head(sid) == (0, GENESIS) and spool.held_session_ids() == []
        spool.add_chained(events)  # the true events still go in
        assert spool.verify() == (1, len(events))
    finally:
        spool.close()


@pytest.mark.hazard("H-342")
def test_add_chained_refuses_a_rechained_session_that_does_not_continue_the_head(
        tmp_path, clock, protocols):
    """Events chained correctly among themselves but from another start (a second
    computer's copy of the same session): they do not continue the spool's head."""
    events = _events(tmp_path, clock, protocols)
    sid = events[0].session_id
    other = chain_events(sid, (2, "f" * 64), [(e.kind, e.payload, e.author, e.observed_at,
                                               e.source) for e in events[2:]],
                         events[0].recorded_at)
    spool = open_spool(tmp_path / "spool.db")
    try:
        spool.add_chained(events[:2])
        with pytest.raises(StoreError, match="event 3 does not follow event 2"):
            spool.add_chained(other)
        assert spool.head(sid) == (2, events[1].hash)
    finally:
        spool.close()


def _other_app_db(path: Path) -> bytes:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
    conn.execute("INSERT INTO notes (text) VALUES ('keep me')")
    conn.commit()
    conn.close()
    return path.read_bytes()


@pytest.mark.hazard("H-343")
def test_a_spool_replaced_by_a_symlink_to_another_applications_database_is_refused(
        tmp_path):
    target = tmp_path / "other-app.db"
    before = _other_app_db(target)
    spool = tmp_path / "spool.db"
    os.symlink(target, spool)
    with pytest.raises(StoreError, match="not a ketamine-monitor database"):
        open_spool(spool)
    assert target.read_bytes() == before and not Path(f"{target}-wal").exists()


@pytest.mark.hazard("H-343")
def test_a_spool_swapped_for_another_file_while_open_saves_nothing_there(
        tmp_path, clock, protocols):
    """The spool's file is replaced under the open spool (mv, then another database at
    its name): the next add is not saved, and nothing goes into the impostor."""
    events = _events(tmp_path, clock, protocols)
    path = tmp_path / "spool.db"
    spool = open_spool(path)
    try:
        spool.add_chained(events[:2])
        os.rename(path, tmp_path / "moved.db")
        before = _other_app_db(path)
        with pytest.raises(StoreError, match="Not saved"):
            spool.add_chained(events[2:])
        assert path.read_bytes() == before
    finally:
        spool.close()
    with Store(tmp_path / "moved.db", readonly=True) as moved:
        assert moved.head(events[0].session_id) == (2, events[1].hash)


HOLDER = """
import sys, time
from pathlib import Path
from monitor.log.postgres.spool import open_spool
spool = open_spool(Path(sys.argv[1]))
print("open", flush=True)
time.sleep(60)
"""


@pytest.mark.hazard("H-343")
def test_a_spool_held_open_by_another_process_is_refused_then_free_after_a_kill(tmp_path):
    path = tmp_path / "spool.db"
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(path)], cwd=ROOT,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        with pytest.raises(StoreLockedError, match="already open for writing"):
            open_spool(path)
    finally:
        holder.kill()
        holder.wait(timeout=30)
    open_spool(path).close()  # a killed holder's lock goes with it
