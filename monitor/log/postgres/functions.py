"""The clinic server's functions and triggers, as data: ``clinic init`` creates them
from here, and ``verify`` compares what the server runs against the same text (a
same-named trigger or function that does something else fails the check).

Owner functions (SECURITY DEFINER, owned by ``km_owner``) are the only way to the
tables a chair may not touch itself: the per-session head rows that appends
serialise on (``km_heads``) and the per-chair writer lease (``km_leases``). A chair
can lock only its own sessions' head rows, so no other login can make a chair wait.
Errors never name another chair or the owner of a session id.
"""

from __future__ import annotations

from dataclasses import dataclass

CHANNEL = "km_events"
GENESIS_SQL = "repeat('0', 64)"


@dataclass(frozen=True)
class Function:
    name: str
    signature: str  # arguments and RETURNS
    body: str  # exactly what pg_proc.prosrc holds
    definer: bool = False

    def ddl(self) -> str:
        security = (" SECURITY DEFINER SET search_path = public, pg_temp" if self.definer
                    else "")
        return (f"CREATE OR REPLACE FUNCTION {self.name}{self.signature} LANGUAGE plpgsql"
                f"{security} AS $km${self.body}$km$")


@dataclass(frozen=True)
class Trigger:
    name: str
    timing: str  # e.g. "BEFORE INSERT"
    level: str  # "ROW" or "STATEMENT"
    function: str

    def ddl(self) -> str:
        return (f"DROP TRIGGER IF EXISTS {self.name} ON events;\n"
                f"CREATE TRIGGER {self.name} {self.timing} ON events "
                f"FOR EACH {self.level} EXECUTE FUNCTION {self.function}()")

    def definition(self) -> str:
        """What ``pg_get_triggerdef`` says for this trigger."""
        return (f"CREATE TRIGGER {self.name} {self.timing} ON public.events "
                f"FOR EACH {self.level} EXECUTE FUNCTION {self.function}()")


# The content JSON of an event as monitor.model.events builds it (keys sorted, no spaces,
# strings escaped like Python's json with ensure_ascii=False: PostgreSQL's to_json
# escapes the same characters the same way).
_CONTENT = """'{"author":' || to_json(n.author)::text || ',"kind":' || to_json(n.kind)::text
    || ',"observed_at":"' || n.observed_at || '","payload":' || n.payload
    || ',"recorded_at":"' || n.recorded_at || '","seq":' || n.seq::text
    || ',"session_id":' || to_json(n.session_id)::text || ',"source":'
    || to_json(n.source)::text || '}'"""

_NOT_YOURS = """RAISE EXCEPTION 'session % is not one of this chair''s sessions', n.session_id
            USING ERRCODE = 'insufficient_privilege';"""

_NO_LEASE = ("this connection does not hold the writer lease of % "
             "(one ketamine-monitor process records per chair)")

REFUSE_CHANGE = Function("km_refuse_change", "() RETURNS trigger", """
BEGIN
    RAISE EXCEPTION 'events are append-only: corrections are new events'
        USING ERRCODE = 'insufficient_privilege';
END""")

# Ownership is checked before anything is locked: a chair that names another chair's
# session is refused at once and holds nothing another chair would wait for.
CHECK_CHAIN = Function("km_check_chain", "() RETURNS trigger", f"""
DECLARE
    n events := NEW;
    head km_heads%ROWTYPE;
    expected text;
BEGIN
    SELECT * INTO head FROM km_heads WHERE session_id = n.session_id;
    IF FOUND AND head.chair <> n.chair THEN
        {_NOT_YOURS}
    END IF;
    IF NOT EXISTS (SELECT 1 FROM km_leases l WHERE l.chair = n.chair
                   AND l.backend_pid = pg_backend_pid()) THEN
        RAISE EXCEPTION '{_NO_LEASE}', n.chair
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    INSERT INTO km_heads (session_id, chair, seq, hash)
        VALUES (n.session_id, n.chair, 0, {GENESIS_SQL}) ON CONFLICT (session_id) DO NOTHING;
    SELECT * INTO head FROM km_heads WHERE session_id = n.session_id FOR UPDATE;
    IF head.chair <> n.chair THEN
        {_NOT_YOURS}
    END IF;
    IF n.seq <> head.seq + 1 THEN
        RAISE EXCEPTION 'event %-% out of sequence: the session is at %',
            n.session_id, n.seq, head.seq USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF n.prev_hash <> head.hash THEN
        RAISE EXCEPTION 'event %-% does not point at the previous event''s hash',
            n.session_id, n.seq USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    expected := encode(sha256(convert_to(n.prev_hash || {_CONTENT}, 'UTF8')), 'hex');
    IF n.hash <> expected THEN
        RAISE EXCEPTION 'event %-% content does not match its hash', n.session_id, n.seq
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    UPDATE km_heads SET seq = n.seq, hash = n.hash WHERE session_id = n.session_id;
    NEW.committed_at := clock_timestamp();
    RETURN NEW;
END""", definer=True)

