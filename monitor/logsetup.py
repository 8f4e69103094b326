"""Logging, configured once by the entry point: a rotating file per user."""

from __future__ import annotations

import logging
import logging.handlers
import platform
from pathlib import Path

from monitor import __version__
from monitor.paths import log_dir

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
        path.parent.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=1_000_000, backupCount=5, encoding="utf-8")
    except OSError:
        handler = logging.NullHandler()
        path = None  # type: ignore[assignment]
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    _configured = True
    return path


def startup_line(db: Path, extra: str = "") -> str:
    return (f"ketamine-monitor {__version__} starting; Python {platform.python_version()}"
            f"{extra}; database {db}")
