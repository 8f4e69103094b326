"""Where NEWS2's consciousness comes from, so the screen can say why it scored V when
the nurse chose A (CLINICAL §7: the latest sedation score wins when it is newer than the
last ACVPU; within one assessment the worse level wins; the mapping is clinic-editable).
"""

from __future__ import annotations

from dataclasses import dataclass

from monitor.clinical.protocols import ACVPU, Protocol
from monitor.clinical.rules.news2 import DEFAULT_ACVPU
from monitor.model.parameters import PARAMETERS
from monitor.model.session import Session

OFFSET = {"moaas": 0, "rass": 5}  # a score's index in its ACVPU table


@dataclass(frozen=True)
class Level:
    """The ACVPU level NEWS2 reads (``level``) at ``t``; ``scale`` and ``score`` when a
    sedation score gave it; ``chosen`` the ACVPU the nurse recorded with or before it
    when that differs (the one the score overruled)."""

    t: float
    level: str
    scale: str | None = None
    score: float | None = None
    chosen: str | None = None

    @property
    def from_score(self) -> bool:
        return self.scale is not None

    def short(self) -> str:
        """ "C: V from MOAA/S 4" when a sedation score gave the level ('' otherwise)."""
        if self.scale is None or self.score is None:
            return ""
        score = f"{self.score:+.0f}" if self.score < 0 else f"{self.score:.0f}"
        return f"C: {self.level} from {PARAMETERS[self.scale].label} {score}"

    def explained(self) -> str:
        """The hover text: what was read, and why it wins over the nurse's ACVPU."""
        if self.scale is None:
            return f"Consciousness {self.level}: the ACVPU recorded"
        text = (f"Consciousness {self.level} from {PARAMETERS[self.scale].label} "
                f"{self.score:g} (sedation score → ACVPU, clinic's mapping)")
        if self.chosen is not None:
            text += (f"; the ACVPU {self.chosen} recorded is overruled: the sedation "
                     "score is newer, or in the same assessment and worse")
        return text


def consciousness_level(session: Session, protocol: Protocol) -> Level | None:
    """The newest of the last ACVPU and the levels the latest sedation scores map to
    (MOAA/S 5 → A, 4–3 → V, 2–1 → P, 0 → U; RASS by ``news2.rass_acvpu``); within one
    assessment (the same instant) the worse level wins."""
    found: list[Level] = []
    acvpu = session.choice("acvpu")
    if acvpu is not None:
        found.append(Level(acvpu[0], str(acvpu[1])))
    for scale, offset in OFFSET.items():
        latest = session.latest(scale)
        if latest is not None:
            table = protocol.news2.acvpu(scale) or DEFAULT_ACVPU[scale]
            found.append(Level(latest[0], str(table[int(latest[1]) + offset]), scale,
                               latest[1]))
    if not found:
        return None
    newest = max(f.t for f in found)
    worst = max((f for f in found if f.t == newest), key=lambda f: ACVPU.index(f.level))
    chosen = str(acvpu[1]) if acvpu is not None and worst.from_score else None
    if chosen == worst.level:
        chosen = None
    return Level(worst.t, worst.level, worst.scale, worst.score, chosen)
