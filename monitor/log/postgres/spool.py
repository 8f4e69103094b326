"""A chair's local spool: where it records while the clinic server is away.

The spool is a SQLite event log (same chain, same hashes as the server's rows),
opened through ``monitor.log.eventlog.open_log`` by its scheme, so the clinic
backend never imports the SQLite one. The clinic log uses it only through
:class:`Spool`: the event-log interface, plus the three things an upload and a
hand-over need (the sessions it holds, a session's head, and adding events
chained on the server exactly as they are).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Protocol, runtime_checkable

from monitor.errors import StoreError
from monitor.log.eventlog import EventLog, open_log, redact
from monitor.model.events import Event
from monitor.paths import APP

SPOOL_ENV = "KETAMINE_MONITOR_SPOOL"


@runtime_checkable
class Spool(EventLog, Protocol):
    """What the clinic log needs of its spool."""

    def head(self, session_id: str) -> tuple[int, str]:
        """The session's last (seq, hash) in the spool; (0, GENESIS) when none."""
        ...

    def held_session_ids(self) -> list[str]:
        """Every session with events in the spool (opened there or on the server)."""
        ...

    def add_chained(self, events: list[Event], failure: str = "Not saved") -> None:
        """Add one session's events as they are (same seq and hashes), continuing the
        spool's head; in the caller's ``transaction()`` or one of their own."""
        ...


def default_spool(url: str, role: str) -> Path:
    """The spool file of this chair on this computer (``KETAMINE_MONITOR_SPOOL`` wins)."""
    env = os.environ.get(SPOOL_ENV)
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_path
    digest = hashlib.sha256(redact(url).encode()).hexdigest()[:12]
    folder = user_data_path(APP, appauthor=False) / "spool"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder / f"{role}-{digest}.db"


def open_spool(path: Path) -> Spool:
    """The spool at ``path``, opened for writing (its writer lock makes this process
    the chair's only writer on this computer)."""
    opened = open_log(path)
    if not isinstance(opened, Spool):  # a backend of the sqlite scheme without them
        opened.close()
        raise StoreError(f"Cannot spool into {path}: its log cannot list its sessions, give "
                         "a session's head or take events chained elsewhere")
    return opened