# A bare wake-up: who committed what is read from the table by those allowed to.
NOTIFY = Function("km_notify", "() RETURNS trigger", f"""
BEGIN
    PERFORM pg_notify('{CHANNEL}', '');
    RETURN NULL;
END""")

# The head of one of the caller's sessions, locked for the caller's transaction:
# (0, genesis) for a new session; another chair's session is refused unlocked.
LOCK_HEAD = Function("km_lock_head", "(sid text, OUT seq integer, OUT hash text)", f"""
DECLARE
    owner_chair text;
BEGIN
    SELECT h.chair INTO owner_chair FROM km_heads h WHERE h.session_id = sid;
    IF NOT FOUND THEN
        seq := 0;
        hash := {GENESIS_SQL};
        RETURN;
    END IF;
    IF owner_chair <> session_user THEN
        RAISE EXCEPTION 'session % is not one of this chair''s sessions', sid
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    SELECT h.seq, h.hash INTO seq, hash FROM km_heads h WHERE h.session_id = sid FOR UPDATE;
END""", definer=True)

# One writer per chair: refused while another live connection holds the lease
# (named: host, process, since when); the same client (its token) takes it over
# after a reconnect, when its old connection may not have died on the server yet.
TAKE_LEASE = Function("km_take_lease", "(p_host text, p_pid integer, p_token text) "
                      "RETURNS void", """
DECLARE
    me text := session_user;
    l km_leases%ROWTYPE;
BEGIN
    INSERT INTO km_leases VALUES (me, 0, '', 0, '', now())
        ON CONFLICT (chair) DO NOTHING;
    SELECT * INTO l FROM km_leases WHERE chair = me FOR UPDATE;
    IF l.token <> p_token AND l.backend_pid <> pg_backend_pid() AND EXISTS (
            SELECT 1 FROM pg_stat_activity a WHERE a.pid = l.backend_pid
            AND a.usename = me) THEN
        RAISE EXCEPTION '% is already recording on % (process %) since % UTC', me, l.host,
            l.pid, to_char(l.taken_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')
            USING ERRCODE = 'object_in_use';
    END IF;
    UPDATE km_leases SET backend_pid = pg_backend_pid(), host = p_host, pid = p_pid,
        token = p_token, taken_at = now() WHERE chair = me;
END""", definer=True)

RELEASE_LEASE = Function("km_release_lease", "(p_token text) RETURNS void", """
BEGIN
    UPDATE km_leases SET backend_pid = 0 WHERE chair = session_user AND token = p_token;
END""", definer=True)

# A payload as jsonb for the DBA's view, or NULL where jsonb cannot hold it (a NUL
# character, which Python's JSON may carry): one such row never breaks the view.
AS_JSONB = Function("km_jsonb", "(t text) RETURNS jsonb", """
BEGIN
    RETURN t::jsonb;
EXCEPTION WHEN others THEN
    RETURN NULL;
END""")

FUNCTIONS = (REFUSE_CHANGE, CHECK_CHAIN, NOTIFY, LOCK_HEAD, TAKE_LEASE, RELEASE_LEASE,
             AS_JSONB)
# Functions a chair may call (the rest run only as triggers).
CHAIR_CALLS = ("km_lock_head(text)", "km_take_lease(text, integer, text)",
               "km_release_lease(text)")

TRIGGERS = (
    Trigger("events_no_update", "BEFORE DELETE OR UPDATE", "ROW", "km_refuse_change"),
    Trigger("events_no_truncate", "BEFORE TRUNCATE", "STATEMENT", "km_refuse_change"),
    Trigger("events_chain", "BEFORE INSERT", "ROW", "km_check_chain"),
    Trigger("events_notify", "AFTER INSERT", "STATEMENT", "km_notify"),
)
BY_NAME = {f.name: f for f in FUNCTIONS}


def ddl() -> str:
    """The functions, then the triggers that run them."""
    return ";\n".join([f.ddl() for f in FUNCTIONS] + [t.ddl() for t in TRIGGERS]) + ";\n"


def trigger_problems(rows: list[tuple[str, str, str, str, bool]]) -> list[str]:
    """What is wrong with the triggers the server runs on ``events``, from rows of
    (trigger name, pg_get_triggerdef, function name, function source, enabled).
    A trigger is right only when its whole definition and its function's source are
    the clinic's own: the same name running a no-op is not."""
    found = {r[0]: r for r in rows}
    problems = []
    for t in TRIGGERS:
        row = found.get(t.name)
        if row is None or not row[4]:
            problems.append(f"trigger {t.name} is missing or disabled")
            continue
        _name, definition, function, source, _on = row
        if definition != t.definition():
            problems.append(f"trigger {t.name} is not the clinic's: it reads {definition!r}")
        elif function != t.function or source != BY_NAME[t.function].body:
            problems.append(f"trigger {t.name} runs a function {function}() whose definition "
                            "is not the clinic's (changed on the server)")
    return problems
