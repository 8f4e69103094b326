"""What the central board reads from the clinic server, as functions of a connection.

The board (``monitor.board.chairs``) runs them through ``PgLog.query``, which gives
them the log's connection, reconnect and error handling; the SQL stays with the log.
"""

from __future__ import annotations

from typing import Any

import psycopg

from monitor.log.postgres.log import build_events
from monitor.log.sql_reads import COLUMNS
from monitor.model.events import Event, EventKind

Connection = psycopg.Connection[Any]


def newest_sessions(conn: Connection, chairs: list[str]) -> list[tuple[str, str | None]]:
    """Each chair's newest session id (None for a chair that has none)."""
    return conn.execute(
        "SELECT c.chair, (SELECT e.session_id FROM events e WHERE e.chair = c.chair "
        "AND e.kind = %s ORDER BY e.id DESC LIMIT 1) FROM unnest(%s::text[]) AS c(chair)",
        (str(EventKind.SESSION_OPENED), chairs)).fetchall()


def heads(conn: Connection, session_ids: list[str]) -> dict[str, int]:
    """The highest sequence number of each of these sessions."""
    return dict(conn.execute(
        "SELECT session_id, max(seq) FROM events WHERE session_id = ANY(%s) "
        "GROUP BY session_id", (session_ids,)).fetchall())


def events_after(conn: Connection, session_id: str, seq: int) -> list[Event]:
    """A session's events after sequence number ``seq``, in order."""
    return build_events(conn.execute(
        f"SELECT {COLUMNS} FROM events WHERE session_id = %s AND seq > %s ORDER BY seq",
        (session_id, seq)).fetchall())


def connected_chairs(conn: Connection) -> set[str]:
    """The chair roles that hold a connection to the server now."""
    return {r[0] for r in conn.execute(
        "SELECT DISTINCT usename FROM pg_stat_activity WHERE usename LIKE 'km_chair_%%'")}
