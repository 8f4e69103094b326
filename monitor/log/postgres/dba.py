"""What a database administrator reads in the clinic schema: a comment on every
table and column (``\\d+`` in psql shows them), and ``km_current_entries``, a
read-only view of each clinical entry with its latest amendment applied.

The view runs with the reader's rights (``security_invoker``): a chair sees its own
sessions' entries, the board every one, exactly as in ``events``. A payload that
jsonb cannot hold (a NUL character) shows as NULL there; ``events`` keeps it.
"""

from __future__ import annotations

CURRENT_VIEW = """
CREATE OR REPLACE VIEW km_current_entries WITH (security_invoker = true) AS
SELECT e.session_id, e.seq, e.kind, e.observed_at, e.recorded_at, e.author, e.source,
       e.chair,
       COALESCE(km_jsonb(a.payload) -> 'values', km_jsonb(e.payload)) AS current_values,
       km_jsonb(e.payload) AS as_recorded,
       a.seq IS NOT NULL AS amended,
       km_jsonb(a.payload) ->> 'reason' AS amendment_reason,
       EXISTS (SELECT 1 FROM events s WHERE s.session_id = e.session_id
               AND s.kind = 'entry_struck'
               AND km_jsonb(s.payload) ->> 'target_seq' = e.seq::text) AS struck,
       EXISTS (SELECT 1 FROM events f WHERE f.session_id = e.session_id
               AND f.kind = 'artifact_flagged'
               AND km_jsonb(f.payload) ->> 'target_seq' = e.seq::text) AS artifact
FROM events e
LEFT JOIN LATERAL (
    SELECT c.seq, c.payload FROM events c
    WHERE c.session_id = e.session_id AND c.kind = 'entry_amended'
      AND km_jsonb(c.payload) ->> 'target_seq' = e.seq::text
    ORDER BY c.seq DESC LIMIT 1) a ON true
WHERE e.kind NOT IN ('entry_amended', 'entry_struck', 'artifact_flagged');
"""

_TABLES = {
    "events": "The clinic's event log: one row per recorded event, append-only (triggers "
              "refuse UPDATE, DELETE and TRUNCATE). Each row continues its session's hash "
              "chain; a correction is a new row pointing at the old one. Chairs see only "
              "their own rows (row-level security); the board sees all.",
    "km_meta": "Facts about this database, e.g. schema_version.",
    "km_heads": "The last sequence number and hash of each session, kept by the chain "
                "trigger. Appends lock their session's row here; only the owner functions "
                "reach it, so no other login can make a chair wait.",
    "km_leases": "One writer per chair: the connection (server process id), computer, "
                 "process and time of the ketamine-monitor process that records for it.",
}
_COLUMNS = {
    "id": "Server order of insertion (a sequence: gaps and interleaving are normal).",
    "session_id": "The session the event belongs to.",
    "seq": "Position in its session, from 1, without gaps.",
    "kind": "What the event is (session_opened, vitals_recorded, entry_amended, ...).",
    "observed_at": "When it happened (ISO 8601 with offset), as typed or sent.",
    "recorded_at": "When it was recorded (ISO 8601 with offset).",
    "author": "Who recorded it (nurse id) or the device.",
    "source": "manual or device.",
    "payload": "The event's content: JSON text, stored exactly as hashed.",
    "prev_hash": "Hash of the session's previous event (64 zeros for the first).",
    "hash": "SHA-256 of prev_hash and the event's canonical content.",
    "mac": "Unused on the server (workstation seals belong to the SQLite backend).",
    "chair": "The login role that recorded it (set by the server, not by the chair).",
    "committed_at": "The server's clock when the row was inserted.",
}


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


COMMENTS = "\n".join(
    [f"COMMENT ON TABLE {t} IS {_quote(c)};" for t, c in _TABLES.items()]
    + [f"COMMENT ON COLUMN events.{col} IS {_quote(c)};" for col, c in _COLUMNS.items()]
    + ["COMMENT ON VIEW km_current_entries IS " + _quote(
        "Read-only: each clinical entry with its latest amendment applied "
        "(current_values), what was first recorded (as_recorded), and whether it was "
        "struck or flagged as an artifact. Corrections themselves are not rows here.")
       + ";"])
