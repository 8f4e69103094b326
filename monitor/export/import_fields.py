"""Every field of an imported event against a fixed pattern, before anything else.

A JSON file can put a number where the program writes text: hashed as a number,
stored as text, such an event would fail ``verify`` for the whole database
forever. Session ids become file names and command-line arguments, so they are
held to a pattern too: never empty, never a path, never a prefix that would
capture ``export`` of an existing session (that check is the store's)."""

from __future__ import annotations

import re
from typing import Any

from monitor.errors import MonitorError
from monitor.model.events import EventKind

SESSION_ID = re.compile(r"^[0-9a-z][0-9a-z_-]{3,63}$")
HASH = re.compile(r"^[0-9a-f]{64}$")
TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?([+-]\d\d:\d\d|Z)$")
KINDS = frozenset(k.value for k in EventKind)
_TEXT = re.compile(r"^[^\x00-\x1f]{1,64}$")

# field: (pattern or check, what is allowed)
FIELDS: dict[str, tuple[Any, str]] = {
    "session_id": (SESSION_ID, "4 to 64 lowercase letters, digits, '-' or '_', starting with "
                               "a letter or digit (no path)"),
    "seq": (None, "a whole number from 1"),
    "kind": (KINDS, "one of the entry kinds of this program"),
    "observed_at": (TIME, "an ISO 8601 time with its UTC offset"),
    "recorded_at": (TIME, "an ISO 8601 time with its UTC offset"),
    "author": (_TEXT, "text: a nurse ID or 'system'"),
    "source": (_TEXT, "text: manual, device or rules"),
    "payload": (dict, "an object"),
    "prev_hash": (HASH, "64 lowercase hexadecimal characters"),
    "hash": (HASH, "64 lowercase hexadecimal characters"),
}


class FieldRefused(MonitorError):
    """An imported event's field has the wrong type or shape; nothing was imported."""


def _fits(value: object, rule: Any) -> bool:
    if rule is None:  # seq: an int, not a bool or a float
        return type(value) is int and value >= 1
    if rule is dict:
        return type(value) is dict
    if isinstance(rule, frozenset):
        return type(value) is str and value in rule
    return type(value) is str and rule.match(value) is not None


def check_fields(record: object, where: str) -> None:
    """Refuse a record whose fields are not exactly what this program writes."""
    if type(record) is not dict:
        raise FieldRefused(f"{where} is not an object")
    unknown = sorted(set(record) - set(FIELDS))
    if unknown:
        raise FieldRefused(f"{where}: unknown field {unknown[0]!r}; allowed: "
                           f"{', '.join(FIELDS)}")
    for name, (rule, allowed) in FIELDS.items():
        if name not in record:
            raise FieldRefused(f"{where}: field {name} is missing")
        value = record[name]
        if not _fits(value, rule):
            shown = repr(value) if not isinstance(value, dict | list) else type(value).__name__
            raise FieldRefused(f"{where}: field {name} is {shown[:40]} "
                               f"({type(value).__name__}); allowed: {allowed}")
