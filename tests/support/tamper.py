"""What an attacker with write access to the file (but not the record key) can do.

Each function changes a closed database directly with sqlite3, as a person with
a SQLite tool would, and recomputes whatever a hash chain alone would need."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from monitor.log.sqlite.store import Store
from monitor.model.events import EventKind, chain_hash
from monitor.record.recorder import Recorder
from tests.conftest import OPENING, baseline_vitals


def two_sessions(db: Path, clock, protocols) -> tuple[str, str]:
    """Two recorded sessions (the first ends with a note), the store closed."""
    with Store(db) as store:
        first = Recorder.open_new(store, clock, protocols, dict(OPENING))
        baseline_vitals(first)
        first.add_note("RN7", "calm")
        clock.advance(60)
        second = Recorder.open_new(store, clock, protocols, {**OPENING, "patient_id": "MRN-7"})
        baseline_vitals(second)
        return first.session.session_id, second.session.session_id


def _conn(db: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("DROP TRIGGER IF EXISTS events_append_only_update")
    conn.execute("DROP TRIGGER IF EXISTS events_append_only_delete")
    return conn


def _restore_triggers(conn: sqlite3.Connection) -> None:
    from monitor.log.sqlite.store import MIGRATIONS
    for statement in MIGRATIONS[0][2:]:
        conn.execute(statement)


def _rehash_from(conn: sqlite3.Connection, sid: str, seq: int) -> None:
    """Recompute hash and prev_hash of every event from ``seq`` on, and point the
    registry at the new head (its seal cannot be recomputed without the key)."""
    rows = conn.execute("SELECT seq, kind, observed_at, recorded_at, author, source, payload, "
                        "hash FROM events WHERE session_id = ? ORDER BY seq", (sid,)).fetchall()
    prev = "0" * 64
    for r in rows:
        if r[0] >= seq:
            content = json.dumps({"author": r[4], "kind": r[1], "observed_at": r[2],
                                  "payload": json.loads(r[6]), "recorded_at": r[3],
                                  "seq": r[0], "session_id": sid, "source": r[5]},
                                 sort_keys=True, separators=(",", ":"), ensure_ascii=False)
            new = chain_hash(prev, content)
            conn.execute("UPDATE events SET prev_hash = ?, hash = ? WHERE session_id = ? "
                         "AND seq = ?", (prev, new, sid, r[0]))
            prev = new
        else:
            prev = r[7]
    last = rows[-1][0]
    conn.execute("UPDATE registry SET seq = ?, head = ? WHERE session_id = ?", (last, prev, sid))


def unapplicable_amendment(store: Store, clock, protocols) -> tuple[str, int]:
    """A session whose infusion start was amended the way an older version allowed: to a
    single dose without a dose (stored through the store, so chain and seals are valid).
    Returns the session id and the amended entry's sequence number."""
    rec = Recorder.open_new(store, clock, protocols, dict(OPENING))
    baseline_vitals(rec)
    start = rec.start_infusion("RN7", rate="0.35", rate_unit="mg/kg/h")
    sid = rec.session.session_id
    store.append(sid, EventKind.AMENDED, {"target_seq": start.seq, "old": start.payload,
                                          "values": {"mode": "single"}, "reason": "x"},
                 author="RN7", observed_at=clock.now(), recorded_at=clock.now())
    return sid, start.seq


def delete_newest(db: Path, sid: str) -> None:
    conn = _conn(db)
    conn.execute("DELETE FROM events WHERE session_id = ? AND seq = "
                 "(SELECT max(seq) FROM events WHERE session_id = ?)", (sid, sid))
    _restore_triggers(conn)
    conn.close()


def delete_session(db: Path, sid: str) -> None:
    conn = _conn(db)
    conn.execute("DELETE FROM events WHERE session_id = ?", (sid,))
    conn.execute("DELETE FROM registry WHERE session_id = ?", (sid,))
    _restore_triggers(conn)
    conn.close()


def edit_and_rehash(db: Path, sid: str, seq: int, old: str, new: str) -> None:
    conn = _conn(db)
    conn.execute("UPDATE events SET payload = replace(payload, ?, ?) WHERE session_id = ? "
                 "AND seq = ?", (old, new, sid, seq))
    _rehash_from(conn, sid, seq)
    _restore_triggers(conn)
    conn.close()


def append_forged(db: Path, sid: str) -> None:
    """A note nobody wrote, chained correctly after the newest event."""
    conn = _conn(db)
    last = conn.execute("SELECT seq, hash, observed_at, recorded_at FROM events WHERE "
                        "session_id = ? ORDER BY seq DESC LIMIT 1", (sid,)).fetchone()
    seq = last[0] + 1
    payload = {"text": "patient declined monitoring"}
    content = json.dumps({"author": "RN7", "kind": "note_added", "observed_at": last[2],
                          "payload": payload, "recorded_at": last[3], "seq": seq,
                          "session_id": sid, "source": "manual"},
                         sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    digest = chain_hash(last[1], content)
    conn.execute("INSERT INTO events (session_id, seq, kind, observed_at, recorded_at, author, "
                 "source, payload, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?)",
                 (sid, seq, "note_added", last[2], last[3], "RN7", "manual",
                  json.dumps(payload, sort_keys=True, separators=(",", ":")), last[1], digest))
    conn.execute("UPDATE registry SET seq = ?, head = ? WHERE session_id = ?", (seq, digest, sid))
    _restore_triggers(conn)
    conn.close()


def drop_triggers(db: Path, _sid: str) -> None:
    _conn(db).close()


CASES = {
    "newest event deleted": delete_newest,
    "whole session deleted": delete_session,
    "edit with later hashes recomputed": lambda db, sid: edit_and_rehash(
        db, sid, 2, '"sbp":128', '"sbp":118'),
    "forged event appended": append_forged,
    "triggers dropped": drop_triggers,
}
