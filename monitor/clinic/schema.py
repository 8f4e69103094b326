"""The clinic database: tables, roles, row-level security and triggers.

``clinic init`` runs this as an administrator (a role that may create roles).
Afterwards:

- ``km_owner`` (no login) owns the tables and the trigger functions;
- ``km_chair_N`` (login) may only INSERT and SELECT, and row-level security lets
  it see and add only rows marked with its own name (the column defaults to
  ``current_user`` and the policy checks it);
- ``km_board`` (login) may only SELECT, every row;
- triggers refuse UPDATE, DELETE and TRUNCATE even for the owner;
- a BEFORE INSERT trigger, under a per-session advisory lock, checks that the
  event continues its session's chain (sequence, previous hash, hash over the
  exact stored text) and that the session belongs to the inserting chair;
- an AFTER INSERT trigger sends a notification for the central board.

Hashed content is stored as text exactly as hashed (jsonb and timestamptz would
rewrite it), so the server's check and ``monitor.events`` agree byte for byte.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

SCHEMA_VERSION = 1
OWNER = "km_owner"
BOARD = "km_board"
CHANNEL = "km_events"
MAX_CHAIRS = 64


def chair_role(n: int) -> str:
    return f"km_chair_{n}"


# The content JSON of an event as monitor.events builds it (keys sorted, no spaces,
# strings escaped like Python's json with ensure_ascii=False: PostgreSQL's to_json
# escapes the same characters the same way).
_CONTENT = """'{"author":' || to_json(n.author)::text || ',"kind":' || to_json(n.kind)::text
    || ',"observed_at":"' || n.observed_at || '","payload":' || n.payload
    || ',"recorded_at":"' || n.recorded_at || '","seq":' || n.seq::text
    || ',"session_id":' || to_json(n.session_id)::text || ',"source":'
    || to_json(n.source)::text || '}'"""

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

CREATE OR REPLACE FUNCTION km_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'events are append-only: corrections are new events'
        USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE OR REPLACE FUNCTION km_check_chain() RETURNS trigger LANGUAGE plpgsql
    SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    n events := NEW;
    last_seq integer;
    last_hash text;
    owner_chair text;
    expected text;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended(n.session_id, 0));
    SELECT seq, hash, chair INTO last_seq, last_hash, owner_chair FROM events
        WHERE session_id = n.session_id ORDER BY seq DESC LIMIT 1;
    IF NOT FOUND THEN
        last_seq := 0;
        last_hash := repeat('0', 64);
    ELSIF owner_chair <> n.chair THEN
        RAISE EXCEPTION 'session % belongs to %, not to %', n.session_id, owner_chair, n.chair
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF n.seq <> last_seq + 1 THEN
        RAISE EXCEPTION 'event %-% out of sequence: the session is at %',
            n.session_id, n.seq, last_seq USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF n.prev_hash <> last_hash THEN
        RAISE EXCEPTION 'event %-% does not point at the previous event''s hash',
            n.session_id, n.seq USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    expected := encode(sha256(convert_to(n.prev_hash || {_CONTENT}, 'UTF8')), 'hex');
    IF n.hash <> expected THEN
        RAISE EXCEPTION 'event %-% content does not match its hash', n.session_id, n.seq
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    NEW.committed_at := clock_timestamp();
    RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION km_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('{CHANNEL}', NEW.chair || ' ' || NEW.session_id || ' ' || NEW.id);
    RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS events_no_update ON events;
CREATE TRIGGER events_no_update BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION km_refuse_change();
DROP TRIGGER IF EXISTS events_no_truncate ON events;
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION km_refuse_change();
DROP TRIGGER IF EXISTS events_chain ON events;
CREATE TRIGGER events_chain BEFORE INSERT ON events
    FOR EACH ROW EXECUTE FUNCTION km_check_chain();
DROP TRIGGER IF EXISTS events_notify ON events;
CREATE TRIGGER events_notify AFTER INSERT ON events
    FOR EACH ROW EXECUTE FUNCTION km_notify();

ALTER TABLE events ENABLE ROW LEVEL SECURITY;
ALTER TABLE events FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS own_rows ON events;
CREATE POLICY own_rows ON events FOR ALL USING (chair = current_user)
    WITH CHECK (chair = current_user);
DROP POLICY IF EXISTS board_reads ON events;
CREATE POLICY board_reads ON events FOR SELECT TO {BOARD} USING (true);
DROP POLICY IF EXISTS owner_sees ON events;
CREATE POLICY owner_sees ON events FOR ALL TO {OWNER} USING (true);
"""

TRIGGERS = ("events_no_update", "events_no_truncate", "events_chain", "events_notify")


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
            f"'{SCHEMA_VERSION}') ON CONFLICT (key) DO NOTHING",
            "REVOKE ALL ON events, km_meta FROM PUBLIC",
            f"GRANT SELECT ON events, km_meta TO {BOARD}, {', '.join(logins)}",
            f"GRANT INSERT (session_id, seq, kind, observed_at, recorded_at, author, source, "
            f"payload, prev_hash, hash, mac) ON events TO {', '.join(logins)}",
            f"GRANT USAGE ON SEQUENCE events_id_seq TO {', '.join(logins)}",
            "RESET ROLE",
            f"GRANT USAGE ON SCHEMA public TO {BOARD}, {', '.join(logins)}",
            f"ALTER DATABASE {database} SET synchronous_commit = on"]
    return out


def new_logins(existing: set[str], chairs: int) -> list[Login]:
    """Passwords for login roles not yet in the cluster."""
    roles = [BOARD] + [chair_role(n) for n in range(1, chairs + 1)]
    return [Login(r, secrets.token_urlsafe(24)) for r in roles if r not in existing]


def write_pgpass(path: Path, host: str, port: int, database: str,
                 logins: list[Login]) -> None:
    """Append the new logins to a pgpass file (created 0600): the way the chairs and
    the board receive their credentials, never a command line or a log."""
    import os
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as fh:
        for login in logins:
            fh.write(f"{host}:{port}:{database}:{login.role}:{login.password}\n")
    os.chmod(path, 0o600)
