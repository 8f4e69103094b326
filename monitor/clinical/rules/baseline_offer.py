"""A per-patient limit offered when this patient's own baseline is beyond a limit.

A beta-blocked patient with HR 50 before any drug would alarm all session long on
the clinic's HR ≤ 50 limit: the evaluation names it and offers a limit just beyond
the baseline (10 % further, never past the high tier), which the nurse records with
one click as a limit change with its reason. Only the medium tier is offered: a
baseline beyond a HIGH limit is a question for the prescriber, not for a click.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from monitor.clinical.protocols import Protocol
from monitor.clinical.rules.conditions import effective_limits
from monitor.model.parameters import fmt, label
from monitor.model.session import Phase, Session

OFFERED = ("sbp", "dbp", "hr", "spo2", "rr", "etco2")
MARGIN = 0.10


@dataclass(frozen=True)
class LimitOffer:
    limit: str          # "hr.medium_low"
    baseline: float
    current: float
    suggested: float
    message: str
    reason: str         # the reason recorded with the change


def limit_offers(session: Session, protocol: Protocol) -> list[LimitOffer]:
    """One offer per medium limit that this patient's baseline value already crosses."""
    if session.phase in (Phase.DISCHARGED, Phase.CLOSED):
        return []
    base = session.baseline()
    out = []
    for param in OFFERED:
        if param not in base:
            continue
        value = base[param]
        lim = effective_limits(session, protocol, param)
        for side in ("low", "high"):
            current = lim.get(f"medium_{side}")
            if current is None or (value > current if side == "low" else value < current):
                continue
            high = lim.get(f"high_{side}")
            if side == "low":
                suggested = float(math.floor(value * (1 - MARGIN)))
                if high is not None:
                    suggested = max(suggested, high + 1)
                if suggested >= value:
                    continue
            else:
                suggested = float(math.ceil(value * (1 + MARGIN)))
                if high is not None:
                    suggested = min(suggested, high - 1)
                if suggested <= value:
                    continue
            name = label(param)
            sym = "≤" if side == "low" else "≥"
            out.append(LimitOffer(
                f"{param}.medium_{side}", value, current, suggested,
                f"Baseline {name} {fmt(value)} is beyond its limit ({sym} {fmt(current)}): "
                f"set this patient's limit to {sym} {fmt(suggested)}?",
                f"baseline {name} {fmt(value)} beyond the clinic limit {sym} {fmt(current)}: "
                "per-patient limit"))
    return out
