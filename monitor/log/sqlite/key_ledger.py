"""The record keys this workstation has sealed with, kept outside every database.

A database cannot vouch for the key that sealed it: whoever edits the file can
relabel its key ids. The workstation keeps its own list (the user data folder,
one key id per line; ids are public fingerprints, never keys), so a key file
that was deleted or replaced is named as such instead of a new key being made
in silence for a database sealed with the old one.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from platformdirs import user_data_path

from monitor.errors import StoreError
from monitor.log.sqlite.sealing import KEY_ENV, create_key, key_file, key_id
from monitor.paths import APP
from monitor.portable import NOFOLLOW

LEDGER_NAME = "record-key-ids"
DATABASES_NAME = "sealed-databases"
_ID = re.compile(r"^[0-9a-f]{16}$")


def ledger_file() -> Path:
    return user_data_path(APP, appauthor=False) / LEDGER_NAME


def used_key_ids() -> set[str]:
    """Key ids this workstation has sealed with (an unreadable list counts as empty:
    it only sharpens messages, it never blocks reading)."""
    try:
        text = ledger_file().read_text("ascii", errors="replace")
    except OSError:
        return set()
    return {line.strip() for line in text.splitlines() if _ID.match(line.strip())}


def remember(key_id: str) -> None:
    """Add a key id to the list (once). A list that cannot be written is not fatal."""
    if _ID.match(key_id) and key_id not in used_key_ids():
        _append(ledger_file(), key_id)


def sealed_databases_file() -> Path:
    return user_data_path(APP, appauthor=False) / DATABASES_NAME


def sealed_databases() -> set[str]:
    """The database files (real paths) this workstation has sealed: one of them found
    without seals later had them removed."""
    try:
        text = sealed_databases_file().read_text("utf-8", errors="replace")
    except OSError:
        return set()
    return {line for line in text.splitlines() if line}


def remember_database(path: Path) -> None:
    name = str(path.resolve())
    if "\n" not in name and name not in sealed_databases():
        _append(sealed_databases_file(), name)


def _append(path: Path, line: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | NOFOLLOW, 0o600)
        try:
            os.write(fd, f"{line}\n".encode())
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError:
        return


def writer_key(key: bytes | None, sealed: set[str], where: str) -> bytes:
    """The key a writer seals with: the workstation's, or a new one only when nothing
    in the database was sealed with a key that is missing here. Refuses when the key
    file this workstation sealed ``where`` with was deleted or replaced."""
    used = used_key_ids()
    path = key_file()
    if key is None:
        if sealed and not os.environ.get(KEY_ENV):  # a named clinic key: create_key says so
            ours = sorted(sealed & used)
            why = (f"this workstation sealed them with key {', '.join(ours)}: its key file "
                   "was deleted; restore it from its backup" if ours else
                   "copy the key file of the workstation that recorded them there")
            raise StoreError(
                f"Refused to make a new record key: there is no key file at {path}, and "
                f"{where} holds sessions sealed with key {', '.join(sorted(sealed))}; {why}. "
                "To seal new sessions here with a key of their own instead, create one on "
                f"purpose: `umask 077; openssl rand -hex 32 > {path}`")
        key = create_key()
    kid = key_id(key)
    replaced = sorted((sealed & used) - {kid})
    if replaced:
        raise StoreError(
            f"Refused to write: the record key {path} (key {kid}) is not the key this "
            f"workstation sealed sessions of {where} with (key {', '.join(replaced)}); the key "
            "file was replaced. Restore the original key file; if the key was changed on "
            f"purpose, remove {', '.join(replaced)} from {ledger_file()}")
    remember(kid)
    return key
