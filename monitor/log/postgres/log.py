"""The clinic's event log on PostgreSQL (psycopg 3), opened with ``postgresql://…``.

Each chair logs in as its own role (``clinic init``, ``monitor.log.postgres.schema``):
it may only INSERT and SELECT its own sessions, and the server's triggers check
every event's place in its session's chain. The password never appears in the
URL: libpq reads it from a pgpass or service file.

If the server goes away while a chair records, the chair keeps recording into a
local spool (the SQLite backend, same chain) and, once the server answers
again, uploads what the server lacks: compared by sequence and hash, so an
upload cut short (or repeated) neither loses nor duplicates an event.

A chair records only while it holds its writer lease (``monitor.log.postgres.lease``):
a second process for the same chair is refused at connect. Its connections carry
lock and statement timeouts: an append held up on the server is cancelled and
said "Not saved" instead of freezing the window.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from datetime import datetime
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

import psycopg
from psycopg import conninfo as _conninfo

from monitor.clock import to_iso
from monitor.errors import ChainError, StoreError
from monitor.log import sql_reads
from monitor.log.eventlog import AppendsOne, Item, SessionSummary, Verdict, redact, register_backend
from monitor.log.postgres import lease
from monitor.log.postgres.functions import trigger_problems
from monitor.log.postgres.schema import CHAIR_SETTINGS
from monitor.log.postgres.spool import Spool, default_spool, open_spool
from monitor.log.sql_reads import COLUMNS, chain_gap
from monitor.model.events import GENESIS, Event, EventKind, RawChecker, canonical, chain_events
from monitor.paths import APP

log = logging.getLogger(__name__)
T = TypeVar("T")
P = ParamSpec("P")
_STYLE = psycopg.paramstyle  # the placeholders of the shared reads (monitor.log.sql_reads)

RETRY_SECONDS = 5.0
_INSERT = f"INSERT INTO events ({COLUMNS}) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)"
# A dead network must not freeze a chair: libpq gives up on it within seconds.
_LIVENESS: dict[str, Any] = {"connect_timeout": "3", "keepalives": "1", "keepalives_idle": "5",
             "keepalives_interval": "2", "keepalives_count": "2", "tcp_user_timeout": "4000"}


_TIMEOUTS = " ".join(f"-c {k}={CHAIR_SETTINGS[k]}" for k in ("lock_timeout",
                                                              "statement_timeout"))
# What a lock or statement timeout raises: the server is there, the entry is not saved.
_TIMED_OUT = (psycopg.errors.LockNotAvailable, psycopg.errors.QueryCanceled)


class ServerUnavailable(StoreError):
    """The clinic server cannot be reached (down, or the network is gone)."""


def connect(url: str, *, application: str = APP, timeouts: bool = True
            ) -> psycopg.Connection[Any]:
    """A connection with synchronous commits (and, unless told otherwise, the lock and
    statement timeouts of a chair); the password only from pgpass/service."""
    try:
        params = _conninfo.conninfo_to_dict(url)
    except psycopg.ProgrammingError as exc:
        raise StoreError(f"Cannot open {redact(url)}: not a valid PostgreSQL URL "
                         f"({exc})") from exc
    if "password" in params:
        raise StoreError(f"Refused {redact(url)}: a password in the URL would show in the "
                         "process list and the logs; put it in a pgpass file (~/.pgpass or "
                         "$PGPASSFILE) or a service file and leave it out of the URL")
    try:
        options = "-c synchronous_commit=on" + (f" {_TIMEOUTS}" if timeouts else "")
        conn = psycopg.connect(url, autocommit=True, application_name=application,
                               options=options, **_LIVENESS)
    except psycopg.OperationalError as exc:
        raise ServerUnavailable(f"Cannot reach {redact(url)}: {_first_line(exc)}") from exc
    return conn


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def build_events(rows: Iterable[tuple[Any, ...]]) -> list[Event]:
    """Events from rows of ``COLUMNS`` (times as written by ``to_iso``)."""
    iso = datetime.fromisoformat
    return [Event(r[0], r[1], EventKind(r[2]), json.loads(r[7]), r[5], iso(r[3]), iso(r[4]),
                  r[6], r[8], r[9]) for r in rows]


def _row(e: Event) -> tuple[Any, ...]:
    return (e.session_id, e.seq, str(e.kind), to_iso(e.observed_at), to_iso(e.recorded_at),
            e.author, e.source, canonical(e.payload), e.prev_hash, e.hash)


class PgLog(AppendsOne):
    """One chair's (or the board's) view of the clinic database."""

    def __init__(self, url: str, *, readonly: bool = False, spool: Path | None = None,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.url = url
        self.readonly = readonly
        self.verify_notes: list[str] = []
        self.verify_unchecked: list[str] = []
        self._monotonic = monotonic
        self._attempt: threading.Thread | None = None
        self._made: psycopg.Connection[Any] | None = None  # by a reconnect attempt
        self._spool: Spool | None = None
        self._owners: dict[str, str] = {}
        self._token = lease.new_token()
        self._refused = ""  # why a reconnect attempt was refused the lease
        self._conn: psycopg.Connection[Any] | None = connect(url)
        row = self._execute("SELECT current_user").fetchone()
        self.role = str(row[0]) if row else ""
        self._check_schema()
        if not readonly:
            try:
                self._take_lease(self._conn)
            except BaseException:
                self.close()
                raise
        self._known: dict[str, list[Event]] = {}  # this writer's sessions, as committed
        self._gapped: set[str] = set()  # sessions whose copy above could not be mended
        self._tx: list[Event] | None = None  # events of the open transaction (server side)
        self._spool_tx = False
        self._retry_at = 0.0
        self.spool_path = None if readonly else (spool or default_spool(url, self.role))
        self.problem = ""
        if self.spool_path is not None:
            # Opened now: its writer lock makes this process the chair's only writer.
            try:
                self._spool = open_spool(self.spool_path, self._spool_owner(),
                                         self._on_server)
            except BaseException:
                self.close()
                raise
            self._upload()

    # -- plumbing ------------------------------------------------------------
    @property
    def location(self) -> str:
        return redact(self.url)

    path = location  # what shared messages name

    @property
    def offline(self) -> bool:
        return self._conn is None

    @contextmanager
    def _server(self) -> Iterator[psycopg.Connection[Any]]:
        """The connection to the server; a server error said as one (a lost link
        marks this log offline, so the caller can turn to the spool)."""
        conn = self._conn
        if conn is None:
            raise ServerUnavailable(f"{self.location} is unreachable")
        try:
            yield conn
        except psycopg.Error as exc:
            raise self._failed(exc, self.location) from exc

    def _execute(self, sql: str, args: tuple[Any, ...] | list[Any] = ()) -> psycopg.Cursor[Any]:
        with self._server() as conn:
            return conn.execute(sql, args)

    def query(self, read: Callable[Concatenate[psycopg.Connection[Any], P], T],
              *args: P.args, **kwargs: P.kwargs) -> T:
        """Another room's read (the board's: ``board_reads``) on the server, with this
        log's reconnect and error handling."""
        with self._server() as conn:
            return read(conn, *args, **kwargs)

    def _read(self, read: Callable[Concatenate[sql_reads.Connection, str, P], T],
              *args: P.args, **kwargs: P.kwargs) -> T:
        """One of the reads both backends share (``monitor.log.sql_reads``), on the server."""
        return self.query(read, _STYLE, *args, **kwargs)

    def _failed(self, exc: psycopg.Error, failure: str) -> StoreError:
        """The error to raise for a server error: a timeout (the server is there, the
        entry waited too long: nothing was written), a lost link (the caller spools),
        or a refusal."""
        if isinstance(exc, _TIMED_OUT):
            return StoreError(f"{failure}: the clinic server did not answer in time "
                              f"({_first_line(exc)}; limits: lock "
                              f"{CHAIR_SETTINGS['lock_timeout']}, statement "
                              f"{CHAIR_SETTINGS['statement_timeout']}); nothing was written. "
                              "Try again; if it goes on, call the clinic's administrator")
        if isinstance(exc, psycopg.OperationalError):
            self._lost(exc)
            return ServerUnavailable(f"{self.location}: {_first_line(exc)}")
        if failure == self.location:
            return StoreError(f"{failure}: {_first_line(exc)}")
        return StoreError(f"{failure}: the clinic server refused it: {_first_line(exc)}")

    def _take_lease(self, conn: psycopg.Connection[Any]) -> None:
        try:
            lease.take(conn, self._token)
        except psycopg.errors.UndefinedFunction as exc:
            raise StoreError(f"Cannot record into {self.location}: its clinic schema is older "
                             "than this program; ask the administrator to run "
                             "`ketamine-monitor clinic init` again") from exc
        except psycopg.OperationalError as exc:
            raise ServerUnavailable(f"{self.location}: {_first_line(exc)}") from exc
        except psycopg.Error as exc:
            raise StoreError(f"{self.location}: {_first_line(exc)}") from exc

    def _open(self) -> psycopg.Connection[Any]:
        """A new connection, holding this chair's lease unless read-only."""
        conn = connect(self.url)
        if not self.readonly:
            try:
                self._take_lease(conn)
            except BaseException:
                conn.close()
                raise
        return conn

    def _lost(self, exc: BaseException) -> None:
        log.warning("clinic server lost: %s", type(exc).__name__)
        if self._conn is not None:
            with suppress(Exception):
                self._conn.close()
        self._conn = None
        self._retry_at = self._monotonic() + RETRY_SECONDS

    def _check_schema(self) -> None:
        try:
            row = self._execute("SELECT value FROM km_meta WHERE key = 'schema_version'"
                                ).fetchone()
        except StoreError as exc:
            self.close()
            if isinstance(exc, ServerUnavailable):
                raise
            raise StoreError(f"Cannot use {self.location}: it is not a clinic database "
                             "made by `ketamine-monitor clinic init` (or this role may not "
                             "read it)") from exc
        if row is None:
            self.close()
            raise StoreError(f"Cannot use {self.location}: no schema version")

    def close(self) -> None:
        self.settle()
        if self._made is not None:
            with suppress(Exception):
                self._made.close()
            self._made = None
        if self._conn is not None:
            if not self.readonly:
                with suppress(Exception):
                    lease.release(self._conn, self._token)
            with suppress(Exception):
                self._conn.close()
            self._conn = None
        if self._spool is not None:
            self._spool.close()
            self._spool = None

    def __enter__(self) -> PgLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- ownership -----------------------------------------------------------
    @property
    def writer(self) -> str:
        return "" if self.readonly else self.role

    def owner(self, session_id: str) -> str:
        """The chair whose role recorded the session's opening: only it may add to it
        (the server refuses anyone else), so only it evaluates the session's rules."""
        known = self._owners.get(session_id)
        if known:
            return known  # an opening's chair never changes
        row = self._either(lambda: self._execute(
            "SELECT chair FROM events WHERE session_id = %s AND seq = 1",
            (session_id,)).fetchone(), lambda s: (self.role,) if s.events(session_id)
            else None)
        owner = str(row[0]) if row else ""
        if owner:
            self._owners[session_id] = owner
        return owner

    def claim(self, session_id: str) -> None:
        if self.readonly:
            raise StoreError(f"{self.location} is open read-only: it cannot own session "
                             f"{session_id}")
        owner = self.owner(session_id)
        if owner and owner != self.role:
            raise StoreError(f"Session {session_id} belongs to {owner}; only that chair may "
                             "record into it")

    # -- spool ---------------------------------------------------------------
    def status(self) -> str:
        """A line for the window's header: '' while the server takes every entry."""
        if self.problem:
            return self.problem
        if self.offline and self._refused:
            return (f"Recording on this computer only: the clinic server refused it "
                    f"({self._refused})")
        if self.offline:
            return "Clinic server unreachable: recording on this computer; uploads when it returns"
        return ""

    def _spool_store(self) -> Spool:
        if self._spool is None:
            if self.spool_path is None:
                raise StoreError(f"{self.location} is unreachable and this log has no spool")
            self._spool = open_spool(self.spool_path, self._spool_owner())
        return self._spool

    def _spool_owner(self) -> str:
        return f"{self.role}@{redact(self.url)}"

    def _on_server(self, session_ids: list[str]) -> set[str]:
        """Which of these sessions the server holds (as far as this login may see)."""
        return self.query(lambda conn: {r[0] for r in conn.execute(
            "SELECT DISTINCT session_id FROM events WHERE session_id = ANY(%s)",
            (session_ids,))})

    def _either(self, server: Callable[[], T], spool: Callable[[Spool], T]) -> T:
        if not self.offline:
            try:
                return server()
            except ServerUnavailable:
                if self._spool is None and self.spool_path is None:
                    raise
        self.reconnect()
        if not self.offline:
            return server()
        return spool(self._spool_store())

    def reconnect(self, *, force: bool = False) -> bool:
        """Try the server again and upload the spool. Never blocks unless ``force``:
        the attempt (which may wait seconds on a dead network) runs on a thread of its
        own, at most every few seconds, and a connection it made is taken up here, on
        the log's own thread, at the next call."""
        if force and self._conn is not None and self._conn.closed:
            self._conn = None
        if not self.offline or self._spool_tx:
            return not self.offline
        made, self._made = self._made, None
        if made is None and force:
            self.settle()
            made, self._made = self._made, None
            if made is None:
                try:
                    made = self._open()
                except StoreError as exc:
                    self._note_refusal(exc)
                    self._retry_at = self._monotonic() + RETRY_SECONDS
                    return False
        if made is None:
            if self._monotonic() >= self._retry_at and not self._attempting():
                self._retry_at = self._monotonic() + RETRY_SECONDS
                self._attempt = threading.Thread(target=self._try_connect,
                                                 name="clinic-reconnect", daemon=True)
                self._attempt.start()
            return False
        self._conn = made
        self._refused = ""
        self._upload()
        return not self.offline

    def _attempting(self) -> bool:
        return self._attempt is not None and self._attempt.is_alive()

    def _note_refusal(self, exc: StoreError) -> None:
        if not isinstance(exc, ServerUnavailable):
            self._refused = str(exc)
            log.warning("clinic server refused the reconnect: %s", type(exc).__name__)

    def _try_connect(self) -> None:
        try:
            self._made = self._open()
        except StoreError as exc:
            self._note_refusal(exc)

    def settle(self, timeout: float = 10.0) -> None:
        """Wait for a reconnect attempt in progress (shutdown, tests)."""
        if self._attempt is not None:
            self._attempt.join(timeout)

    def keep_link(self) -> str:
        """Called by the window every second: try the server again when due (never
        blocks) and say how the link is ('' when the server takes every entry)."""
        if self.offline and not self.readonly:
            self.reconnect()
        return self.status()

    def _upload(self) -> None:
        """Send the server what the spool holds beyond the server's head, session by
        session in one transaction each; the server's trigger checks the chain."""
        spool = self._spool
        if spool is None:
            return
        try:
            for sid in spool.held_session_ids():
                seq, head = self._head(sid)
                mine, my_head = spool.head(sid)
                if mine <= seq:  # nothing new here, if the server holds our head
                    row = self._execute("SELECT hash FROM events WHERE session_id = %s AND "
                                        "seq = %s", (sid, mine)).fetchone()
                    if row is None or row[0] != my_head:
                        self._conflict(sid, mine)
                    continue
                local = spool.events(sid)
                if seq and local[seq - 1].hash != head:
                    self._conflict(sid, seq)
                    continue
                if seq < len(local):
                    self._insert(local[seq:])
                    log.info("uploaded %d spooled events of session %s", len(local) - seq,
                             sid)
                self._known[sid] = local
        except ServerUnavailable:
            return
        except StoreError as exc:  # the server refused the upload: say so, keep the spool
            self.problem = (f"The clinic server refused this computer's spooled entries "
                            f"({exc}); they are kept at {self.spool_path}")
            log.warning("spool upload refused (%s)", type(exc).__name__)

    def _conflict(self, sid: str, seq: int) -> None:
        self.problem = (f"Session {sid}: the clinic server and this computer's spool "
                        f"disagree at event {seq}; nothing was uploaded (spool kept at "
                        f"{self.spool_path})")
        log.error("spool conflict in session %s at %d", sid, seq)

    # -- writing -------------------------------------------------------------
    def _insert(self, events: list[Event], failure: str = "Not saved") -> None:
        conn = self._conn
        if conn is None:
            raise ServerUnavailable(f"{self.location} is unreachable")
        try:
            with conn.transaction(), conn.cursor() as cur:
                cur.executemany(_INSERT, [_row(e) for e in events])
        except psycopg.Error as exc:
            raise self._failed(exc, failure) from exc

    def _head(self, session_id: str) -> tuple[int, str]:
        return self._read(sql_reads.head, session_id)

    @contextmanager
    def transaction(self, failure: str = "Not saved") -> Iterator[None]:
        """One commit on the server; if the server is lost meanwhile, the whole
        transaction goes to the spool instead (nothing to re-enter)."""
        if self.readonly:
            raise StoreError(f"{self.location} is open read-only")
        if self._tx is not None or self._spool_tx:
            yield
            return
        self.reconnect()
        if self.offline:
            with self._spooling(failure):
                yield
            return
        self._tx = []
        try:
            self._execute("BEGIN")
        except ServerUnavailable:
            self._tx = None
            with self._spooling(failure):
                yield
            return
        try:
            yield
            self._execute("COMMIT")
        except ServerUnavailable:
            # Lost before or at COMMIT: the same events (same hashes) go to the spool;
            # if the server did commit them, the upload finds them there and skips them.
            done, self._tx = self._tx, None
            self._to_spool(done or [])
            return
        except BaseException as exc:
            self._tx = None
            if self._conn is not None:
                with suppress(psycopg.Error):
                    self._conn.execute("ROLLBACK")
            if isinstance(exc, StoreError) and not str(exc).startswith(failure):
                raise StoreError(f"{failure}: {exc}") from exc
            raise
        done, self._tx = self._tx, None
        self._remember(done)

    def _remember(self, events: list[Event]) -> None:
        """Add committed events to this writer's copy of their sessions. A copy they
        would not continue without a gap is read again from the server, or, when it
        cannot be, marked so that it never fills a spool."""
        for sid in dict.fromkeys(e.session_id for e in events):
            mine = [e for e in events if e.session_id == sid]
            known = self._known.setdefault(sid, [])
            head = (known[-1].seq, known[-1].hash) if known else (0, GENESIS)
            if not chain_gap(head, mine):
                known.extend(mine)
                continue
            if known:  # (a session never read here is simply read now)
                log.error("session %s: committed events do not follow this writer's copy",
                          sid)
            self._known[sid] = []
            self._gapped.add(sid)
            if not self.offline:
                with suppress(StoreError):
                    rows = self._execute(f"SELECT {COLUMNS} FROM events WHERE session_id = %s "
                                         "ORDER BY seq", (sid,)).fetchall()
                    self._known[sid] = build_events(rows)
                    self._gapped.discard(sid)

    @contextmanager
    def _spooling(self, failure: str) -> Iterator[None]:
        spool = self._spool_store()
        self._spool_tx = True
        lengths = {sid: len(evs) for sid, evs in self._known.items()}
        try:
            with spool.transaction(failure):
                yield
        except BaseException:
            self._known = {sid: evs[:lengths.get(sid, 0)] for sid, evs in self._known.items()}
            raise
        finally:
            self._spool_tx = False

    def _fill_spool(self, spool: Spool, sid: str, pending: list[Event]) -> None:
        """Give the spool the session's committed events it lacks (exact events, same
        hashes), then ``pending``; inside the caller's spool transaction."""
        head = spool.head(sid)
        missing = self._known.get(sid, [])[head[0]:] + pending
        gap = ("its copy could not be read again after another writer's entries"
               if sid in self._gapped else chain_gap(head, missing))
        if gap:
            raise StoreError(f"Not saved: this computer's copy of session {sid} has a gap "
                             f"({gap}), so it cannot continue the chain in the local spool "
                             f"{self.spool_path}. Another process may have recorded for this "
                             "chair; nothing was written locally")
        if missing:
            spool.add_chained(missing, "Not saved")

    def _to_spool(self, pending: list[Event]) -> None:
        """Write a transaction's events, and whatever the spool lacks before them, to
        the spool in one local commit."""
        spool = self._spool_store()
        with spool.transaction():
            for sid in dict.fromkeys(e.session_id for e in pending):
                self._fill_spool(spool, sid, [e for e in pending if e.session_id == sid])
        self._remember(pending)
        log.warning("recorded %d events into the local spool", len(pending))

    def append_many(self, session_id: str, items: Iterable[Item], *,
                    recorded_at: datetime) -> list[Event]:
        """Seq and hash are assigned inside the transaction, from the head the server
        holds (its row locked through an owner function: only this chair can lock
        it); the server's trigger checks them."""
        if self.readonly:
            raise StoreError(f"{self.location} is open read-only")
        todo = list(items)
        if not todo:
            return []
        with self.transaction():
            if self._spool_tx:
                spool = self._spool_store()
                self._fill_spool(spool, session_id, [])
                built = spool.append_many(session_id, todo, recorded_at=recorded_at)
                self._remember(built)
                return built
            assert self._tx is not None
            pending = [e for e in self._tx if e.session_id == session_id]
            if pending:
                seq, prev = pending[-1].seq, pending[-1].hash
            else:
                try:
                    row = self._execute("SELECT seq, hash FROM km_lock_head(%s)",
                                        (session_id,)).fetchone()
                    seq, prev = (int(row[0]), str(row[1])) if row else (0, GENESIS)
                except ServerUnavailable:
                    known = self._known.get(session_id)
                    seq, prev = (known[-1].seq, known[-1].hash) if known else (0, GENESIS)
            built = chain_events(session_id, (seq, prev), todo, recorded_at)
            self._tx.extend(built)
            if not self.offline:
                # A lost server here: the commit's failure spools them.
                with (suppress(ServerUnavailable),
                      self._conn.cursor() as cur):  # type: ignore[union-attr]
                    try:
                        cur.executemany(_INSERT, [_row(e) for e in built])
                    except psycopg.Error as exc:
                        raise self._failed(exc, "Not saved") from exc
        return built

    def import_events(self, events: list[Event]) -> None:
        """Insert a verified session with its original hashes, in one transaction on the
        server (whose trigger checks the chain again). Never into the spool: an import
        waits for the server, and the chair imports it again then."""
        if self.readonly:
            raise StoreError(f"{self.location} is open read-only")
        self.reconnect()  # takes up a link made meanwhile; never blocks
        try:
            sid = self._read(sql_reads.check_import, events, self.location)
            self._insert(events, "Not imported")
        except ServerUnavailable as exc:
            raise ServerUnavailable(f"Not imported: {exc}; nothing was imported (import it "
                                    "again when the clinic server answers)") from exc
        self._remember(events)
        log.info("imported session %s (%d events)", sid, len(events))

    # -- reading -------------------------------------------------------------
    def events(self, session_id: str, *, checker: RawChecker | None = None) -> list[Event]:
        def server() -> list[Event]:
            rows = self._execute(f"SELECT {COLUMNS} FROM events WHERE session_id = %s "
                                 "ORDER BY seq", (session_id,)).fetchall()
            if checker is not None:
                checker.feed(rows)
            try:
                built = build_events(rows)
            except (ValueError, KeyError, TypeError) as exc:
                raise ChainError(f"Cannot read session {session_id} in {self.location}: an "
                                 f"event is unreadable ({exc})") from exc
            self._gapped.discard(session_id)  # read whole from the server: mended
            return built
        out = self._either(server, lambda s: s.events(session_id, checker=checker))
        if not self.readonly:
            self._known[session_id] = list(out)
        return out

    def kind_counts(self, session_id: str) -> dict[str, int]:
        return self._either(lambda: self._read(sql_reads.kind_counts, session_id),
                            lambda s: s.kind_counts(session_id))

    def session_ids(self) -> list[str]:
        return self._either(lambda: self._read(sql_reads.session_ids),
                            lambda s: s.session_ids())

    def summaries(self) -> list[SessionSummary]:
        return self._either(lambda: self._read(sql_reads.summaries), lambda s: s.summaries())

    def find_session(self, prefix: str) -> str:
        return sql_reads.pick_session(self.session_ids(), prefix, self.location)

    # -- checking ------------------------------------------------------------
    def trigger_problems(self) -> list[str]:
        """The server's triggers on ``events`` compared with the clinic's own, by
        their whole definition and their function's source (not by name)."""
        return trigger_problems(self._execute(
            "SELECT t.tgname, pg_get_triggerdef(t.oid), p.proname, p.prosrc, "
            "t.tgenabled <> 'D' FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid "
            "WHERE t.tgrelid = 'events'::regclass AND NOT t.tgisinternal").fetchall())

    def check_session(self, session_id: str, *, full: bool = False) -> Verdict:
        return self.read_checked(session_id)[1]

    def read_checked(self, session_id: str) -> tuple[list[Event], Verdict]:
        if self.offline and self.spool_path is not None:
            return self._spool_store().read_checked(session_id)
        checker = RawChecker()
        events = self.events(session_id, checker=checker)
        problems = self.trigger_problems()
        if checker.broken:
            seq, kind, why = checker.broken
            problems.append(f"Event {session_id}-{seq} ({kind}) {why}")
        seq, head = (events[-1].seq, events[-1].hash) if events else (0, GENESIS)
        notes = ("checked on the clinic server (chain and append-only triggers)",)
        return events, Verdict(session_id, seq, head, tuple(problems), notes)

    def verify(self) -> tuple[int, int]:
        sids = self._read(sql_reads.held_session_ids)
        problems: list[str] = []
        total = 0
        for sid in sids:
            verdict = self.check_session(sid)
            problems += [p for p in verdict.problems if p not in problems]
            total += verdict.events
        if not sids:
            problems += self.trigger_problems()
        self.verify_notes = ["checked on the clinic server: chains and append-only triggers "
                             "(workstation seals are not used there)"]
        if problems:
            raise ChainError("; ".join(problems))
        return len(sids), total


def open_pg(url: str, *, readonly: bool = False, **options: Any) -> PgLog:
    options.pop("key", None)  # seals belong to the SQLite backend
    return PgLog(url, readonly=readonly, **options)


register_backend("postgresql", open_pg)
register_backend("postgres", open_pg)
