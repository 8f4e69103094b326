"""Logging, configured once by the entry point: a rotating file per user.

The log is private (0600 in a 0700 folder) and holds no identifiers: no file
paths (a file name may carry a patient's name), no message shown to the user
(it may quote one), no exception message; only what happened and where."""

from __future__ import annotations

import io
import logging
import logging.handlers
import os
import platform
import traceback
from pathlib import Path
from types import TracebackType

from monitor import __version__
from monitor.paths import Target, default_db, log_dir
from monitor.portable import make_private

_ExcInfo = (tuple[type[BaseException], BaseException, TracebackType | None]
            | tuple[None, None, None])

_configured = False


def configure(level: int = logging.INFO) -> Path | None:
    """Log to ``<user log dir>/ketamine-monitor.log`` (5 × 1 MB); None if unwritable."""
    global _configured
    if _configured:
        return log_dir() / "ketamine-monitor.log"
    path = log_dir() / "ketamine-monitor.log"
    root = logging.getLogger()
    root.setLevel(level)
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(path.parent, 0o700)
        handler: logging.Handler = PrivateRotatingHandler(
            path, maxBytes=1_000_000, backupCount=5, encoding="utf-8")
    except OSError:
        handler = logging.NullHandler()
        path = None  # type: ignore[assignment]
    handler.setFormatter(PrivateFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    _configured = True
    return path


class PrivateRotatingHandler(logging.handlers.RotatingFileHandler):
    """Every log file (the current one and each rotated one) is created 0600."""

    def _open(self) -> io.TextIOWrapper:
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        make_private(fd)
        return os.fdopen(fd, "a", encoding=self.encoding, errors=self.errors)


class PrivateFormatter(logging.Formatter):
    """Tracebacks keep where an error happened and its type, not its message (which
    may quote a value, a name or a file path)."""

    def formatException(self, ei: _ExcInfo) -> str:
        kind, _exc, tb = ei
        return "Traceback (most recent call last):\n" + "".join(traceback.format_tb(tb)) + (
            f"{kind.__name__ if kind else 'Exception'} (message not logged)")


def where(db: Target) -> str:
    """The database as the log names it: which kind of place, never its path or URL."""
    if isinstance(db, str):
        return "on a server given by --db or the environment"
    return "in the default place" if db == default_db() else "given by --db or the environment"


def startup_line(db: Target, extra: str = "") -> str:
    return (f"ketamine-monitor {__version__} starting; Python {platform.python_version()}"
            f"{extra}; database {where(db)}")
