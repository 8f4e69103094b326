"""How a session stands out in the session list: a session still dosing or with
active alarms is never grey. Its row takes the colour of its worst alarm, with
the word (never colour alone); the list says whether its alarms still sound
(a session left from this window is still watched) or not (open it to see)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ui.common.theme import PRIORITY_WORD


@dataclass(frozen=True)
class Look:
    text: str             # the "Active alarms" cell
    priority: str | None  # the row's colour (None: plain)


def session_look(row: dict[str, Any], watched: tuple[str, int] | None) -> Look:
    """``row`` from the session listing; ``watched``: (worst priority or "", number of
    active alarms) when the window still evaluates the session in the background."""
    active = int(row.get("active_alarms") or 0)
    dosing = row.get("phase") in ("infusing", "recovery")
    if watched is not None:
        worst, count = watched
        if count:
            return Look(f"{PRIORITY_WORD[worst]} ×{count} · sounding", worst)
        return Look("none · watched", "low" if dosing else None)
    if active:
        # Counted from the record, priority unknown until opened: shown as a warning.
        return Look(f"{active} · NOT SOUNDING: open it", "medium")
    if dosing:
        return Look("none · NOT WATCHED: open it", "low")
    return Look(str(active), None)
