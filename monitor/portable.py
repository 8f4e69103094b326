"""The few calls that differ between POSIX and Windows, behind one seam.

Everything else in the core uses pathlib, ``os`` calls that exist everywhere and
platformdirs. Nothing here is imported at module level from a POSIX-only module:
the core imports on Windows, where ``fcntl`` does not exist.
"""

from __future__ import annotations

import os
import sys
from types import ModuleType

WINDOWS = sys.platform == "win32"
#: Refuse to follow a symbolic link when opening (POSIX); Windows has no such flag.
NOFOLLOW: int = getattr(os, "O_NOFOLLOW", 0)
#: Windows opens files in text mode unless told otherwise.
BINARY: int = getattr(os, "O_BINARY", 0)


def _module(name: str) -> ModuleType | None:
    try:
        return __import__(name)
    except ImportError:
        return None


def try_lock(fd: int) -> bool:
    """Take an exclusive, non-blocking lock on an open file; False if another process
    holds it. The operating system releases it when the process ends."""
    fcntl = _module("fcntl")
    if fcntl is not None:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False
        return True
    msvcrt = _module("msvcrt")
    if msvcrt is not None:  # Windows: lock the first byte (past the end is allowed)
        os.lseek(fd, 0, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    raise OSError("this platform offers no file locking (neither fcntl nor msvcrt)")


def unlock(fd: int) -> None:
    fcntl = _module("fcntl")
    if fcntl is not None:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return
    msvcrt = _module("msvcrt")
    if msvcrt is not None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)


def rewrite(fd: int, data: bytes) -> None:
    """Replace the whole content of a small open file."""
    os.ftruncate(fd, 0)
    os.lseek(fd, 0, os.SEEK_SET)
    os.write(fd, data)


def others_can_read(mode: int) -> bool:
    """Whether permission bits let other users read a file. Windows has no such bits
    (access is by ACL, the user profile is private), so nothing is refused there."""
    return not WINDOWS and bool(mode & 0o077)


def process_alive(pid: int) -> bool:
    """Whether a process exists. On Windows ``os.kill`` would end it, so there every
    process counts as alive (nothing of another process is ever removed)."""
    if WINDOWS:
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True


def make_private(fd: int) -> None:
    """Owner-only permissions on an open file (POSIX); on Windows the user profile's
    ACL already keeps it private and there is no ``os.fchmod``."""
    fchmod = getattr(os, "fchmod", None)
    if fchmod is not None and not WINDOWS:
        fchmod(fd, 0o600)
