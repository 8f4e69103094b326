"""Session listings for the command line and the start screen.

Built from per-kind counts in SQL rather than a full fold, so listing a
database with long device-fed sessions stays quick and light. The phase comes
from the session's own transition table (``monitor.model.session.phase_of``);
a session with a struck entry (a struck start or stop changes the phase, and
counts cannot tell) is folded instead, which is rare."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from monitor.clinical.protocols import Protocol, ProtocolSet, load_protocols
from monitor.clock import from_iso
from monitor.errors import MonitorError
from monitor.log.eventlog import EventLog, SessionSummary
from monitor.log.sqlite.salvage import Salvage
from monitor.model.events import EventKind
from monitor.model.session import Phase, fold, phase_of


def phase_from_counts(counts: dict[str, int], single_dose: bool) -> Phase:
    """The phase by the session's own transition table, read from per-kind counts."""
    return phase_of(closed=bool(counts.get(EventKind.CLOSED.value)),
                    discharged=bool(counts.get(EventKind.DISCHARGED.value)),
                    started=bool(counts.get(EventKind.INFUSION_STARTED.value)),
                    stopped=bool(counts.get(EventKind.INFUSION_STOPPED.value)),
                    single_dose=single_dose)


def session_rows(store: EventLog, *, open_only: bool = False,
                 protocols: ProtocolSet | None = None,
                 listing: list[tuple[SessionSummary, dict[str, int]]] | None = None
                 ) -> list[dict[str, Any]]:
    """One row per session; ``listing`` gives summaries and kind counts already read
    (what could be read of a damaged file) instead of asking the store."""
    known = (protocols or load_protocols()).protocols
    rows = []
    pairs = listing if listing is not None else (
        (summary, store.kind_counts(summary.session_id)) for summary in store.summaries())
    for summary, counts in pairs:
        proto = known.get(summary.protocol)
        mode = summary.dose_mode or (proto.dose_mode if proto is not None else "")
        phase = phase_from_counts(counts, mode == "single")
        if listing is None and counts.get(EventKind.STRUCK.value):
            phase = _folded_phase(store, summary.session_id, phase)
        if open_only and phase is Phase.CLOSED:
            continue
        active = counts.get(EventKind.ALARM_RAISED.value, 0) - counts.get(
            EventKind.ALARM_RESOLVED.value, 0)
        rows.append({
            "session_id": summary.session_id,
            "patient_id": summary.patient_id,
            "started": summary.opened_at.strftime("%Y-%m-%d %H:%M"),
            "phase": phase,
            "entries": summary.entries,
            "active_alarms": active,
            "protocol": summary.protocol,
            "rems_due": rems_due(proto, summary.opened_at, phase),
        })
    return rows


def _folded_phase(store: EventLog, session_id: str, counted: Phase) -> Phase:
    """The phase of the folded session (the counted one when it cannot be read: the
    opened session then says why)."""
    try:
        return fold(session_id, store.events(session_id)).phase
    except MonitorError:
        return counted


def rems_due(proto: Protocol | None, opened_at: datetime, phase: Phase) -> str:
    """The filing date of a dosed session's REMS form ("" without one): counted from the
    day the session opened, which is never later than the day of dosing."""
    days = proto.rems.filing_days if proto is not None else None
    if days is None or phase is Phase.BASELINE:
        return ""
    return (opened_at + timedelta(days=int(days))).astimezone().strftime("%Y-%m-%d")


def salvaged_listing(found: Salvage) -> list[tuple[SessionSummary, dict[str, int]]]:
    """The readable sessions of a damaged file, as ``session_rows`` takes them."""
    out = []
    for sid, opening, observed, counts in found.readable:
        copy = opening.get("protocol_snapshot")
        mode = copy.get("protocol", {}).get("dose_mode", "") if isinstance(copy, dict) else ""
        out.append((SessionSummary(sid, str(opening.get("patient_id", "")), from_iso(observed),
                                   sum(counts.values()), str(opening.get("protocol", "")),
                                   str(mode)), dict(counts)))
    return out
