"""An imported session is held to the same rules as one recorded here.

A file's hash chain proves only that it was not changed after export; its
content could still be anything. Every event goes through the validator of its
kind (the one a live entry passes), times must be plausible, and the session
must fold and export; the first event that fails is named."""

from __future__ import annotations

import contextlib
from datetime import datetime
from typing import Any

from monitor.clinical import entries
from monitor.clinical.protocols import LIMIT_KEYS, LIMIT_PARAMS, Protocol, ProtocolSet
from monitor.clinical.session_protocol import SNAPSHOT_KEY, protocol_in_force
from monitor.clinical.validation import (
    MAX_FUTURE,
    PLAUSIBLE,
    parse_optional,
    validate_nurse_id,
    validate_text,
)
from monitor.errors import ConfigError, FieldError, MonitorError, ValidationError
from monitor.model.events import CLINICAL_KINDS, CORRECTION_KINDS, Event, EventKind
from monitor.model.parameters import PARAMETERS
from monitor.model.session import fold

SYSTEM_AUTHOR = "system"
SOURCES = ("manual", "device", "rules")
TEXT_KEYS = ("reason", "comment", "override_reason")


class ImportRefused(MonitorError):
    """The file was not imported; the message names the first bad event."""


def check_session(events: list[Event], protocols: ProtocolSet, now: datetime) -> None:
    """Raise ImportRefused naming the first event that a live entry could not have made."""
    first = events[0]
    if first.kind is not EventKind.SESSION_OPENED:
        raise ImportRefused(f"Refused: event {first.entry_id} is a {first.kind}; a session "
                            "starts with its opening entry")
    try:
        protocol = protocol_in_force(fold(first.session_id, [first]), protocols)
    except ConfigError:
        protocol = None  # the opening's own check below names what is wrong
    known = list(protocols.protocols) + ([protocol.id] if protocol else [])
    kinds: dict[int, Event] = {}
    for ev in events:
        try:
            _check_event(ev, first.observed_at, now, kinds, protocol, known)
        except ValidationError as exc:
            raise ImportRefused(f"Refused: event {ev.entry_id} ({ev.kind}): {exc}") from exc
        kinds[ev.seq] = ev
        if ev.kind is EventKind.AMENDED and ev.payload.get("target_seq") == first.seq:
            # The opening was amended (e.g. another protocol before dosing): later entries
            # are checked against the protocol then in force.
            with contextlib.suppress(ConfigError):
                upto = events[: ev.seq]
                protocol = protocol_in_force(fold(first.session_id, upto), protocols)
                known.append(protocol.id)
    session = fold(first.session_id, events)
    if session.unreadable:
        ev, why = session.unreadable[0]
        raise ImportRefused(f"Refused: event {ev.entry_id} ({ev.kind}) cannot be applied "
                            f"to the session ({why})")
    try:
        protocol_in_force(session, protocols)
    except ConfigError as exc:
        raise ImportRefused(f"Refused: event {first.entry_id} (session_opened): {exc}") from exc


def _check_event(ev: Event, opened_at: datetime, now: datetime, kinds: dict[int, Event],
                 protocol: Protocol | None, protocol_ids: list[str]) -> None:
    errors: list[FieldError] = []
    if ev.source not in SOURCES:
        errors.append(FieldError("source", "Source", ev.source, ", ".join(SOURCES)))
    if not (ev.author == SYSTEM_AUTHOR and ev.source == "rules"):
        validate_nurse_id(ev.author, errors, "author")
    latest = now + MAX_FUTURE
    for name, when in (("observed_at", ev.observed_at), ("recorded_at", ev.recorded_at)):
        if when > latest or when < opened_at:
            errors.append(FieldError(name, name.replace("_", " ").capitalize(),
                                     when.isoformat(), "between the session's opening and now"))
    if not isinstance(ev.payload, dict):
        errors.append(FieldError("payload", "Entry", str(ev.payload)[:30], "a record"))
    if errors:
        raise ValidationError(errors)
    p = ev.payload
    if ev.kind in CLINICAL_KINDS or ev.kind is EventKind.SESSION_OPENED:
        _same_as_validated(ev.kind, p, entries.clinical(
            ev.kind, _fields(ev.kind, p), source=ev.source, protocol=protocol,
            protocol_ids=protocol_ids))
        if ev.kind is EventKind.SESSION_OPENED:
            validate_nurse_id(p.get("nurse_id"), errors)
    elif ev.kind in CORRECTION_KINDS:
        target = kinds.get(p.get("target_seq"))  # type: ignore[arg-type]
        if target is None:
            errors.append(FieldError("target_seq", "Entry", str(p.get("target_seq")),
                                     "an earlier entry of this session"))
        elif ev.kind is EventKind.ARTIFACT and "parameters" in p:
            names = p["parameters"]  # a flag names values of the registry its entry holds
            if not isinstance(names, list) or any(
                    not isinstance(n, str) or n not in PARAMETERS or n not in target.payload
                    for n in names):
                errors.append(FieldError("parameters", "Values flagged", str(names)[:40],
                                         "values of the registry that the entry holds"))
        elif ev.kind is EventKind.AMENDED and isinstance(p.get("values"), dict):
            values = p["values"]  # checked as the kind and source of the entry it amends
            _same_as_validated(target.kind, values, entries.clinical(
                target.kind, _fields(target.kind, values), source=target.source,
                protocol=protocol, protocol_ids=protocol_ids))
    elif ev.kind is EventKind.LIMIT_CHANGED:
        param, _, which = str(p.get("limit")).partition(".")
        if param not in LIMIT_PARAMS or which not in LIMIT_KEYS:
            errors.append(FieldError("limit", "Limit", str(p.get("limit")),
                                     "parameter.tier_side, e.g. sbp.high_high"))
        else:
            parse_optional(p.get("new"), param if param in PLAUSIBLE else "med_dose", errors)
    for key in TEXT_KEYS:
        if key in p:
            validate_text(p[key], key, key.replace("_", " ").capitalize(), errors)
    if errors:
        raise ValidationError(errors)


def _fields(kind: EventKind, payload: dict[str, Any]) -> dict[str, Any]:
    if kind is EventKind.SESSION_OPENED:
        return {k: v for k, v in payload.items() if k not in ("nurse_id", SNAPSHOT_KEY)}
    return payload


def _same_as_validated(kind: EventKind, stored: dict[str, Any], clean: dict[str, Any]) -> None:
    """The stored values must be exactly what validation makes of them."""
    extra = ("nurse_id", SNAPSHOT_KEY) if kind is EventKind.SESSION_OPENED else ()
    mismatched = sorted(k for k in set(stored) | set(clean)
                        if k not in extra and stored.get(k) != clean.get(k))
    if mismatched:
        key = mismatched[0]
        raise ValidationError([FieldError(key, key, str(stored.get(key))[:30],
                                          f"as recorded by this program ({clean.get(key)!r})")])


