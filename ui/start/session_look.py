"""How a session stands out in the session list: a session still dosing or with
active alarms is never grey. Its row takes the colour of its worst alarm, with
the word (never colour alone); one whose alarms are not known in detail says so."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ui.common.theme import PRIORITY_WORD


@dataclass(frozen=True)
class Look:
    text: str             # the "Active alarms" cell
    priority: str | None  # the row's colour (None: plain)


def session_look(row: dict[str, Any], left: tuple[str, int] | None) -> Look:
    """``row`` from the session listing; ``left``: (worst priority, count) when this
    window left the session with alarms active."""
    active = int(row.get("active_alarms") or 0)
    watching = row.get("phase") in ("infusing", "recovery")
    if left is not None and active:
        worst, count = left
        return Look(f"{PRIORITY_WORD[worst]} · {count} active, NOT SOUNDING", worst)
    if active:
        # Counted from the record, priority unknown until opened: shown as a warning.
        return Look(f"{active} active, NOT SOUNDING: open to see", "medium")
    if watching:
        return Look(f"none · {row['phase']}, not monitored here", "low")
    return Look(str(active), None)
