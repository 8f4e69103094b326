"""Session listings for the command line and the start screen."""

from __future__ import annotations

from typing import Any

from monitor.session import Phase, fold
from monitor.store import Store


def session_rows(store: Store, *, open_only: bool = False) -> list[dict[str, Any]]:
    rows = []
    for summary in store.summaries():
        session = fold(summary.session_id, store.events(summary.session_id))
        if open_only and session.phase == Phase.CLOSED:
            continue
        rows.append({
            "session_id": summary.session_id,
            "patient_id": str(session.opening.get("patient_id", "")),
            "started": summary.opened_at.strftime("%Y-%m-%d %H:%M"),
            "phase": session.phase,
            "entries": summary.entries,
            "active_alarms": len(session.active_alarms()),
            "protocol": session.protocol_id,
        })
    return rows
