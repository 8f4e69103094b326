"""The clinic database: tables, roles, row-level security and triggers.

``clinic init`` runs this as an administrator (a role that may create roles).
Afterwards:

- ``km_owner`` (no login) owns the tables and the trigger functions;
- ``km_chair_N`` (login) may only INSERT and SELECT, and row-level security lets
  it see and add only rows marked with its own name (the column defaults to
  ``current_user`` and the policy checks it);
- ``km_board`` (login) may only SELECT, every row;
- triggers refuse UPDATE, DELETE and TRUNCATE even for the owner;
- a BEFORE INSERT trigger checks that the session belongs to the inserting chair,
  that the connection holds the chair's writer lease, and, under a lock on the
  session's head row (``km_heads``, reached only through owner functions), that
  the event continues its session's chain (sequence, previous hash, hash over
  the exact stored text);
- an AFTER INSERT trigger sends a bare wake-up notification for the central board;
- each login role has a connection limit, and chairs get lock and statement
  timeouts, so no login can take every slot or make a chair wait for ever.

Functions and triggers: ``monitor.log.postgres.functions``; comments and the DBA's view:
``monitor.log.postgres.dba``.

Hashed content is stored as text exactly as hashed (jsonb and timestamptz would
rewrite it), so the server's check and ``monitor.model.events`` agree byte for byte.
"""

from __future__ import annotations

import os
import secrets
import socket
from dataclasses import dataclass
from pathlib import Path

from monitor.log.postgres.dba import COMMENTS, CURRENT_VIEW
from monitor.log.postgres.functions import CHAIR_CALLS, ddl

SCHEMA_VERSION = 2
OWNER = "km_owner"
BOARD = "km_board"
MAX_CHAIRS = 64
# Per-role connection limits: a chair needs one, plus one while it reconnects and
# one for a command-line export; the board two (reader and listener) and a few
# for exports and verify. Eight chairs take 32 of PostgreSQL's default 100.
CHAIR_CONNECTIONS = 4
BOARD_CONNECTIONS = 8
# Server-side defaults for chair sessions (the client sets the same): a lock or a
# statement that takes longer is cancelled and the chair says "Not saved".
CHAIR_SETTINGS = {"lock_timeout": "2s", "statement_timeout": "10s",
                  "idle_in_transaction_session_timeout": "30s",
                  "tcp_keepalives_idle": "10", "tcp_keepalives_interval": "5",
                  "tcp_keepalives_count": "3"}


def chair_role(n: int) -> str:
    return f"km_chair_{n}"


TABLES = f"""
CREATE TABLE IF NOT EXISTS km_meta (
    key   text PRIMARY KEY,
    value text NOT NULL);
CREATE TABLE IF NOT EXISTS events (
    id           bigserial PRIMARY KEY,
    session_id   text    NOT NULL,
    seq          integer NOT NULL CHECK (seq > 0),
    kind         text    NOT NULL,
    observed_at  text    NOT NULL,
    recorded_at  text    NOT NULL,
    author       text    NOT NULL,
    source       text    NOT NULL,
    payload      text    NOT NULL,
    prev_hash    text    NOT NULL,
    hash         text    NOT NULL,
    mac          text    NOT NULL DEFAULT '',
    chair        text    NOT NULL DEFAULT current_user,
    committed_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    UNIQUE (session_id, seq));
CREATE INDEX IF NOT EXISTS events_kind ON events (kind, session_id);
CREATE INDEX IF NOT EXISTS events_chair ON events (chair, id);
CREATE INDEX IF NOT EXISTS events_openings ON events (chair, id)
    WHERE kind = 'session_opened';
CREATE TABLE IF NOT EXISTS km_heads (
    session_id text PRIMARY KEY,
    chair      text    NOT NULL,
    seq        integer NOT NULL,
    hash       text    NOT NULL);
CREATE TABLE IF NOT EXISTS km_leases (
    chair       text PRIMARY KEY,
    backend_pid integer NOT NULL,
    host        text    NOT NULL,
    pid         integer NOT NULL,
    token       text    NOT NULL,
    taken_at    timestamptz NOT NULL);
-- Sessions recorded before km_heads existed get their head row once.
INSERT INTO km_heads SELECT DISTINCT ON (session_id) session_id, chair, seq, hash
    FROM events ORDER BY session_id, seq DESC ON CONFLICT (session_id) DO NOTHING;
{ddl()}
ALTER TABLE events ENABLE ROW LEVEL SECURITY;
ALTER TABLE events FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS own_rows ON events;
CREATE POLICY own_rows ON events FOR ALL USING (chair = current_user)
    WITH CHECK (chair = current_user);
DROP POLICY IF EXISTS board_reads ON events;
CREATE POLICY board_reads ON events FOR SELECT TO {BOARD} USING (true);
DROP POLICY IF EXISTS owner_sees ON events;
CREATE POLICY owner_sees ON events FOR ALL TO {OWNER} USING (true);
ALTER TABLE km_heads ENABLE ROW LEVEL SECURITY;
ALTER TABLE km_heads FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS owner_only ON km_heads;
CREATE POLICY owner_only ON km_heads FOR ALL TO {OWNER} USING (true);
ALTER TABLE km_leases ENABLE ROW LEVEL SECURITY;
ALTER TABLE km_leases FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS owner_only ON km_leases;
CREATE POLICY owner_only ON km_leases FOR ALL TO {OWNER} USING (true);
{CURRENT_VIEW}
{COMMENTS}
"""



