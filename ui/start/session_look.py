"""How a session stands out in the session list: a session still dosing or with
active alarms is never grey. Its row takes the colour of its worst alarm, with
the word (never colour alone); the list says what its speaker really does (a
session left from this window is still watched: "sounding", or "✕ no sound" as its
banner says when there is no audio device) or that nothing watches it (open it)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from monitor.model.session import Phase, Priority
from ui.common.theme import PRIORITY_WORD
from ui.session.background import Left


@dataclass(frozen=True)
class Look:
    text: str             # the "Active alarms" cell
    priority: Priority | None  # the row's colour (None: plain)


def session_look(row: dict[str, Any], watched: Left | None) -> Look:
    """``row`` from the session listing; ``watched``: how the session stands when the
    window still evaluates it in the background."""
    active = int(row.get("active_alarms") or 0)
    dosing = row.get("phase") in (Phase.INFUSING, Phase.RECOVERY)
    if watched is not None:
        if watched.count and watched.worst is not None:
            return Look(f"{PRIORITY_WORD[watched.worst]} ×{watched.count} · {watched.heard}",
                        watched.worst)
        return Look("none · watched", Priority.LOW if dosing else None)
    if active:
        # Counted from the record, priority unknown until opened: shown as a warning.
        return Look(f"{active} · NOT SOUNDING: open it", Priority.MEDIUM)
    if dosing:
        return Look("none · NOT WATCHED: open it", Priority.LOW)
    return Look(str(active), None)
