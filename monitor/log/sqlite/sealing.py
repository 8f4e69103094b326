"""The workstation's record key and the keyed MACs (seals) made with it.

A hash chain alone proves only that the events agree with each other: whoever
can write the file can recompute every hash. Seals are HMAC-SHA256 values made
with a key that lives outside the database (a 0600 file in the user config
folder, created on first run), so a change made without the key is found.

A clinic can supply its own key: put 64 hexadecimal characters (32 random
bytes, e.g. ``openssl rand -hex 32``) in the key file, or point
``KETAMINE_MONITOR_KEY_FILE`` at a file holding them, mode 0600, on every
workstation that records into or checks the same databases.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import hmac
import os
import secrets
import stat
from pathlib import Path

from monitor.errors import StoreError
from monitor.paths import config_dir
from monitor.portable import NOFOLLOW, others_can_read

KEY_ENV = "KETAMINE_MONITOR_KEY_FILE"
KEY_NAME = "record.key"


def key_file() -> Path:
    env = os.environ.get(KEY_ENV)
    return Path(env).expanduser() if env else config_dir() / KEY_NAME


def _parse(text: str, path: Path) -> bytes:
    value = text.strip()
    if not value:
        raise StoreError(f"The record key {path} is empty (a first start was cut short, e.g. "
                         "by a full disk). If no session was sealed with it, delete it and "
                         "start again; otherwise restore it from its backup")
    try:
        key = bytes.fromhex(value)
    except ValueError:
        key = b""
    if len(key) < 32:
        raise StoreError(f"The record key {path} is not valid: it must hold at least 64 "
                         "hexadecimal characters (32 bytes), e.g. from `openssl rand -hex 32`")
    return key


def load_key(*, create: bool) -> bytes | None:
    """The key, or None when there is none (and ``create`` is false).

    Creating happens only at the default place (never at a path a clinic named):
    a missing clinic key is reported, so records are never sealed with a stray key."""
    path = key_file()
    try:
        fd = os.open(path, os.O_RDONLY | NOFOLLOW | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        return create_key() if create else None
    except OSError as exc:
        raise StoreError(f"Cannot read the record key {path}: {exc.strerror}") from exc
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise StoreError(f"The record key {path} is not a file (a directory or a special "
                         "file is there); move it away and put the key file there")
    with os.fdopen(fd, "r", encoding="ascii", errors="replace") as fh:
        mode = stat.S_IMODE(info.st_mode)
        if others_can_read(mode):
            raise StoreError(f"The record key {path} is readable by other users (mode "
                             f"{mode:o}); make it private with `chmod 600 {path}`")
        try:
            text = fh.read(200)
        except OSError as exc:
            raise StoreError(f"Cannot read the record key {path}: {exc.strerror}") from exc
        return _parse(text, path)


def create_key() -> bytes:
    """Make this workstation's key at the default place (never at a path a clinic
    named: a missing clinic key is reported, so records are never sealed with a
    stray key)."""
    path = key_file()
    if os.environ.get(KEY_ENV):
        raise StoreError(f"The record key file {path} (set by {KEY_ENV}) does not exist; "
                         "copy the clinic's key there, or unset the variable")
    return _create(path)


def _create(path: Path) -> bytes:
    """Written whole or not at all: a temporary file, synced, then linked into place
    (which fails if another process made the key first: that key is used)."""
    key = secrets.token_bytes(32)
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | NOFOLLOW, 0o600)
        try:
            os.write(fd, (key.hex() + "\n").encode("ascii"))
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            _link(temp, path)
        except FileExistsError:
            return load_key(create=False) or key  # another process created it first
        _sync_folder(path.parent)
    except OSError as exc:
        why = ("the disk is full" if exc.errno == errno.ENOSPC else exc.strerror)
        raise StoreError(f"Cannot create the record key {path}: {why}; nothing was "
                         "written (free space or fix the folder, then start again)") from exc
    finally:
        with contextlib.suppress(OSError):
            os.unlink(temp)
    return key


def _link(temp: Path, path: Path) -> None:
    """Put ``temp`` in place as ``path`` unless a file is there (FileExistsError). A
    file system without hard links (FAT, some network shares) gets a rename, which
    on Windows also refuses an existing target."""
    try:
        os.link(temp, path)
    except FileExistsError:
        raise
    except (OSError, NotImplementedError) as exc:
        if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
            raise
        if path.exists():
            raise FileExistsError(str(path)) from exc
        os.rename(temp, path)


def _sync_folder(folder: Path) -> None:
    """The new name on disk too (POSIX; Windows cannot open a folder this way)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def key_id(key: bytes) -> str:
    """A short public fingerprint of the key (stored with each session it seals)."""
    return hmac.new(key, b"ketamine-monitor record key", hashlib.sha256).hexdigest()[:16]


def mac(key: bytes, *parts: object) -> str:
    message = "\x1f".join(str(p) for p in parts).encode("utf-8")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def event_mac(key: bytes, event_hash: str) -> str:
    """The seal of one event: over its hash, which covers its content and the chain."""
    return hmac.digest(key, event_hash.encode("ascii"), "sha256").hex()


def head_mac(key: bytes, session_id: str, seq: int, head: str) -> str:
    return mac(key, "head", session_id, seq, head)


def list_mac(key: bytes, session_ids: list[str]) -> str:
    return mac(key, "sessions", len(session_ids), *session_ids)


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