@dataclass(frozen=True)
class Login:
    role: str
    password: str


def _role_sql(name: str, login: bool) -> str:
    what = "LOGIN" if login else "NOLOGIN"
    return (f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{name}') "
            f"THEN CREATE ROLE {name} {what} NOSUPERUSER NOCREATEDB NOCREATEROLE "
            f"NOBYPASSRLS NOINHERIT; END IF; END $$")


def init_statements(database: str, chairs: int) -> list[str]:
    """Everything ``clinic init`` runs, in order (idempotent: more chairs can be added)."""
    if not 1 <= chairs <= MAX_CHAIRS:
        raise ValueError(f"--chairs must be from 1 to {MAX_CHAIRS}")
    logins = [chair_role(n) for n in range(1, chairs + 1)]
    out = [_role_sql(OWNER, False), _role_sql(BOARD, True)]
    out += [_role_sql(r, True) for r in logins]
    out += [f"REVOKE ALL ON DATABASE {database} FROM PUBLIC",
            f"GRANT CONNECT ON DATABASE {database} TO {BOARD}, {', '.join(logins)}",
            "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
            f"GRANT CREATE, USAGE ON SCHEMA public TO {OWNER}",
            f"SET ROLE {OWNER}", TABLES,
            "INSERT INTO km_meta VALUES ('schema_version', "
            f"'{SCHEMA_VERSION}') ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            "REVOKE ALL ON events, km_meta, km_heads, km_leases, km_current_entries "
            "FROM PUBLIC",
            f"GRANT SELECT ON events, km_meta, km_current_entries TO {BOARD}, "
            f"{', '.join(logins)}",
            *[f"REVOKE ALL ON FUNCTION {f} FROM PUBLIC" for f in CHAIR_CALLS],
            *[f"GRANT EXECUTE ON FUNCTION {f} TO {', '.join(logins)}" for f in CHAIR_CALLS],
            f"GRANT INSERT (session_id, seq, kind, observed_at, recorded_at, author, source, "
            f"payload, prev_hash, hash, mac) ON events TO {', '.join(logins)}",
            f"GRANT USAGE ON SEQUENCE events_id_seq TO {', '.join(logins)}",
            "RESET ROLE",
            f"GRANT USAGE ON SCHEMA public TO {BOARD}, {', '.join(logins)}",
            f"ALTER DATABASE {database} SET synchronous_commit = on",
            f"ALTER ROLE {BOARD} CONNECTION LIMIT {BOARD_CONNECTIONS}",
            f"ALTER ROLE {BOARD} SET statement_timeout = '{CHAIR_SETTINGS['statement_timeout']}'"]
    for role in logins:
        out.append(f"ALTER ROLE {role} CONNECTION LIMIT {CHAIR_CONNECTIONS}")
        out += [f"ALTER ROLE {role} SET {k} = '{v}'" for k, v in CHAIR_SETTINGS.items()]
    return out


def new_logins(existing: set[str], chairs: int) -> list[Login]:
    """Passwords for login roles not yet in the cluster."""
    roles = [BOARD] + [chair_role(n) for n in range(1, chairs + 1)]
    return [Login(r, secrets.token_urlsafe(24)) for r in roles if r not in existing]


def _pgpass_field(text: str) -> str:
    return text.replace("\\", "\\\\").replace(":", "\\:")


def server_name(host: str | None) -> tuple[str, str]:
    """The server's name for the hand-out lines, and where it came from: the host
    the administrator's URL named, or this machine's host name when that URL used a
    local socket directory (which no other computer can reach)."""
    if host and not host.startswith("/"):
        return host, "the host the administrator's URL named"
    where = f" {host}" if host else ""
    return (socket.getfqdn(), f"this machine's host name (the administrator's URL used the "
            f"local socket{where}, which other computers cannot reach)")


def write_pgpass(path: Path, host: str, port: int, database: str,
                 logins: list[Login]) -> None:
    """Append the new logins to a pgpass file (created 0600): the way the chairs and
    the board receive their credentials, never a command line or a log."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as fh:
        for login in logins:
            fields = (host, str(port), database, login.role, login.password)
            fh.write(":".join(_pgpass_field(f) for f in fields) + "\n")
    os.chmod(path, 0o600)
