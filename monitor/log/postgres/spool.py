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
from collections.abc import Callable
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


#: Beside the spool file, the chair and server it spools for ("km_chair_3@postgresql://…").
MARK_SUFFIX = ".chair"


def open_spool(path: Path, owner: str = "",
               on_server: Callable[[list[str]], set[str]] | None = None) -> Spool:
    """The spool at ``path``, opened for writing (its writer lock makes this process
    the chair's only writer on this computer), once it is shown to be ``owner``'s.

    A spool carries a mark beside it naming its chair and server. A file without one
    (a new spool, or one from before marks) is taken only when every session it holds
    is already on the server (``on_server`` says which are): a bedside database given
    as the spool, by ``KETAMINE_MONITOR_SPOOL`` or a symbolic link, is refused before
    anything of it is uploaded."""
    opened = open_log(path)
    if not isinstance(opened, Spool):  # a backend of the sqlite scheme without them
        opened.close()
        raise StoreError(f"Cannot spool into {path}: its log cannot list its sessions, give "
                         "a session's head or take events chained elsewhere")
    if owner:
        try:
            _claim(path, opened, owner, on_server)
        except BaseException:
            opened.close()
            raise
    return opened


def _claim(path: Path, spool: Spool, owner: str,
           on_server: Callable[[list[str]], set[str]] | None) -> None:
    mark = path.with_name(path.name + MARK_SUFFIX)
    if mark.is_file() and not mark.is_symlink():
        said = mark.read_text("utf-8").strip()
        if said != owner:
            raise StoreError(f"Cannot use {path} as this chair's spool: it is the spool of "
                             f"{said}, not of {owner}. Nothing was uploaded; give this chair "
                             f"its own spool ({SPOOL_ENV}) or remove that setting")
        return
    held = spool.held_session_ids()
    known = on_server(held) if held and on_server is not None else set()
    foreign = [sid for sid in held if sid not in known]
    if foreign:
        raise StoreError(f"Cannot use {path} as this chair's spool: it holds {len(foreign)} "
                         f"session(s) the clinic server does not have and no mark saying it "
                         f"is the spool of {owner} (is it a bedside database?). Nothing was "
                         f"uploaded; give this chair its own spool ({SPOOL_ENV}), or import "
                         "those sessions one by one with `ketamine-monitor import`")
    tmp = mark.with_name(mark.name + ".tmp")
    tmp.write_text(owner + "\n", "utf-8")
    os.chmod(tmp, 0o600)
    os.replace(tmp, mark)
