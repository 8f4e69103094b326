"""Where a protocol's times and ceilings may sit, so that no site file can make an
alarm never sound, never come back or never fire, nor overflow a clock.

A number past these is refused when the file is read (naming the file and the key);
the shipped presets then stay in force. Each bound is wide around the shipped value.
"""

from __future__ import annotations

from typing import Any

# dotted key -> (lowest, highest, whether the lowest itself is allowed)
BOUNDS: dict[str, tuple[float, float, bool]] = {
    "protocol.min_observation_min": (0, 24 * 60, True),
    "protocol.discharge_band_pct": (0, 100, False),
    "cadence.infusing": (0, 240, False),
    "cadence.recovery": (0, 240, False),
    "cadence.sedation_infusing": (0, 240, False),
    "cadence.sedation_recovery": (0, 240, False),
    "cadence.overdue_grace_min": (0, 60, True),
    # An acknowledged alarm comes back (Philips: 2-3 min); a paused one sounds again.
    "alarms.reannounce_min": (0, 30, False),
    "alarms.escalate_medium_min": (0, 60, False),
    "alarms.audio_pause_s": (0, 300, False),   # CLINICAL §5: usually 2 min
    "alarms.stale_device_s": (0, 600, False),
    "alarms.persistence_s": (0, 60, True),     # CLINICAL §5: default 10 s
    "news2.window_min": (0, 24 * 60, False),
    "rate_of_change.*.window_min": (0, 120, False),
    "rems.filing_days": (1, 365, True),
    # CLINICAL §7: the low-dose ceilings may be set lower, never above.
    "dose_plan.anaesthetic_rate_mg_kg_h": (0, 1.0, False),
    "dose_plan.bolus_ceiling_mg_kg": (0, 0.5, False),
}
# Any other number: far above any dose, minute or score, far below a clock's overflow.
LARGEST = 100_000


def _values(data: dict[str, Any], dotted: str) -> list[tuple[str, Any]]:
    """(key, value) for a dotted key; ``*`` stands for every sub-table's name."""
    found: list[tuple[str, Any]] = [("", data)]
    for part in dotted.split("."):
        step: list[tuple[str, Any]] = []
        for path, node in found:
            if not isinstance(node, dict):
                continue
            names = list(node) if part == "*" else [part] if part in node else []
            step += [(f"{path}.{name}" if path else name, node[name]) for name in names]
        found = step
    return found


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _shown(value: float) -> str:
    return str(value) if isinstance(value, int) else f"{value:g}"


def bound_problem(data: dict[str, Any], recorded: bool = False) -> str | None:
    """The first key whose number lies outside where it may sit (None when all do).

    A session's recorded copy (``recorded``) is held to the ceiling only: it was valid
    when it was recorded, and an old record must still open; a number past the ceiling
    (a forged import) would stop the rules' clock."""
    for dotted, (low, high, low_ok) in ({} if recorded else BOUNDS).items():
        for key, value in _values(data, dotted):
            if _number(value) and not ((low <= value if low_ok else low < value)
                                       and value <= high):
                least = f"{low:g}" if low_ok else f"more than {low:g}"
                return (f"key '{key}' is {_shown(value)}; allowed: {least} "
                        f"to {high:g}")
    return _largest(data, "")


def _largest(node: Any, path: str) -> str | None:
    if isinstance(node, dict):
        for key, value in node.items():
            problem = _largest(value, f"{path}.{key}" if path else key)
            if problem:
                return problem
    elif isinstance(node, list):
        for value in node:
            problem = _largest(value, path)
            if problem:
                return problem
    elif _number(node) and abs(node) > LARGEST:
        return f"key '{path}' is {_shown(node)}; allowed at most {LARGEST:g}"
    return None
