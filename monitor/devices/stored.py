"""Device samples checked against the stored record, not against memory: what a
device already recorded survives a listener restart, an unbind and rebind, and
a resend after a kill, so none of them records a value twice.

The session's fold is the stored record read back (the log is folded on open
and after every commit), so these checks read the fold.
"""

from __future__ import annotations

from datetime import datetime

from monitor.clinical.validation import PLAUSIBLE
from monitor.model.events import EventKind
from monitor.model.session import Entry, Session


def device_value(param: str, value: float) -> float:
    """Device values are measurements, not typing: round to the parameter's precision."""
    decimals = PLAUSIBLE[param].decimals
    return round(value) if decimals == 0 else round(value, decimals)


def device_entries_at(session: Session, param: str, when: datetime,
                      device_id: str) -> list[Entry]:
    """Vitals entries that ``device_id`` recorded at ``when`` holding ``param``."""
    series = session.series.get(param)
    if series is None:
        return []
    out = []
    for seq in series.device_seqs_at(when.timestamp()):
        entry = session.entries.get(seq)
        if (entry is not None and entry.kind is EventKind.VITALS
                and entry.event.author == device_id and param in entry.payload):
            out.append(entry)
    return out


def already_recorded(session: Session, param: str, when: datetime, value: float,
                     device_id: str) -> bool:
    """True when (param, time, device, value) is in the record, as sent or as amended."""
    return any(_same(e.payload.get(param), value) or _same(e.event.payload.get(param), value)
               for e in device_entries_at(session, param, when, device_id))


def patient_mismatch(session: Session, patient_id: str) -> str:
    """'' when the message's PID-3 is empty or names the session's patient (compared
    without case or surrounding spaces); else a reason naming both identifiers."""
    ours = str(session.opening.get("patient_id", "")).strip()
    theirs = patient_id.strip()
    if not theirs or theirs.casefold() == ours.casefold():
        return ""
    return (f"PID-3 patient {theirs} is not this session's patient {ours or '(none)'} "
            f"(session {session.session_id}): nothing recorded; check the patient admitted "
            "on the monitor, or bind the monitor to that patient's session")


def _same(stored: object, value: float) -> bool:
    try:
        return stored is not None and float(stored) == value  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
