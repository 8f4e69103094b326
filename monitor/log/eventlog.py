"""The event log as the rest of the program sees it: a small protocol and an opener.

Everything outside a backend (recorder, command line, exports, simulator, the
window) talks to an :class:`EventLog`, never to a file or a connection. A log
is opened from a target: a bare path or ``sqlite:///path`` gives the embedded
SQLite backend (:class:`monitor.log.sqlite.store.Store`); another scheme (for example
``postgresql://…``) goes to the backend registered for it in :data:`BACKENDS`.

Rules every backend keeps:

- ``append``/``append_many`` assign each event's ``seq`` and ``hash`` inside the
  backend's own transaction, from the head stored in the log (not from a value
  a caller computed), so two writers can never hand out the same number.
- ``transaction()`` makes everything appended inside it one commit, or nothing.
- One writer owns each session and only the owner evaluates the session's rules
  (alarm decisions are appended by exactly one process). ``writer`` names this
  log object's writer, ``owner(session_id)`` names the session's owner; both are
  plain strings a window or board can show.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol, runtime_checkable
from urllib.parse import unquote, urlsplit

from monitor.errors import StoreError
from monitor.model.events import Event, EventKind, RawChecker

NOT_VERIFIED = "NOT VERIFIED"
# One item of ``append_many``: (kind, payload, author, observed_at, source).
Item = tuple[EventKind, dict[str, Any], str, datetime, str]


@dataclass(frozen=True)
class SessionSummary:
    session_id: str
    patient_id: str
    opened_at: datetime
    entries: int
    protocol: str
    dose_mode: str = ""  # from the protocol copy the session recorded (if any)


@dataclass(frozen=True)
class Verdict:
    """What checking one session found. ``problems`` mean tampering or damage;
    ``unchecked`` says what could not be checked (the seals, when the key is on
    another workstation): such a record is NOT VERIFIED, never "verified";
    ``notes`` are remarks that take nothing away."""

    session_id: str
    events: int
    head: str
    problems: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    unchecked: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """Nothing wrong was found (an unchecked record may still be exported, marked)."""
        return not self.problems

    @property
    def verified(self) -> bool:
        return not self.problems and not self.unchecked

    def text(self) -> str:
        if self.problems:
            return "RECORD FAILED VERIFICATION: " + "; ".join(self.problems)
        if self.unchecked:
            return "; ".join((f"{NOT_VERIFIED}: {self.unchecked[0]}", *self.unchecked[1:],
                              *self.notes))
        return "; ".join(("record verified", *self.notes))


class AppendsOne:
    """``append`` in terms of ``append_many``, shared by the backends."""

    def append_many(self, session_id: str, items: Iterable[Item], *,
                    recorded_at: datetime) -> list[Event]:
        raise NotImplementedError

    def append(self, session_id: str, kind: EventKind, payload: dict[str, Any], *,
               author: str, observed_at: datetime, recorded_at: datetime,
               source: str = "manual") -> Event:
        """One event: ``append_many`` of one, committed before it returns."""
        return self.append_many(session_id, [(kind, payload, author, observed_at, source)],
                                recorded_at=recorded_at)[0]


@runtime_checkable
class EventLog(Protocol):
    """The append-only, hash-chained record of every session."""

    readonly: bool
    #: Remarks of the last ``verify``.
    verify_notes: list[str]
    #: What the last ``verify`` could not check (seals of a key not here): not verified.
    verify_unchecked: list[str]

    @property
    def location(self) -> str:
        """Where the log lives, for messages (a file path or a URL without password)."""
        ...

    # -- writing -------------------------------------------------------------
    def append(self, session_id: str, kind: EventKind, payload: dict[str, Any], *,
               author: str, observed_at: datetime, recorded_at: datetime,
               source: str = "manual") -> Event:
        """Append one event and commit it (or join the open ``transaction``); the
        backend assigns seq and hash. Returns once it is durable."""
        ...

    def append_many(self, session_id: str, items: Iterable[Item], *,
                    recorded_at: datetime) -> list[Event]:
        """Append several events of one session, all or none, seq and hash assigned
        by the backend inside its transaction."""
        ...

    def transaction(self, failure: str = "Not saved") -> AbstractContextManager[None]:
        """Everything appended inside is committed together, or none of it is;
        a failure raises StoreError starting with ``failure``."""
        ...

    def import_events(self, events: list[Event]) -> None:
        """Insert a whole verified session with its original seq and hashes."""
        ...

    # -- ownership -----------------------------------------------------------
    @property
    def writer(self) -> str:
        """The name this log object writes as ('' when read-only)."""
        ...

    def owner(self, session_id: str) -> str:
        """The writer that evaluates this session's rules ('' when nobody does)."""
        ...

    def claim(self, session_id: str) -> None:
        """Make this writer the session's owner (resuming it at this workstation)."""
        ...

    # -- reading -------------------------------------------------------------
    def events(self, session_id: str, *, checker: RawChecker | None = None) -> list[Event]:
        """All events of a session in seq order."""
        ...

    def read_checked(self, session_id: str) -> tuple[list[Event], Verdict]:
        """The session's events and its verdict, from one read."""
        ...

    def session_ids(self) -> list[str]:
        """Every session, in the order they were opened."""
        ...

    def summaries(self) -> list[SessionSummary]:
        ...

    def kind_counts(self, session_id: str) -> dict[str, int]:
        """How many events of each kind a session has (for listings, without a fold)."""
        ...

    def find_session(self, prefix: str) -> str:
        """A full session id, or an unambiguous leading part of one; else StoreError."""
        ...

    # -- checking ------------------------------------------------------------
    def check_session(self, session_id: str, *, full: bool = False) -> Verdict:
        ...

    def verify(self) -> tuple[int, int]:
        """Check the whole log; (sessions, events), or ChainError naming what failed."""
        ...

    # -- lifetime ------------------------------------------------------------
    def close(self) -> None:
        ...

    def __enter__(self) -> EventLog:
        ...

    def __exit__(self, *exc: object) -> None:
        ...


