"""Write a file under a temporary name and rename it: never a half file."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from monitor.errors import MonitorError


class ExportError(MonitorError):
    """The export could not be written; nothing was left behind."""


def write_atomic(path: Path, data: bytes, *, force: bool = False) -> Path:
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise ExportError(f"{path} is a folder; give a file name")
    if not folder.is_dir():
        raise ExportError(f"Cannot write {path}: folder {folder} does not exist")
    if path.exists() and not force:
        raise ExportError(f"{path} already exists; use --force to overwrite")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=folder)
    except OSError as exc:
        raise ExportError(f"Cannot write in {folder}: {exc.strerror}") from exc
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise ExportError(f"Cannot write {path}: {exc.strerror}") from exc
    return path
