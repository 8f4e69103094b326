"""Before dosing: the pre-infusion checklist and what must be known before "Start".

docs/alarms-and-protocols.md: the baseline is the last reading before dosing; with no
pre-dose BP or sedation score the nurse is asked before the start. For the
REMS preset a pre-dose BP above the label's 140/90 is a decision for the
clinician (a confirmation, not a hard stop). Before any ketamine start (IV too) a
BP at the protocol's high limits (default 180/110) or an active HIGH BP alarm is
named and confirmed (CLINICAL §7), and so are the checklist's answers: a "no" on a
safety step, a "yes" on a CNS depressant, on a BP-raising drug (psychostimulants,
MAOIs) or on a contraindication.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from monitor.clinical.protocols import Protocol
from monitor.errors import FieldError
from monitor.model.events import EventKind
from monitor.model.parameters import fmt
from monitor.model.session import Priority, Session
from monitor.model.vocabulary import (
    ANSWERS,
    BP_RAISERS,
    CHECKLIST_ITEMS,
    CNS_DEPRESSANTS,
    CONTRAINDICATIONS,
    SAFETY_STEPS,
)

LATE = float("inf")


def checklist_items(protocol: Protocol) -> list[str]:
    return list(protocol.checklist)


def validate_checklist(protocol: Protocol, answers: dict[str, Any],
                       errors: list[FieldError]) -> dict[str, str]:
    """Every item the clinic chose answered yes or no; nothing else."""
    out: dict[str, str] = {}
    items = checklist_items(protocol)
    for key in answers:
        if key not in items:
            errors.append(FieldError(key, "Checklist item", key,
                                     "one of this clinic's items: " + ", ".join(items)))
    for key in items:
        value = answers.get(key)
        if value is True:
            value = "yes"
        elif value is False:
            value = "no"
        if value not in ANSWERS:
            errors.append(FieldError(key, CHECKLIST_ITEMS[key], str(value or ""), "yes or no"))
        else:
            out[key] = str(value)
    return out


def latest_checklist(session: Session) -> dict[str, str] | None:
    found = [e for e in session.entries_of(EventKind.CHECKLIST) if e.counts]
    return dict(found[-1].payload.get("answers", {})) if found else None


def checklist_warnings(answers: dict[str, str]) -> list[str]:
    """What the checklist's answers say before dosing, each item named."""
    def names(keys: tuple[str, ...], answer: str) -> list[str]:
        return [CHECKLIST_ITEMS[k] for k in keys if answers.get(k) == answer]

    out = []
    if steps := names(SAFETY_STEPS, "no"):
        out.append("Checklist answered NO: " + "; ".join(steps))
    if found := names(CONTRAINDICATIONS, "yes"):
        out.append("Contraindication answered YES: " + "; ".join(found))
    if drugs := names(CNS_DEPRESSANTS, "yes"):
        out.append("CNS depressant with ketamine (sedation and respiratory depression add "
                   "up): " + "; ".join(drugs))
    if drugs := names(BP_RAISERS, "yes"):
        out.append("BP-raising drug with ketamine (the BP rises add up; MAOIs: risk of a "
                   "hypertensive crisis): " + "; ".join(drugs)
                   + ". Monitor BP closely")
    return out


def bp_warning(session: Session, protocol: Protocol, sbp: float | None,
               dbp: float | None) -> str | None:
    """A pre-dose BP at the protocol's high limits, or an active HIGH BP alarm, named."""
    limits = {p: protocol.limits(p).get("high_high") for p in ("sbp", "dbp")}
    high = [f"{name} {fmt(value)} ≥ {fmt(float(limit))}"
            for name, value, limit in (("SBP", sbp, limits["sbp"]), ("DBP", dbp, limits["dbp"]))
            if value is not None and limit is not None and value >= float(limit)]
    alarms = [a.message for a in session.active_alarms()
              if a.priority is Priority.HIGH and a.parameter in ("sbp", "dbp", "bp", "map")]
    if not high and not alarms:
        return None
    shown = f"{fmt(sbp) if sbp is not None else '?'}/{fmt(dbp) if dbp is not None else '?'}"
    # The reading itself when it is at the limits; else the alarm still active from before.
    why = "; ".join(high or [f"HIGH alarm active: {m}" for m in alarms])
    return (f"BP {shown} before dosing ({why}): ketamine raises BP; avoid in poorly "
            "controlled cardiovascular disease. Dose only on a clinician's decision")


def predose_warnings(session: Session, protocol: Protocol, when: datetime) -> list[str]:
    """What the nurse must confirm before dosing at ``when``."""
    t = when.timestamp()
    before = {name: session.series[name].last_valid_before(t, LATE)  # type: ignore[arg-type]
              for name in ("sbp", "dbp", protocol.sedation_scale)}
    out = []
    if before["sbp"] is None:
        out.append("No BP recorded before dosing: record a pre-dose BP (it is the baseline)")
    elif protocol.rems.predose_bp_max:
        sbp_max, dbp_max = (float(v) for v in protocol.rems.predose_bp_max)
        sbp, dbp = before["sbp"], before["dbp"]
        if sbp > sbp_max or (dbp is not None and dbp > dbp_max):
            out.append(
                f"Pre-dose BP {fmt(sbp)}/{fmt(dbp) if dbp is not None else '?'} is above "
                f"{fmt(sbp_max)}/{fmt(dbp_max)}. The Spravato label: esketamine raises BP for "
                "about 4 h; assess BP before dosing and, if it is elevated, weigh the benefit "
                "against the risk of a short-term BP rise (consider delaying the dose). "
                "A decision for the clinician")
    if (bp := bp_warning(session, protocol, before["sbp"], before["dbp"])) is not None:
        out.append(bp)
    if before[protocol.sedation_scale] is None:
        name = "MOAA/S" if protocol.sedation_scale == "moaas" else "RASS"
        out.append(f"No {name} score recorded before dosing: record one (it is the baseline)")
    answers = latest_checklist(session)
    if checklist_items(protocol) and answers is None:
        out.append("Pre-infusion checklist not completed")
    out += checklist_warnings(answers or {})
    return out
