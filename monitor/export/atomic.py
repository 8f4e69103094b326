"""Write a file under a temporary name and rename it: never a half file.

Only a regular file is ever replaced (``--force`` never touches a device,
pipe, socket, folder or link). The temporary file is hidden, owner-only and
named with the writing process's id; one left behind by a killed export is
removed by the next export into the same folder."""

from __future__ import annotations

import os
import re
import secrets
import stat
from contextlib import suppress
from pathlib import Path

from monitor.errors import MonitorError
from monitor.portable import BINARY, NOFOLLOW, process_alive

TEMP_PREFIX = ".ketamine-export-"
_TEMP = re.compile(rf"^{re.escape(TEMP_PREFIX)}(\d+)-[0-9a-f]+\.part$")


class ExportError(MonitorError):
    """The export could not be written; nothing was left behind."""


class TargetExists(ExportError):
    """The destination is a file already there and overwriting was not asked for. The
    message is the command line's; a window names its own control (``path`` says which
    file)."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"{path} already exists; use --force to overwrite")
        self.path = Path(path)


def check_target(path: Path, *, force: bool = False) -> None:
    """Refuse a destination that cannot or must not be replaced, saying why."""
    path = Path(path)
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise ExportError(f"Cannot write {path}: {exc.strerror}") from exc
    mode = info.st_mode
    if stat.S_ISDIR(mode):
        raise ExportError(f"{path} is a folder; give a file name")
    if stat.S_ISLNK(mode):
        raise ExportError(f"{path} is a symbolic link; give the name of a regular file")
    if not stat.S_ISREG(mode):
        kind = ("a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
                else "a pipe" if stat.S_ISFIFO(mode) else "a socket or special file")
        raise ExportError(f"{path} is {kind}, not a regular file; exports are written "
                          "only to regular files")
    if not force:
        raise TargetExists(path)


def clean_stale(folder: Path) -> list[Path]:
    """Remove temporary files of exports whose process is gone (killed mid-write)."""
    removed = []
    with suppress(OSError):
        for entry in os.scandir(folder):
            m = _TEMP.match(entry.name)
            if m and entry.is_file(follow_symlinks=False) and not process_alive(int(m.group(1))):
                with suppress(OSError):
                    os.unlink(entry.path)
                    removed.append(Path(entry.path))
    return removed


def write_atomic(path: Path, data: bytes, *, force: bool = False) -> Path:
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    check_target(path, force=force)
    if not folder.is_dir():
        raise ExportError(f"Cannot write {path}: folder {folder} does not exist")
    clean_stale(folder)
    tmp = folder / f"{TEMP_PREFIX}{os.getpid()}-{secrets.token_hex(6)}.part"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | NOFOLLOW | BINARY, 0o600)
    except OSError as exc:
        raise ExportError(f"Cannot write in {folder}: {exc.strerror}") from exc
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        check_target(path, force=force)  # nothing appeared meanwhile that must not go
        os.replace(tmp, path)
    except (OSError, ExportError) as exc:
        tmp.unlink(missing_ok=True)
        if isinstance(exc, ExportError):
            raise
        raise ExportError(f"Cannot write {path}: {exc.strerror}") from exc
    return path
