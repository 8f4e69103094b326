"""SQLite event log: append, read, verify, migrate.

One file per clinic workstation. WAL with synchronous=FULL: an entry is on
disk before ``append`` returns. Triggers refuse UPDATE and DELETE of events.
Each session has its own SHA-256 chain, so a session can be exported and
imported into another database with its hashes intact.

One process writes at a time: a writer holds an advisory lock on
``<db>.lock`` (released by the kernel if the process dies). Readers (the
command line's ``sessions``, ``export`` and ``verify``) open read-only and
never block the writer.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from monitor.clock import from_iso, to_iso
from monitor.errors import ChainError, StoreError, StoreLockedError
from monitor.events import GENESIS, Event, EventKind, canonical, chain_hash, first_broken

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1

# Forward migrations: MIGRATIONS[i] upgrades user_version i to i + 1.
MIGRATIONS: list[list[str]] = [
    [
        """CREATE TABLE events (
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
            UNIQUE (session_id, seq))""",
        "CREATE INDEX events_kind ON events (kind, session_id)",
        """CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
        BEGIN SELECT RAISE(ABORT, 'events are append-only: corrections are new events'); END""",
        """CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
        BEGIN SELECT RAISE(ABORT, 'events are append-only: corrections are new events'); END""",
    ],
]

_COLUMNS = ("session_id, seq, kind, observed_at, recorded_at, author, source, payload, "
            "prev_hash, hash")


@dataclass(frozen=True)
class SessionSummary:
    session_id: str
    patient_id: str
    opened_at: datetime
    entries: int
    protocol: str


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


class Store:
    """The event log in one SQLite file."""

    def __init__(self, path: str | os.PathLike[str], *, readonly: bool = False) -> None:
        self.path = Path(path)
        self.readonly = readonly
        self._lock_fd: int | None = None
        self._heads: dict[str, tuple[int, str]] = {}
        if readonly:
            if not self.path.exists():
                raise StoreError(f"No database at {self.path}")
            self._conn = self._connect(f"file:{self.path}?mode=ro", uri=True)
        else:
            self._take_lock()
            try:
                self._conn = self._open_for_writing()
            except BaseException:
                self._release_lock()
                raise
        try:
            self._check_schema()
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

    def _take_lock(self) -> None:
        folder = self.path.parent
        if not folder.is_dir():
            raise StoreError(f"Cannot open {self.path}: folder {folder} does not exist")
        lock_path = Path(f"{self.path}.lock")
        try:
            fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise StoreError(
                f"Cannot open {self.path} for writing: {exc.strerror} ({lock_path})"
            ) from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            holder = os.read(fd, 32).decode(errors="replace").strip() or "unknown"
            os.close(fd)
            raise StoreLockedError(
                f"{self.path} is already open for writing by another process (pid {holder}); "
                "close the other window first, or open it read-only"
            ) from exc
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._lock_fd = fd

    def _release_lock(self) -> None:
        if self._lock_fd is not None:
            with suppress(OSError):
                fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
            os.close(self._lock_fd)
            self._lock_fd = None

    def _open_for_writing(self) -> sqlite3.Connection:
        new = not self.path.exists()
        if new:
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
                os.close(fd)
            except OSError as exc:
                raise StoreError(f"Cannot create {self.path}: {exc.strerror}") from exc
        elif not os.access(self.path, os.W_OK):
            raise StoreError(f"Cannot write to {self.path}: the file is read-only")
        conn = self._connect(str(self.path))
        try:
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if mode.lower() != "wal":
                raise StoreError(f"Cannot use {self.path}: write-ahead logging unavailable")
            conn.execute("PRAGMA synchronous = FULL")
            conn.execute("PRAGMA foreign_keys = ON")
            self._migrate(conn)
        except sqlite3.Error as exc:
            conn.close()
            raise StoreError(f"Cannot open {self.path}: {_describe(exc)}") from exc
        for suffix in ("-wal", "-shm"):
            with suppress(OSError):
                os.chmod(f"{self.path}{suffix}", 0o600)
        return conn

    def _migrate(self, conn: sqlite3.Connection) -> None:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path} was written by a newer version (schema {version}); "
                f"this version reads up to schema {SCHEMA_VERSION}"
            )
        for target in range(version, SCHEMA_VERSION):
            conn.execute("BEGIN IMMEDIATE")
            try:
                for statement in MIGRATIONS[target]:
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {target + 1}")
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            log.info("migrated %s to schema %d", self.path, target + 1)

    def _check_schema(self) -> None:
        try:
            version = self._conn.execute("PRAGMA user_version").fetchone()[0]
            tables = {r[0] for r in self._conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
        except sqlite3.Error as exc:
            raise StoreError(f"Cannot read {self.path}: {_describe(exc)}") from exc
        if version == 0 and self.readonly:
            raise StoreError(f"{self.path} is not a ketamine-monitor database (no schema)")
        if "events" not in tables:
            raise StoreError(f"{self.path} is not a ketamine-monitor database (no events table)")

    def close(self) -> None:
        with suppress(sqlite3.Error, AttributeError):
            self._conn.close()
        self._release_lock()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing -------------------------------------------------------------
    def _head(self, session_id: str) -> tuple[int, str]:
        head = self._heads.get(session_id)
        if head is None:
            row = self._conn.execute(
                "SELECT seq, hash FROM events WHERE session_id = ? ORDER BY seq DESC LIMIT 1",
                (session_id,)).fetchone()
            head = (row[0], row[1]) if row else (0, GENESIS)
        return head

    def append(self, session_id: str, kind: EventKind, payload: dict[str, Any], *,
               author: str, observed_at: datetime, recorded_at: datetime,
               source: str = "manual") -> Event:
        """Append one event and commit it; returns only once it is on disk."""
        return self.append_many(session_id, [(kind, payload, author, observed_at, source)],
                                recorded_at=recorded_at)[0]

    def append_many(self, session_id: str,
                    items: Iterable[tuple[EventKind, dict[str, Any], str, datetime, str]],
                    *, recorded_at: datetime) -> list[Event]:
        """Append several events in one transaction (all or none)."""
        if self.readonly:
            raise StoreError(f"{self.path} is open read-only")
        seq, prev = self._head(session_id)
        built: list[Event] = []
        for kind, payload, author, observed_at, source in items:
            seq += 1
            draft = Event(session_id, seq, EventKind(kind), payload, author, observed_at,
                          recorded_at, source, prev)
            ev = draft._replace(hash=draft.compute_hash())
            built.append(ev)
            prev = ev.hash
        if not built:
            return []
        self._insert(built, "Not saved")
        return built

    def _insert(self, events: list[Event], failure: str) -> None:
        """Insert events in one transaction (all or none) and move the chain head."""
        rows = [(e.session_id, e.seq, str(e.kind), to_iso(e.observed_at),
                 to_iso(e.recorded_at), e.author, e.source, canonical(e.payload),
                 e.prev_hash, e.hash) for e in events]
        try:
            self._conn.execute("BEGIN IMMEDIATE")
            self._conn.executemany(
                f"INSERT INTO events ({_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?)", rows)
            self._conn.execute("COMMIT")
        except sqlite3.Error as exc:
            with suppress(sqlite3.Error):
                self._conn.execute("ROLLBACK")
            raise StoreError(f"{failure}: {_describe(exc)} ({self.path})") from exc
        self._heads[events[-1].session_id] = (events[-1].seq, events[-1].hash)

    def import_events(self, events: list[Event]) -> None:
        """Insert a verified session, with its original hashes, in one transaction."""
        if not events:
            raise StoreError("Nothing to import: the file holds no events")
        broken = first_broken(events)
        if broken:
            ev, why = broken
            raise ChainError(f"Refused: event {ev.entry_id} {why}")
        sid = events[0].session_id
        if self._head(sid)[0] > 0:
            raise StoreError(f"Refused: session {sid} is already in {self.path}")
        self._insert(events, "Not imported")

    # -- reading -------------------------------------------------------------
    def _rows(self, sql: str, args: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
        try:
            yield from self._conn.execute(sql, args)
        except sqlite3.Error as exc:
            raise StoreError(f"Cannot read {self.path}: {_describe(exc)}") from exc

    def events(self, session_id: str) -> list[Event]:
        """All events of a session in order. Read in chunks, each chunk's payloads parsed
        in one C-level call, repeated strings shared: a day of 1 Hz samples stays light."""
        kinds = {k.value: k for k in EventKind}
        iso = datetime.fromisoformat  # times here were written by to_iso, always with offset
        shared: dict[str, str] = {}
        out: list[Event] = []
        prev_hash = GENESIS
        try:
            cursor = self._conn.execute(
                f"SELECT {_COLUMNS} FROM events WHERE session_id = ? ORDER BY seq",
                (session_id,))
            while rows := cursor.fetchmany(20_000):
                payloads = json.loads("[" + ",".join(r[7] for r in rows) + "]")
                for r, p in zip(rows, payloads, strict=True):
                    sid = shared.setdefault(r[0], r[0])
                    author = shared.setdefault(r[5], r[5])
                    source = shared.setdefault(r[6], r[6])
                    prev = prev_hash if r[8] == prev_hash else r[8]
                    out.append(Event(sid, r[1], kinds[r[2]], p, author, iso(r[3]), iso(r[4]),
                                     source, prev, r[9]))
                    prev_hash = r[9]
        except sqlite3.Error as exc:
            raise StoreError(f"Cannot read {self.path}: {_describe(exc)}") from exc
        return out

    def kind_counts(self, session_id: str) -> dict[str, int]:
        """How many events of each kind a session has (for listings, without a fold)."""
        return {k: n for k, n in self._rows(
            "SELECT kind, count(*) FROM events WHERE session_id = ? GROUP BY kind",
            (session_id,))}

    def session_ids(self) -> list[str]:
        return [r[0] for r in self._rows(
            "SELECT session_id FROM events WHERE kind = ? ORDER BY id",
            (str(EventKind.SESSION_OPENED),))]

    def summaries(self) -> list[SessionSummary]:
        out = []
        for sid, payload, observed in self._rows(
                "SELECT session_id, payload, observed_at FROM events WHERE kind = ? ORDER BY id",
                (str(EventKind.SESSION_OPENED),)):
            count = next(self._rows("SELECT count(*) FROM events WHERE session_id = ?",
                                    (sid,)))[0]
            data = json.loads(payload)
            out.append(SessionSummary(sid, data.get("patient_id", ""), from_iso(observed),
                                      count, data.get("protocol", "")))
        return out

    def find_session(self, prefix: str) -> str:
        """Resolve a full or unambiguous leading part of a session id."""
        matches = [s for s in self.session_ids() if s.startswith(prefix)]
        if not prefix or not matches:
            raise StoreError(f"No session {prefix!r} in {self.path}")
        if len(matches) > 1:
            raise StoreError(f"Session {prefix!r} is ambiguous: {', '.join(matches[:5])}")
        return matches[0]

    def verify(self) -> tuple[int, int]:
        """Integrity check plus every session's chain; returns (sessions, events)."""
        result = next(self._rows("PRAGMA integrity_check"))[0]
        if result != "ok":
            raise ChainError(f"SQLite integrity check failed: {result}")
        sids = [r[0] for r in self._rows("SELECT DISTINCT session_id FROM events")]
        total = 0
        for sid in sids:
            evs = self.events(sid)
            broken = first_broken(evs)
            if broken:
                ev, why = broken
                raise ChainError(f"Event {ev.entry_id} ({ev.kind}) {why}")
            total += len(evs)
        return len(sids), total

    @contextmanager
    def raw(self) -> Iterator[sqlite3.Connection]:
        """The underlying connection, for maintenance tools and tests only."""
        yield self._conn


__all__ = ["SCHEMA_VERSION", "SessionSummary", "Store", "chain_hash"]
