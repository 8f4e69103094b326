"""SQLite event log: append, read, verify, migrate.

One file per clinic workstation. WAL with synchronous=FULL: an entry is on
disk before ``append`` returns. Triggers refuse UPDATE and DELETE of events.
Each session has its own SHA-256 chain, so a session can be exported and
imported into another database with its hashes intact.

Each event is also sealed (HMAC with the record key, kept outside the
database; see ``monitor.log.sqlite.sealing``), and a registry holds each session's sealed
head and a sealed list of sessions, so a deletion, a recomputed chain or a
forged event is found; the README says what is and is not detected.

One process writes at a time: a writer holds an advisory lock on
``<real path of db>.lock`` (released by the kernel if the process dies).
Readers (the command line's ``sessions``, ``export`` and ``verify``) open
read-only and never block the writer.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import socket
import sqlite3
import stat
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, nullcontext, suppress
from datetime import datetime
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

from monitor.clock import to_iso
from monitor.errors import ChainError, StoreError, StoreLockedError
from monitor.log import sql_reads
from monitor.log.eventlog import (
    AppendsOne,
    Item,
    SessionSummary,
    Verdict,
    register_backend,
    sqlite_path,
)
from monitor.log.sql_reads import COLUMNS
from monitor.log.sqlite.dbfile import OpenFile, refuse_orphaned_wal, refuse_special, rescue
from monitor.log.sqlite.key_ledger import (
    remember_database,
    sealed_databases,
    used_key_ids,
    writer_key,
)
from monitor.log.sqlite.salvage import Salvage, salvage
from monitor.log.sqlite.sealing import event_mac, head_mac, key_id, list_mac, load_key, same
from monitor.model.bulk import bulk
from monitor.model.events import (
    GENESIS,
    Event,
    EventKind,
    RawChecker,
    canonical,
    chain_events,
    chain_hash,
)
from monitor.portable import NOFOLLOW, rewrite, try_lock, unlock

log = logging.getLogger(__name__)
_DEFAULT_KEY = object()
_STYLE = sqlite3.paramstyle  # the placeholders of the shared reads (monitor.log.sql_reads)
P = ParamSpec("P")
T = TypeVar("T")

SCHEMA_VERSION = 2
APPLICATION_ID = 0x4B4D4F4E  # "KMON": marks a database as ours (PRAGMA application_id)
TRIGGERS = ("events_append_only_update", "events_append_only_delete")
# The WAL is checkpointed into the database every this many pages (SQLite's default is
# 1000): what a -wal alone holds stays small, and the file is cut back to a bounded size.
WAL_CHECKPOINT_PAGES = 100
WAL_SIZE_LIMIT = 1 << 20

_EVENTS_V1 = """CREATE TABLE events (
            id          INTEGER PRIMARY KEY,
            session_id  TEXT    NOT NULL,
            seq         INTEGER NOT NULL,
            kind        TEXT    NOT NULL,
            observed_at TEXT    NOT NULL,
            recorded_at TEXT    NOT NULL,
            author      TEXT    NOT NULL,
            source      TEXT    NOT NULL,
            payload     TEXT    NOT NULL,
            prev_hash   TEXT    NOT NULL,
            hash        TEXT    NOT NULL,
            UNIQUE (session_id, seq))"""

# Forward migrations: MIGRATIONS[i] upgrades user_version i to i + 1.
MIGRATIONS: list[list[str]] = [
    [
        _EVENTS_V1,
        "CREATE INDEX events_kind ON events (kind, session_id)",
        """CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
        BEGIN SELECT RAISE(ABORT, 'events are append-only: corrections are new events'); END""",
        """CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
        BEGIN SELECT RAISE(ABORT, 'events are append-only: corrections are new events'); END""",
    ],
    [
        # The seal of each event, and a registry of sessions with their sealed head:
        # together they find what a chain alone cannot (see README, "Tamper evidence").
        "ALTER TABLE events ADD COLUMN mac TEXT NOT NULL DEFAULT ''",
        """CREATE TABLE registry (
            session_id TEXT    PRIMARY KEY,
            ordinal    INTEGER NOT NULL UNIQUE,
            key_id     TEXT    NOT NULL,
            seq        INTEGER NOT NULL,
            head       TEXT    NOT NULL,
            mac        TEXT    NOT NULL)""",
        """CREATE TABLE seals (
            key_id   TEXT    PRIMARY KEY,
            sessions INTEGER NOT NULL,
            mac      TEXT    NOT NULL)""",
        f"PRAGMA application_id = {APPLICATION_ID}",
    ],
]
OUR_TABLES = {1: {"events"}, 2: {"events", "registry", "seals"}}
# What each append-only trigger must say: a trigger of the same name that does
# nothing (or something else) is not ours.
TRIGGER_SQL = dict(zip(TRIGGERS, MIGRATIONS[0][2:4], strict=True))


def _same_sql(a: str, b: str) -> bool:
    return " ".join(a.split()) == " ".join(b.split())


def _describe(exc: sqlite3.Error) -> str:
    text = str(exc)
    if "file is not a database" in text or "malformed" in text:
        return "the file is not a ketamine-monitor database or is damaged"
    if "full" in text:
        return "the disk is full"
    if "readonly" in text or "read-only" in text:
        return "the file or its folder is read-only"
    if "unable to open" in text:
        return "the file cannot be opened (missing folder or no permission)"
    return text


def _recovery(path: Path, conn: sqlite3.Connection) -> str:
    try:
        found = salvage(conn)
    except sqlite3.Error:
        found = Salvage()
    ids = ", ".join(found.readable_ids) or "none"
    return (f"{path} is damaged (SQLite integrity check failed). Nothing was written. "
            f"Keep the file as it is; recover the readable sessions ({ids}) with "
            f"`ketamine-monitor export SESSION --format json --db {path}` and import them "
            "into a new database, or restore the last backup")


class Store(AppendsOne):
    """The event log in one SQLite file.

    ``key`` is the record key used for seals (default: the workstation's key file,
    created by the first writer). Without a key the log is still read and its
    chains checked; seals are reported as not checked."""

    def __init__(self, path: str | os.PathLike[str], *, readonly: bool = False,
                 key: bytes | object | None = _DEFAULT_KEY) -> None:
        self.path = Path(path)
        self.readonly = readonly
        refuse_special(self.path)  # before any lock file is made or anything opened
        self._lock_fd: int | None = None
        self._file: OpenFile | None = None
        self._stopped = ""  # why this writer stopped recording ('' while it records)
        # One connection, used by one thread at a time: a recorder belongs to one
        # thread, and this lock keeps a reader on another thread (a board, a test)
        # from interleaving with a transaction.
        self._mutex = threading.RLock()
        self._verified: dict[str, tuple[int, str]] = {}
        self.verify_notes: list[str] = []
        self.verify_unchecked: list[str] = []
        self.key_problem = ""
        # The workstation's key is made (by a writer) only once the file is open: never
        # in silence for a database holding sessions sealed with a missing key.
        self._workstation_key = key is _DEFAULT_KEY
        try:
            self.key: bytes | None = (load_key(create=False) if key is _DEFAULT_KEY
                                      else key)  # type: ignore[assignment]
        except StoreError as exc:
            if not readonly:
                raise
            self.key, self.key_problem = None, str(exc)  # reading never depends on the key
        self.key_id = key_id(self.key) if self.key else ""
        if readonly:
            if not self.path.exists():
                raise StoreError(f"No database at {self.path}")
            self._conn = self._open_for_reading()
        else:
            self._take_lock()
            try:
                self._conn = self._open_for_writing()
            except BaseException:
                self._release_lock()
                raise
        try:
            self.schema = self._check_schema()
        except BaseException:
            self.close()
            raise

    # -- opening -----------------------------------------------------------
    def _connect(self, target: str, *, uri: bool = False) -> sqlite3.Connection:
        try:
            conn = sqlite3.connect(target, uri=uri, isolation_level=None,
                                   check_same_thread=False)
            conn.execute("PRAGMA busy_timeout = 2000")
        except sqlite3.Error as exc:
            raise StoreError(f"Cannot open {self.path}: {_describe(exc)}") from exc
        return conn

    def _open_for_reading(self) -> sqlite3.Connection:
        # A URI built by pathlib: '%', '#' and '?' in a file name are escaped, not parsed.
        uri = self.path.absolute().as_uri()
        conn = self._connect(f"{uri}?mode=ro", uri=True)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.Error as exc:
            conn.close()
            wal = Path(f"{self.path}-wal")
            if "unable to open" not in str(exc) or wal.exists():
                raise StoreError(f"Cannot use {self.path}: {_describe(exc)}") from exc
            # Read-only media: no -shm can be made, and with no -wal there is nothing
            # beyond the main file, so it can be read as immutable.
            conn = self._connect(f"{uri}?mode=ro&immutable=1", uri=True)
        return conn

    def _take_lock(self) -> None:
        folder = self.path.parent
        if not folder.is_dir():
            raise StoreError(f"Cannot open {self.path}: folder {folder} does not exist")
        # The lock belongs to the file, not to the name: a symlinked path resolves to
        # the same lock, and a second hard link (which SQLite would give its own
        # -wal) is refused.
        real = self.path.resolve()
        with suppress(FileNotFoundError):
            if os.stat(real).st_nlink > 1:
                raise StoreError(f"Cannot open {self.path} for writing: the file has more "
                                 "than one name (hard links); open it by a single name")
        lock_path = Path(f"{real}.lock")
        created = False
        try:
            try:
                fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_EXCL | NOFOLLOW,
                             0o600)
                created = True
            except FileExistsError:
                fd = os.open(lock_path, os.O_RDWR | NOFOLLOW)
        except OSError as exc:
            why = ("it is a symbolic link" if exc.errno == errno.ELOOP else exc.strerror)
            raise StoreError(
                f"Cannot open {self.path} for writing: lock file {lock_path}: {why}"
            ) from exc
        info = os.fstat(fd)
        if not created and (not stat.S_ISREG(info.st_mode) or info.st_nlink > 1
                            or info.st_size > 32):
            os.close(fd)
            raise StoreError(f"Cannot open {self.path} for writing: {lock_path} is not a "
                             "lock file of this program; move it away")
        try:
            locked = try_lock(fd)
        except OSError as exc:
            os.close(fd)
            raise StoreError(f"Cannot open {self.path} for writing: {exc}") from exc
        if not locked:
            holder = os.read(fd, 32).decode(errors="replace").strip() or "unknown"
            os.close(fd)
            raise StoreLockedError(
                f"{self.path} is already open for writing by another process (pid {holder}); "
                "close the other window first, or open it read-only")
        # Our own small lock file (created here, or checked above): safe to rewrite.
        rewrite(fd, str(os.getpid()).encode())
        self._lock_fd = fd

    def _release_lock(self) -> None:
        if self._lock_fd is not None:
            with suppress(OSError):
                unlock(self._lock_fd)
            os.close(self._lock_fd)
            self._lock_fd = None

    def _open_for_writing(self) -> sqlite3.Connection:
        new = not self.path.exists()
        if new:
            refuse_orphaned_wal(self.path)
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
                os.close(fd)
            except OSError as exc:
                raise StoreError(f"Cannot create {self.path}: {exc.strerror}") from exc
        elif not os.access(self.path, os.W_OK):
            raise StoreError(f"Cannot write to {self.path}: the file is read-only")
        conn = self._connect(str(self.path))
        try:
            self._prepare(conn, new)
        except sqlite3.Error as exc:
            if "malformed" in str(exc):
                message = _recovery(self.path, conn)
                conn.close()
                raise StoreError(message) from exc
            conn.close()
            raise StoreError(f"Cannot open {self.path}: {_describe(exc)}") from exc
        except BaseException:
            conn.close()
            raise
        for suffix in ("-wal", "-shm"):
            with suppress(OSError):
                os.chmod(f"{self.path}{suffix}", 0o600)
        try:
            self._file = OpenFile(self.path)
        except OSError as exc:
            conn.close()
            raise StoreError(f"Cannot open {self.path}: {exc.strerror}") from exc
        return conn

    def _prepare(self, conn: sqlite3.Connection, new: bool) -> None:
        self._refuse_foreign(conn)
        # A writer must not add to a damaged file (``sessions`` would call it damaged
        # while entries kept going in): refuse and say how to recover.
        if not new and conn.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise StoreError(_recovery(self.path, conn))
        if self._workstation_key:
            self.key = writer_key(self.key, self._sealed_key_ids(conn), str(self.path))
            self.key_id = key_id(self.key)
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if mode.lower() != "wal":
            raise StoreError(f"Cannot use {self.path}: write-ahead logging unavailable")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute(f"PRAGMA wal_autocheckpoint = {WAL_CHECKPOINT_PAGES}")
        conn.execute(f"PRAGMA journal_size_limit = {WAL_SIZE_LIMIT}")
        self._migrate(conn)
        remember_database(self.path)

    @staticmethod
    def _sealed_key_ids(conn: sqlite3.Connection) -> set[str]:
        if conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND "
                        "name = 'registry'").fetchone()[0] == 0:
            return set()
        return {r[0] for r in conn.execute("SELECT DISTINCT key_id FROM registry")}

    def _ours(self, conn: sqlite3.Connection) -> tuple[int, str | None]:
        """(schema version, None) for our database (or an empty file); else a reason."""
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        objects = {(r[0], r[1]) for r in conn.execute(
            "SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'")}
        if version > SCHEMA_VERSION and app_id == APPLICATION_ID:
            return version, (f"it was made by a newer version of ketamine-monitor (schema "
                             f"{version}); this version reads up to schema {SCHEMA_VERSION}")
        if not objects and version == 0 and app_id == 0:
            return 0, None
        tables = {name for kind, name in objects if kind == "table"}
        expected = OUR_TABLES.get(version)
        if expected is None or tables != expected or (version >= 2 and app_id != APPLICATION_ID):
            return version, "it is not a ketamine-monitor database"
        return version, None

    def _refuse_foreign(self, conn: sqlite3.Connection) -> None:
        _, why = self._ours(conn)
        if why:
            raise StoreError(f"Refused {self.path}: {why}; nothing was changed")

    def _downgraded(self, conn: sqlite3.Connection) -> str:
        """Why a schema-1 file is not an old database but one whose seals were removed
        ('' when it may be old): it carries the mark schema 2 sets, or this workstation
        sealed it before."""
        if conn.execute("PRAGMA user_version").fetchone()[0] != 1:
            return ""
        if conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID:
            return "it says schema 1 but carries the mark of schema 2: its seals were removed"
        if str(self.path.resolve()) in sealed_databases():
            return ("this workstation sealed it before, and it now says schema 1 without "
                    "seals: its seals were removed")
        return ""

    def _migrate(self, conn: sqlite3.Connection) -> None:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        why = self._downgraded(conn)
        if why:  # sealing it now would make whatever was changed look sealed
            raise StoreError(f"Refused {self.path}: {why}. Nothing was changed; restore the "
                             "last backup, or read it as it is (verify, export)")
        for target in range(version, SCHEMA_VERSION):
            conn.execute("BEGIN IMMEDIATE")
            try:
                for statement in MIGRATIONS[target]:
                    conn.execute(statement)
                if target == 1:
                    self._seal_existing(conn)
                conn.execute(f"PRAGMA user_version = {target + 1}")
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            log.info("migrated a database to schema %d", target + 1)

    def _seal_existing(self, conn: sqlite3.Connection) -> None:
        """Register the sessions of an older database as they are now (their events
        were written before seals existed: their chains remain the only check)."""
        for sid, in conn.execute("SELECT session_id FROM events WHERE seq = 1 ORDER BY id"
                                 ).fetchall():
            seq, head = sql_reads.head(conn, _STYLE, sid)
            self._register(conn, sid, seq, head)

    def _check_schema(self) -> int:
        try:
            version, why = self._ours(self._conn)
        except sqlite3.Error as exc:
            raise StoreError(f"Cannot read {self.path}: {_describe(exc)}") from exc
        if why is None and version == 0:
            why = "it is not a ketamine-monitor database (no schema)"
        if why:
            raise StoreError(f"Cannot use {self.path}: {why}")
        return int(version)

    def close(self) -> None:
        with suppress(sqlite3.Error, AttributeError):
            self._conn.close()
        if self._file is not None:  # after SQLite's own descriptors: its locks stay
            self._file.close()
        self._release_lock()

    def __enter__(self) -> Store:
        return self

    # -- ownership (see monitor.log.eventlog) ------------------------------------
    @property
    def location(self) -> str:
        return str(self.path)

    @property
    def writer(self) -> str:
        """This process, while it holds the file's writer lock ('' when read-only)."""
        return "" if self.readonly else f"{socket.gethostname()} (pid {os.getpid()})"

    def owner(self, session_id: str) -> str:
        """One process writes a SQLite file at a time (the lock), so the writer owns
        every session in it; a read-only reader evaluates no rules."""
        return self.writer

    def claim(self, session_id: str) -> None:
        if self.readonly:
            raise StoreError(f"{self.path} is open read-only: it cannot own session "
                             f"{session_id}")

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing -------------------------------------------------------------
    def head(self, session_id: str) -> tuple[int, str]:
        """The session's last (seq, hash) as stored, (0, GENESIS) when it has no events.
        Read inside the caller's transaction when there is one (so the next seq and hash
        come from the file, never from a cache), and that transaction names a failure."""
        with self._mutex:
            return sql_reads.head(self._conn, _STYLE, session_id)

    def _require_key(self) -> bytes:
        if self.key is None:
            raise StoreError("No record key on this workstation; cannot seal new entries")
        return self.key

    @contextmanager
    def transaction(self, failure: str = "Not saved") -> Iterator[None]:
        """Everything appended inside is committed together, or none of it is."""
        if self.readonly:
            raise StoreError(f"{self.path} is open read-only")
        with self._mutex:
            self._still_recording()
            try:
                self._conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise StoreError(f"{failure}: {_describe(exc)} ({self.path})") from exc
            verified = dict(self._verified)
            try:
                yield
                self._commit()
            except BaseException as exc:
                with suppress(sqlite3.Error):
                    self._conn.execute("ROLLBACK")
                self._verified = verified
                if isinstance(exc, sqlite3.Error):
                    raise StoreError(f"{failure}: {_describe(exc)} ({self.path})") from exc
                raise

    def _still_recording(self) -> None:
        if self._stopped:
            raise StoreError(self._stopped)

    def _commit(self) -> None:
        """COMMIT, only while the path still names the file this writer opened (a
        commit into a moved or deleted file would be saved where nobody looks)."""
        problem = self._file.problem() if self._file is not None else ""
        if problem:
            self._conn.execute("ROLLBACK")
            assert self._file is not None
            self._stopped = rescue(self._conn, self._file, problem)
            log.error("the database file was %s while recording; recording stopped", problem)
            raise StoreError(self._stopped)
        self._conn.execute("COMMIT")

    def append_many(self, session_id: str, items: Iterable[Item], *,
                    recorded_at: datetime) -> list[Event]:
        """Append several events in one transaction (all or none); inside
        ``transaction()`` they join it. Seq and hash are assigned inside it."""
        if self.readonly:
            raise StoreError(f"{self.path} is open read-only")
        todo = list(items)
        if not todo:
            return []
        with self._mutex, self.transaction() if not self._conn.in_transaction \
                else nullcontext():
            built = chain_events(session_id, self.head(session_id), todo, recorded_at)
            self._insert(built, "Not saved")
        return built

    def add_chained(self, events: list[Event], failure: str = "Not saved") -> None:
        """Add events of one session chained elsewhere, exactly as they are (same seq and
        hashes; the clinic log's spool takes the server's events so): they must continue
        the session's stored head, each hash covering its event (nothing is sealed here
        that its chain does not prove). In the caller's ``transaction()`` or one of
        their own."""
        if self.readonly:
            raise StoreError(f"{self.path} is open read-only")
        if not events:
            return
        sid = events[0].session_id
        if any(e.session_id != sid for e in events):
            raise StoreError(f"{failure}: events of more than one session given at once; "
                             f"nothing was written to {self.path}")
        with self._mutex:
            gap = sql_reads.chain_gap(self.head(sid), events, contents=True)
            if gap:
                raise StoreError(f"{failure}: session {sid} in {self.path}: {gap}; nothing "
                                 "was written")
            self._insert(events, failure)

    def _insert(self, events: list[Event], failure: str) -> None:
        """Insert events with their seals and move the sealed head: in one transaction
        (all or none), or as part of the caller's ``transaction()``."""
        key = self._require_key()
        sid = events[0].session_id
        rows = [(e.session_id, e.seq, str(e.kind), to_iso(e.observed_at),
                 to_iso(e.recorded_at), e.author, e.source, canonical(e.payload),
                 e.prev_hash, e.hash, event_mac(key, e.hash)) for e in events]
        own = not self._conn.in_transaction
        try:
            if own:
                self._still_recording()
                self._conn.execute("BEGIN IMMEDIATE")
            self._conn.executemany(
                f"INSERT INTO events ({COLUMNS}, mac) VALUES (?,?,?,?,?,?,?,?,?,?,?)", rows)
            self._register(self._conn, sid, events[-1].seq, events[-1].hash)
            if own:
                self._commit()
        except (sqlite3.Error, StoreError) as exc:
            if own:
                with suppress(sqlite3.Error):
                    self._conn.execute("ROLLBACK")
            if isinstance(exc, StoreError):
                raise
            raise StoreError(f"{failure}: {_describe(exc)} ({self.path})") from exc
        cached = self._verified.get(sid)
        if cached is not None and cached[1] == events[0].prev_hash:
            self._verified[sid] = (events[-1].seq, events[-1].hash)  # we hashed these

    def _register(self, conn: sqlite3.Connection, sid: str, seq: int, head: str) -> None:
        """Seal the session's head; a new session also joins the sealed session list."""
        key = self._require_key()
        row = conn.execute("SELECT key_id FROM registry WHERE session_id = ?",
                           (sid,)).fetchone()
        seal = head_mac(key, sid, seq, head)
        if row is not None:
            if row[0] != self.key_id:
                raise StoreError(
                    f"Not saved: session {sid} was sealed with another record key (key "
                    f"{row[0]}); copy that workstation's key file to continue it here "
                    "(reading and exporting work without it)")
            conn.execute("UPDATE registry SET seq = ?, head = ?, mac = ? WHERE session_id = ?",
                         (seq, head, seal, sid))
            return
        ordinal = conn.execute("SELECT coalesce(max(ordinal), 0) + 1 FROM registry").fetchone()[0]
        conn.execute("INSERT INTO registry VALUES (?,?,?,?,?,?)",
                     (sid, ordinal, self.key_id, seq, head, seal))
        sids = [r[0] for r in conn.execute(
            "SELECT session_id FROM registry WHERE key_id = ? ORDER BY ordinal", (self.key_id,))]
        conn.execute("INSERT OR REPLACE INTO seals VALUES (?,?,?)",
                     (self.key_id, len(sids), list_mac(key, sids)))

    def import_events(self, events: list[Event]) -> None:
        """Insert a verified session, with its original hashes, in one transaction."""
        with self._mutex:
            sid = self._read(sql_reads.check_import, events, self.location,
                             registered=self._registered)
            with self.transaction("Not imported"):
                self._insert(events, "Not imported")
                self._recheck(sid, events[-1])

    def _recheck(self, sid: str, last: Event) -> None:
        """The rows as stored must verify as ``verify`` will check them (same checker):
        otherwise the transaction is rolled back."""
        checker = RawChecker()
        rows = self._conn.execute(
            f"SELECT {COLUMNS} FROM events WHERE session_id = ? ORDER BY seq", (sid,)
        ).fetchall()
        broken = checker.feed(rows)
        if broken is None and (checker.seq, checker.prev) != (last.seq, last.hash):
            broken = (checker.seq, "", "does not end where the file ends")
        if broken:
            raise ChainError(f"Not imported: event {sid}-{broken[0]} ({broken[1]}) as stored "
                             f"{broken[2]}; nothing was imported")

    def _registered(self, sid: str) -> bool:
        if self.schema < 2:
            return False
        return bool(next(self._rows("SELECT count(*) FROM registry WHERE session_id = ?",
                                    (sid,)))[0] > 0)

    # -- reading -------------------------------------------------------------
    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        """The connection, this thread's alone; an error of the file said as one."""
        try:
            with self._mutex:
                yield self._conn
        except sqlite3.Error as exc:
            raise StoreError(f"Cannot read {self.path}: {_describe(exc)}") from exc

    def _rows(self, sql: str, args: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
        with self._reading() as conn:
            rows = conn.execute(sql, args).fetchall()
        yield from rows

    def _read(self, read: Callable[Concatenate[sql_reads.Connection, str, P], T],
              *args: P.args, **kwargs: P.kwargs) -> T:
        """One of the reads both backends share (``monitor.log.sql_reads``), here."""
        with self._reading() as conn:
            return read(conn, _STYLE, *args, **kwargs)

    def events(self, session_id: str, *, checker: RawChecker | None = None) -> list[Event]:
        """All events of a session in order. Read in chunks, each chunk's payloads parsed
        in one C-level call, repeated strings shared: a day of 1 Hz samples stays light.
        With ``checker``, the same rows are checked against their hashes as they pass."""
        kinds = {k.value: k for k in EventKind}
        iso = datetime.fromisoformat  # times here were written by to_iso, always with offset
        shared: dict[str, str] = {}
        out: list[Event] = []
        prev_hash = GENESIS
        try:
            with self._mutex, bulk():
                cursor = self._conn.execute(
                    f"SELECT {COLUMNS} FROM events WHERE session_id = ? ORDER BY seq",
                    (session_id,))
                while rows := cursor.fetchmany(20_000):
                    if checker is not None:
                        checker.feed(rows)
                    payloads = json.loads("[" + ",".join(r[7] for r in rows) + "]")
                    for r, p in zip(rows, payloads, strict=True):
                        sid = shared.setdefault(r[0], r[0])
                        author = shared.setdefault(r[5], r[5])
                        source = shared.setdefault(r[6], r[6])
                        prev = prev_hash if r[8] == prev_hash else r[8]
                        out.append(Event(sid, r[1], kinds[r[2]], p, author, iso(r[3]),
                                         iso(r[4]), source, prev, r[9]))
                        prev_hash = r[9]
        except sqlite3.Error as exc:
            raise StoreError(f"Cannot read {self.path}: {_describe(exc)}") from exc
        except (ValueError, KeyError, TypeError) as exc:
            raise ChainError(f"Cannot read session {session_id} in {self.path}: an event is "
                             f"unreadable ({exc}); run `ketamine-monitor verify`") from exc
        return out

    def salvage(self) -> Salvage:
        """What can be read of a damaged file, session by session (``salvage``)."""
        with self._mutex:
            return salvage(self._conn)

    def kind_counts(self, session_id: str) -> dict[str, int]:
        """How many events of each kind a session has (for listings, without a fold)."""
        return self._read(sql_reads.kind_counts, session_id)

    def session_ids(self) -> list[str]:
        return self._read(sql_reads.session_ids)

    def held_session_ids(self) -> list[str]:
        """Every session with events in the file, opened here or not (a spool's)."""
        return self._read(sql_reads.held_session_ids)

    def summaries(self) -> list[SessionSummary]:
        return self._read(sql_reads.summaries)

    def find_session(self, prefix: str) -> str:
        """Resolve a full id (which always wins) or an unambiguous leading part of one."""
        return sql_reads.pick_session(self.session_ids(), prefix, self.location)

    # -- checking ------------------------------------------------------------
    def trigger_problems(self) -> list[str]:
        """Each append-only trigger must be there and say what ours says: one of the
        same name that does nothing is found by its definition."""
        stored = dict(self._rows("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"))
        out = []
        for name, sql in TRIGGER_SQL.items():
            if name not in stored:
                out.append(f"append-only trigger {name} is missing")
            elif not _same_sql(str(stored[name]), sql):
                out.append(f"append-only trigger {name} was replaced by one with another "
                           "definition (it no longer refuses changes)")
        return out

    def check_session(self, session_id: str, *, full: bool = False) -> Verdict:
        """Check one session: its chain, its sealed head and registry entry, the
        append-only triggers; with ``full``, every event's seal too (to name the
        first one changed). Cached by head within this process: a session already
        checked, and only appended to by this store since, is not read again."""
        with self.snapshot():
            seq, head = self._read(sql_reads.head, session_id)
            cached = not full and self._verified.get(session_id) == (seq, head)
            chain = [] if cached else self._check_chain(session_id, full)
            return self._verdict(session_id, seq, head, chain)

    def read_checked(self, session_id: str) -> tuple[list[Event], Verdict]:
        """The session's events and its verdict, from one pass over the rows (what an
        export needs: reading the file once)."""
        with self.snapshot():
            checker = RawChecker()
            events = self.events(session_id, checker=checker)
            chain = [f"Event {session_id}-{checker.broken[0]} ({checker.broken[1]}) "
                     f"{checker.broken[2]}"] if checker.broken else []
            seq, head = (events[-1].seq, events[-1].hash) if events else (0, GENESIS)
            return events, self._verdict(session_id, seq, head, chain)

    def _verdict(self, session_id: str, seq: int, head: str, chain: list[str]) -> Verdict:
        problems = self.trigger_problems()
        problems += chain
        unchecked: list[str] = []
        problems += self._check_registry(session_id, seq, head, unchecked)
        if self.schema >= 2:  # a deleted session is the whole record's problem
            problems += self._check_session_list()
        if not problems:
            self._verified[session_id] = (seq, head)
        return Verdict(session_id, seq, head, tuple(problems), unchecked=tuple(unchecked))

    def _check_chain(self, session_id: str, full: bool) -> list[str]:
        checker = RawChecker()
        key = self.key if full and self.schema >= 2 else None
        macs = ", mac" if key is not None else ""
        try:
            cursor = self._conn.execute(
                f"SELECT {COLUMNS}{macs} FROM events WHERE session_id = ? ORDER BY seq",
                (session_id,))
            while rows := cursor.fetchmany(2_000):  # small chunks: little memory at a time
                broken = checker.feed(rows)
                if broken:
                    return [f"Event {session_id}-{broken[0]} ({broken[1]}) {broken[2]}"]
                if key is not None and self._sealed_with_key(session_id):
                    for r in rows:
                        if r[10] and not same(r[10], event_mac(key, r[9])):
                            return [f"Event {session_id}-{r[1]} ({r[2]}) does not carry a "
                                    "valid seal (changed without the record key)"]
        except sqlite3.Error as exc:
            raise StoreError(f"Cannot read {self.path}: {_describe(exc)}") from exc
        return []

    def _sealed_with_key(self, session_id: str) -> bool:
        row = next(self._rows("SELECT key_id FROM registry WHERE session_id = ?",
                              (session_id,)), None)
        return row is not None and row[0] == self.key_id

    def _check_registry(self, session_id: str, seq: int, head: str,
                        unchecked: list[str]) -> list[str]:
        if self.schema < 2:
            why = self._downgraded(self._conn)
            if why:
                return [f"session {session_id}: {why}"]
            unchecked.append("seals not checked: made by an older version without seals "
                             "(chain checked)")
            return []
        row = next(self._rows("SELECT key_id, seq, head, mac FROM registry WHERE session_id = ?",
                              (session_id,)), None)
        if row is None:
            return [f"session {session_id} is not in the session registry "
                    "(added outside ketamine-monitor)"]
        kid, reg_seq, reg_head, seal = row
        problems = []
        if (reg_seq, reg_head) != (seq, head):
            problems.append(f"session {session_id} ends at event {seq} but was sealed at "
                            f"event {reg_seq} (events removed or added outside "
                            "ketamine-monitor)")
        if self.key_problem:
            unchecked.append(f"seals not checked: {self.key_problem}")
        elif self.key is None or kid != self.key_id:
            unchecked.append(
                f"seals not checked: sealed with record key {kid}, which is not on this "
                "workstation " + ("(this workstation sealed with it before: its key file was "
                                  "deleted or replaced; restore it)" if kid in used_key_ids()
                                  else "(copy its key file to check them)"))
        elif not same(seal, head_mac(self.key, session_id, reg_seq, reg_head)):
            problems.append(f"session {session_id}: the sealed head does not match its seal "
                            "(changed without the record key)")
        return problems

    def verify(self) -> tuple[int, int]:
        """Integrity check, triggers, the session registry and every session's chain and
        seals; returns (sessions, events) or raises ChainError naming what failed. What
        could not be checked is left in ``verify_unchecked`` (then nothing is verified)."""
        result = next(self._rows("PRAGMA integrity_check"))[0]
        if result != "ok":
            raise ChainError(f"SQLite integrity check failed: {result}")
        problems: list[str] = []
        notes: list[str] = []
        unchecked: list[str] = []
        sids = self.held_session_ids()
        total = 0
        for sid in sids:
            verdict = self.check_session(sid, full=True)
            problems += [p for p in verdict.problems if p not in problems]
            notes += [n for n in verdict.notes if n not in notes]
            unchecked += [n for n in verdict.unchecked if n not in unchecked]
            total += verdict.events
        if self.schema >= 2 and not sids:
            problems += self._check_session_list()
        self.verify_notes, self.verify_unchecked = notes, unchecked
        if problems:
            raise ChainError("; ".join(problems))
        return len(sids), total

    def _check_session_list(self) -> list[str]:
        problems = [f"session {sid} is in the registry but its events are gone (deleted)"
                    for sid, in self._rows(
                        "SELECT session_id FROM registry r WHERE NOT EXISTS (SELECT 1 FROM "
                        "events e WHERE e.session_id = r.session_id) ORDER BY ordinal")]
        ordinals = [r[0] for r in self._rows("SELECT ordinal FROM registry ORDER BY ordinal")]
        if ordinals != list(range(1, len(ordinals) + 1)):
            problems.append("a session was removed from the session registry")
        if self.key is None:
            return problems
        seal = next(self._rows("SELECT sessions, mac FROM seals WHERE key_id = ?",
                               (self.key_id,)), None)
        sids = [r[0] for r in self._rows(
            "SELECT session_id FROM registry WHERE key_id = ? ORDER BY ordinal", (self.key_id,))]
        if seal is None and sids:
            problems.append("the sealed session list is missing")
        elif seal is not None and not same(seal[1], list_mac(self.key, sids)):
            problems.append(f"the sealed session list held {seal[0]} sessions; it now holds "
                            f"{len(sids)} (a session was deleted or added)")
        return problems

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Reads inside see one state of the file, whatever a writer does meanwhile."""
        with self._mutex:
            if self._conn.in_transaction:
                yield
                return
            self._conn.execute("BEGIN")
            try:
                yield
            finally:
                with suppress(sqlite3.Error):
                    self._conn.execute("COMMIT")

    @contextmanager
    def raw(self) -> Iterator[sqlite3.Connection]:
        """The underlying connection, for maintenance tools and tests only."""
        yield self._conn


def open_sqlite(target: str | os.PathLike[str], *, readonly: bool = False,
                **options: Any) -> Store:
    """The SQLite backend of ``monitor.log.eventlog.open_log`` (a path or sqlite:///path)."""
    path = sqlite_path(target)
    assert path is not None, "open_log sends only sqlite targets here"
    return Store(path, readonly=readonly, **options)


register_backend("sqlite", open_sqlite)

__all__ = ["SCHEMA_VERSION", "SessionSummary", "Store", "Verdict", "chain_hash"]
