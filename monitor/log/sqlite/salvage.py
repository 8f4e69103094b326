"""What can still be read from a damaged database file.

A damaged page takes with it only the rows stored on it. Session ids come from
the indexes (separate pages); each session is then read on its own, so one
damaged session does not hide the others: ``sessions`` lists what can be read,
and the writer's refusal names the sessions that can be exported."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from monitor.clock import from_iso
from monitor.model.events import EventKind

OPENED = EventKind.SESSION_OPENED.value
# Where session ids can be found without the table's own pages, best first.
_ID_QUERIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("SELECT session_id FROM events INDEXED BY events_kind WHERE kind = ?", (OPENED,)),
    ("SELECT DISTINCT session_id FROM events INDEXED BY sqlite_autoindex_events_1", ()),
)


@dataclass
class Salvage:
    """Sessions whose every event reads (id, opening payload, opened at, kind counts),
    and one line for each session or part that does not."""

    readable: list[tuple[str, dict[str, Any], str, Counter[str]]] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)

    @property
    def readable_ids(self) -> list[str]:
        return [r[0] for r in self.readable]


def _session_ids(conn: sqlite3.Connection, out: Salvage) -> list[str]:
    for query, args in _ID_QUERIES:
        try:
            return [r[0] for r in conn.execute(query, args)]
        except sqlite3.DatabaseError:
            continue
    out.unreadable.append("the list of sessions itself (no index could be read)")
    return []


def salvage(conn: sqlite3.Connection) -> Salvage:
    out = Salvage()
    for sid in _session_ids(conn, out):
        try:
            rows = conn.execute("SELECT seq, kind, payload, observed_at FROM events "
                                "WHERE session_id = ? ORDER BY seq", (sid,)).fetchall()
            opening = _opening(rows)
        except (sqlite3.DatabaseError, ValueError, TypeError) as exc:
            out.unreadable.append(f"session {sid} ({exc})")
            continue
        out.readable.append((sid, opening, rows[0][3], Counter(r[1] for r in rows)))
    return out


def _opening(rows: list[tuple[Any, ...]]) -> dict[str, Any]:
    """The opening entry's payload of a session read whole; ValueError if incomplete."""
    if not rows or rows[0][1] != OPENED or [r[0] for r in rows] != list(
            range(1, len(rows) + 1)):
        raise ValueError("entries are missing")
    from_iso(rows[0][3])
    opening = json.loads(rows[0][2])
    if not isinstance(opening, dict):
        raise TypeError("its opening entry is unreadable")
    return opening