#: Opener of a log from its target (the path or URL as given), by URL scheme. A
#: backend module adds its scheme when it is imported ("sqlite": monitor.log.sqlite.store).
Opener = Callable[..., EventLog]
BACKENDS: dict[str, Opener] = {}
#: Modules that register a scheme, imported the first time that scheme is opened
#: (by name: this interface does not depend on any backend).
BACKEND_MODULES: dict[str, str] = {"sqlite": "monitor.log.sqlite.store",
                                   "postgresql": "monitor.log.postgres.log",
                                   "postgres": "monitor.log.postgres.log"}


def register_backend(scheme: str, opener: Opener) -> None:
    BACKENDS[scheme.lower()] = opener


def sqlite_path(target: str | os.PathLike[str]) -> Path | None:
    """The file of a bare path or a ``sqlite:///path`` URL; None for other schemes."""
    text = os.fspath(target)
    if "://" not in text:
        return Path(text).expanduser()
    parts = urlsplit(text)
    if parts.scheme.lower() != "sqlite":
        return None
    if parts.netloc or not parts.path:
        raise StoreError(f"Cannot open {text}: write a SQLite log as sqlite:///path/to/file.db "
                         "(three slashes, then the path)")
    path = unquote(parts.path)
    while path.startswith("//"):  # sqlite:////abs/path (four slashes) is the same file
        path = path[1:]
    if len(path) > 2 and path[0] == "/" and path[2] == ":":  # sqlite:///C:/records.db
        path = path[1:]
    return Path(path).expanduser()


def open_log(target: str | os.PathLike[str], *, readonly: bool = False,
             **options: Any) -> EventLog:
    """Open the event log at ``target``: a path, ``sqlite:///path``, or a URL whose
    scheme has a registered backend. ``options`` go to the backend (e.g. ``key``)."""
    text = os.fspath(target)
    scheme = urlsplit(text).scheme.lower() if "://" in text else "sqlite"
    if scheme not in BACKENDS and scheme in BACKEND_MODULES:

        try:
            importlib.import_module(BACKEND_MODULES[scheme])
        except ImportError as exc:
            raise StoreError(f"Cannot open a {scheme} log: its backend is not installed "
                             f"({exc})") from exc
    opener = BACKENDS.get(scheme)
    if opener is None:
        known = ", ".join(sorted({"sqlite", *BACKENDS}))
        raise StoreError(f"Cannot open {redact(text)}: unknown log scheme {scheme!r} "
                         f"(known: {known}; or give a file path)")
    return opener(text, readonly=readonly, **options)


def redact(url: str) -> str:
    """A URL fit for messages: any password replaced by ***."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return parts._replace(netloc=netloc).geturl()


__all__ = ["BACKENDS", "EventLog", "Item", "SessionSummary", "Verdict", "open_log",
           "register_backend", "sqlite_path"]
