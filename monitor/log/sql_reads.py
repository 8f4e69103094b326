"""What both event-log backends read with the same SQL: heads, listings, the checks
before an import, and whether events continue a chain.

Each function takes a DB-API connection (``sqlite3`` for the file, ``psycopg`` for the
clinic server) and that driver's ``paramstyle``. The statements are written once,
with a ``{p}`` where a parameter goes, and given each driver's placeholder when this
module is loaded: nothing rewrites SQL at run time. The backend keeps what is its
own around a call: the SQLite store its lock and its "Cannot read <file>" message,
the clinic log its lost-link handling (which turns to the local spool).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from monitor.clock import from_iso
from monitor.errors import ChainError, StoreError
from monitor.log.eventlog import SessionSummary
from monitor.model.events import GENESIS, Event, EventKind, first_broken

#: The columns of an event, in the order the readers and ``RawChecker`` expect.
COLUMNS = ("session_id, seq, kind, observed_at, recorded_at, author, source, payload, "
           "prev_hash, hash")

_TEXTS = {
    "head": "SELECT seq, hash FROM events WHERE session_id = {p} ORDER BY seq DESC LIMIT 1",
    "held": "SELECT DISTINCT session_id FROM events",
    "opened": "SELECT session_id FROM events WHERE kind = {p} ORDER BY id",
    "openings": "SELECT session_id, payload, observed_at FROM events WHERE kind = {p} "
                "ORDER BY id",
    "count": "SELECT count(*) FROM events WHERE session_id = {p}",
    "kinds": "SELECT kind, count(*) FROM events WHERE session_id = {p} GROUP BY kind",
}
#: The placeholder of each DB-API paramstyle our drivers use (sqlite3: qmark;
#: psycopg: pyformat, whose positional form is %s).
PLACEHOLDERS = {"qmark": "?", "format": "%s", "pyformat": "%s"}
_SQL = {style: {name: text.format(p=mark) for name, text in _TEXTS.items()}
        for style, mark in PLACEHOLDERS.items()}


class Cursor(Protocol):
    def execute(self, sql: str, parameters: tuple[Any, ...], /) -> object: ...
    def fetchall(self) -> Sequence[Any]: ...
    def close(self) -> None: ...


class Connection(Protocol):
    """The part of a DB-API connection these reads use."""

    def cursor(self) -> Cursor: ...


def statement(name: str, style: str) -> str:
    """The statement ``name`` with the placeholders of ``style``."""
    texts = _SQL.get(style)
    if texts is None:
        raise ValueError(f"paramstyle {style!r} is not supported; allowed: "
                         f"{', '.join(PLACEHOLDERS)}")
    return texts[name]


def _rows(conn: Connection, style: str, name: str,
          args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    cursor = conn.cursor()
    try:
        cursor.execute(statement(name, style), args)
        return [tuple(r) for r in cursor.fetchall()]
    finally:
        cursor.close()


def head(conn: Connection, style: str, session_id: str) -> tuple[int, str]:
    """The session's last (seq, hash) as stored; (0, GENESIS) for a session not there."""
    rows = _rows(conn, style, "head", (session_id,))
    return (rows[0][0], rows[0][1]) if rows else (0, GENESIS)


def held_session_ids(conn: Connection, style: str) -> list[str]:
    """Every session that has events in the log, in no particular order (a spool's
    sessions may have been opened elsewhere)."""
    return [r[0] for r in _rows(conn, style, "held")]


def session_ids(conn: Connection, style: str) -> list[str]:
    """Every session, in the order they were opened."""
    return [r[0] for r in _rows(conn, style, "opened", (str(EventKind.SESSION_OPENED),))]


def kind_counts(conn: Connection, style: str, session_id: str) -> dict[str, int]:
    """How many events of each kind a session has (for listings, without a fold)."""
    return dict(_rows(conn, style, "kinds", (session_id,)))


def summaries(conn: Connection, style: str) -> list[SessionSummary]:
    """One line per session, in the order they were opened, from its opening event."""
    out = []
    for sid, payload, observed in _rows(conn, style, "openings",
                                        (str(EventKind.SESSION_OPENED),)):
        count = _rows(conn, style, "count", (sid,))[0][0]
        data = json.loads(payload)
        copy = data.get("protocol_snapshot")
        mode = copy.get("protocol", {}).get("dose_mode", "") if isinstance(copy, dict) else ""
        out.append(SessionSummary(sid, data.get("patient_id", ""), from_iso(observed),
                                  count, data.get("protocol", ""), str(mode)))
    return out


def pick_session(ids: list[str], prefix: str, location: str) -> str:
    """A full id (which always wins) or an unambiguous leading part of one, among
    ``ids``; else StoreError naming ``location``."""
    if prefix in ids:
        return prefix
    matches = [s for s in ids if s.startswith(prefix)]
    if not prefix or not matches:
        raise StoreError(f"No session {prefix!r} in {location}")
    if len(matches) > 1:
        raise StoreError(f"Session {prefix!r} is ambiguous: {', '.join(matches[:5])}")
    return matches[0]


def check_import(conn: Connection, style: str, events: list[Event], location: str, *,
                 registered: Callable[[str], bool] = lambda _sid: False) -> str:
    """The session id of ``events`` when they may be imported into the log at
    ``location``: a whole chain from its first event, of a session the log does not
    hold (``registered``: one the backend knows of without events), whose id is not
    the beginning of one it holds. Else ChainError or StoreError saying why."""
    if not events:
        raise StoreError("Nothing to import: the file holds no events")
    broken = first_broken(events)
    if broken:
        ev, why = broken
        raise ChainError(f"Refused: event {ev.entry_id} {why}")
    sid = events[0].session_id
    if head(conn, style, sid)[0] > 0 or registered(sid):
        raise StoreError(f"Refused: session {sid} is already in {location}")
    captured = [s for s in session_ids(conn, style) if s.startswith(sid)]
    if captured:  # `export SID` would then name the imported session, not this one
        raise StoreError(f"Refused: session id {sid} is the beginning of session "
                         f"{captured[0]} already in {location}; nothing was imported")
    return sid


def chain_gap(start: tuple[int, str], events: list[Event], *, contents: bool = False) -> str:
    """'' when ``events`` continue the chain from ``start`` (a head: seq, hash) without
    a gap, else what breaks it. ``contents``: each hash must also cover its event (for
    events that come from elsewhere)."""
    seq, prev = start
    for e in events:
        if e.seq != seq + 1 or e.prev_hash != prev:
            return f"event {e.seq} does not follow event {seq}"
        if contents and e.hash != e.compute_hash():
            return f"event {e.seq}'s content does not match its hash"
        seq, prev = e.seq, e.hash
    return ""
