"""The database file under its name: what may be opened, and whether the name still
names the file we opened.

SQLite finds its ``-wal`` and ``-shm`` by the database's name. A file renamed or
deleted while a writer holds it keeps taking commits, into a ``-wal`` that the
renamed file never sees; a database created later under the old name would
throw that ``-wal`` away. So the writer checks, before every commit, that its
path still names the open file, and nobody creates a database next to a
``-wal`` without one.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
import sys
from dataclasses import dataclass
from pathlib import Path

from monitor.errors import StoreError

WAL_HEADER = 32
_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a named pipe (FIFO)"),
          (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"))


def refuse_special(path: Path) -> None:
    """Refuse anything at ``path`` that is not a regular file (a link is followed),
    before any lock is taken or anything opened: a FIFO would hang a reader and a
    device would get a lock file beside it."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return
    except OSError as exc:
        raise StoreError(f"Cannot open {path}: {exc.strerror}") from exc
    if stat.S_ISREG(mode):
        return
    what = next((name for test, name in _KINDS if test(mode)), "not a regular file")
    raise StoreError(f"Refused {path}: it is {what}, not a database file; give the path of "
                     "a database file (--db)")


def refuse_orphaned_wal(path: Path) -> None:
    """Never create a database where a ``-wal`` without its database lies: SQLite would
    discard the entries it holds."""
    wal = Path(f"{path}-wal")
    if not path.exists() and _holds_frames(wal):
        raise StoreError(
            f"Refused to create {path}: {wal} exists without its database, so the database "
            "was moved or deleted while entries were being recorded and that file holds "
            f"the newest of them. Nothing was created. Put the database back as {path} (its "
            "-wal is then read with it), or, if it is lost for good, move "
            f"{wal} and {path}-shm away (keep them) before starting a new database")


def _holds_frames(wal: Path) -> bool:
    """A -wal with at least one frame after its 32-byte header (an emptied one holds
    nothing and is left alone)."""
    try:
        return os.stat(wal).st_size > WAL_HEADER
    except FileNotFoundError:
        return False


@dataclass(frozen=True)
class Identity:
    device: int
    inode: int


class OpenFile:
    """The database as this writer opened it: one descriptor held for the store's
    life (closed only after SQLite's, so SQLite's locks stay) to ask whether the
    path still names it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
        info = os.fstat(self.fd)
        self.identity = Identity(info.st_dev, info.st_ino)

    def problem(self) -> str:
        """'' while the path names the open file; else what happened to it."""
        try:
            now = os.stat(self.path)
        except FileNotFoundError:
            return "deleted" if os.fstat(self.fd).st_nlink == 0 else "moved or renamed"
        except OSError as exc:
            return f"unreachable ({exc.strerror})"
        if Identity(now.st_dev, now.st_ino) != self.identity:
            return "replaced by another file"
        return ""

    def current_name(self) -> Path | None:
        """Where the open file is now, when the system can say (Linux: /proc)."""
        if not sys.platform.startswith("linux"):
            return None
        try:
            target = os.readlink(f"/proc/self/fd/{self.fd}")
        except OSError:
            return None
        if target.endswith(" (deleted)") or not target.startswith("/"):
            return None
        try:
            info = os.stat(target)
        except OSError:
            return None
        return Path(target) if Identity(info.st_dev, info.st_ino) == self.identity else None

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


def rescue(conn: sqlite3.Connection, file: OpenFile, problem: str) -> str:
    """Put every committed entry where it can be found again, and say where (the
    writer's open transaction has been rolled back).

    A moved file gets its ``-wal`` checkpointed into it (the ``-wal`` under the old
    name is not the moved file's); a deleted or replaced one is copied whole, as this
    connection sees it, next to the old name."""
    path = file.path
    head = f"the database {path} was {problem} while recording"
    where = file.current_name() if problem == "moved or renamed" else None
    if where is not None:
        try:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        except sqlite3.Error:
            pass  # a reader holds the WAL: the copy below keeps the entries anyway
        else:
            return (f"Not saved: {head} (it is now {where}); every entry saved before "
                    f"this one is in {where}. Recording has stopped: open {where} again "
                    f"(--db), or move it back to {path}, then re-enter this entry")
    try:
        copy = _free_name(path)
        target = sqlite3.connect(copy)
        try:
            conn.backup(target)
        finally:
            target.close()
        os.chmod(copy, 0o600)
        # Empty the -wal left under the old name: it must never be read as the -wal of
        # whatever file is put there (a replacement would show our entries, not its own).
        with contextlib.suppress(sqlite3.Error):
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    except (sqlite3.Error, OSError, StoreError) as exc:
        return (f"Not saved: {head}, and its entries could not be copied ({exc}). Keep "
                "this window open (the entries are still readable in it) and call for help")
    return (f"Not saved: {head}; every entry saved before this one was copied to {copy}. "
            f"Recording has stopped: open {copy} (--db), check it with `ketamine-monitor "
            "verify`, then re-enter this entry")


def _free_name(path: Path) -> Path:
    for n in range(1, 1000):
        candidate = path.with_name(f"{path.stem}-rescued-{n}{path.suffix or '.db'}")
        if not candidate.exists() and not Path(f"{candidate}-wal").exists():
            return candidate
    raise StoreError(f"No free name for a rescue copy of {path}")
