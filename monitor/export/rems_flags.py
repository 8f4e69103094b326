"""The REMS form's three yes/no flags (sedation, dissociation, respiratory depression),
read from readings after dosing only (CLINICAL §7). With no such reading the answer is
"not assessed after dosing", never "no". Respiratory depression is read the way the
alarms read it: the protocol's own high limits for RR and SpO2 (with this session's
changes, and SpO2 scale 2 when chosen), a monitor's value only once it has held for
the persistence delay, and "yes" whenever the sedation-with-respiratory-depression
alarm was raised.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial

from monitor.clinical.protocols import Protocol
from monitor.clinical.rules.conditions import effective_limits
from monitor.clinical.rules.persistence import first_held_after
from monitor.clinical.rules.pictures import RESP_DEPRESSION
from monitor.model.parameters import fmt, label
from monitor.model.series import Series
from monitor.model.session import Session

NOT_ASSESSED = "not assessed after dosing"
ASSUMED_ALERT = {"moaas": 5.0, "rass": 0.0}  # an alert outpatient when no pre-dose score
Clock = Callable[[datetime], str]  # how the export writes an instant


def _after(series: Series, t: float) -> list[float]:
    return series.valid_between(t + 1e-6, float("inf"))


def sedation(s: Session, protocol: Protocol, t: float) -> str:
    """Any sedation score after dosing below the pre-dose one (an assumed alert score
    when none was taken, said so)."""
    scale = protocol.sedation_scale
    name = "MOAA/S" if scale == "moaas" else "RASS"
    after = _after(s.series[scale], t)
    if not after:
        return NOT_ASSESSED
    base = s.baseline().get(scale)
    note = ""
    if base is None:
        base = ASSUMED_ALERT[scale]
        note = f"no pre-dose score: compared with an assumed alert {fmt(base)}"
    deepest = min(after)
    answer = "yes" if deepest < base else "no"
    if note:
        return f"{answer} (lowest {name} {fmt(deepest)}); {note}"
    return answer


def dissociation(s: Session, t: float) -> str:
    """Any CADSS-6 total or 0-10 rating after dosing above its pre-dose level (0 when
    none was taken)."""
    base = s.baseline()
    seen = False
    for name in ("cadss6_total", "dissociation"):
        after = _after(s.series[name], t)
        seen = seen or bool(after)
        if any(v > base.get(name, 0.0) for v in after):
            return "yes"
    return "no" if seen else NOT_ASSESSED


def _bounds(s: Session, protocol: Protocol) -> dict[str, float]:
    """The limits that alarm HIGH on a low RR and a low SpO2 in this session."""
    out = {}
    for param in ("rr", "spo2"):
        bound = effective_limits(s, protocol, param).get("high_low")
        if bound is not None:
            out[param] = bound
    return out


def respiratory_depression(s: Session, protocol: Protocol, t: float, when: Clock) -> str:
    """"yes (why, when)" from the alarm or the first reading the alarms would read as
    beyond the protocol's high low limit; "no"; or NOT_ASSESSED with no RR or SpO2 after
    dosing."""
    raised = [a for a in s.alarms.values()
              if RESP_DEPRESSION in (a.key, a.rule) and a.raised_at.timestamp() >= t]
    if raised:
        first = min(raised, key=lambda a: a.raised_at)
        return f"yes (alarm at {when(first.raised_at)}: {first.message})"
    found = []
    for param, bound in _bounds(s, protocol).items():
        hit = first_held_after(s, protocol, param, partial(operator.ge, bound), t)
        if hit is not None:
            found.append((hit[0], f"{label(param)} {fmt(hit[1])} ≤ {fmt(bound)}"))
    if found:
        at, why = min(found)
        return f"yes ({why} at {when(datetime.fromtimestamp(at, UTC))})"
    if not any(_after(s.series[p], t) for p in ("rr", "spo2")):
        return NOT_ASSESSED
    return "no"
