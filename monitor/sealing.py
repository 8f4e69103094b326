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
        fd = os.open(path, os.O_RDONLY | NOFOLLOW)
    except FileNotFoundError:
        if not create:
            return None
        if os.environ.get(KEY_ENV):
            raise StoreError(f"The record key file {path} (set by {KEY_ENV}) does not exist; "
                             "copy the clinic's key there, or unset the variable") from None
        return _create(path)
    except OSError as exc:
        raise StoreError(f"Cannot read the record key {path}: {exc.strerror}") from exc
    with os.fdopen(fd, "r", encoding="ascii", errors="replace") as fh:
        mode = stat.S_IMODE(os.fstat(fh.fileno()).st_mode)
        if others_can_read(mode):
            raise StoreError(f"The record key {path} is readable by other users (mode "
                             f"{mode:o}); make it private with `chmod 600 {path}`")
        return _parse(fh.read(200), path)


def _create(path: Path) -> bytes:
    key = secrets.token_bytes(32)
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | NOFOLLOW, 0o600)
    except FileExistsError:
        return load_key(create=False) or key  # another process created it first
    except OSError as exc:
        raise StoreError(f"Cannot create the record key {path}: {exc.strerror}") from exc
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(key.hex() + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    return key


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
