"""One clinical picture, one alarm row (CLINICAL §5).

Sedation deeper than the expected effect (MOAA/S ≤ 3 or RASS ≤ −2) together with
RR ≤ 9 or a falling SpO2 is the picture of drug-induced respiratory depression: one
HIGH alarm, with the RR, sedation, SpO2 and NEWS2 reasons listed under it. Expected
effects (MOAA/S 4, RR 10–11) never escalate each other. A NEWS2 medium that is only
"3 in one parameter" joins the row of that parameter when it has its own alarm
(MOAA/S 4 after a pre-dose 5: one sedation row, not a second NEWS2 row).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from monitor.clinical.protocols import Protocol
from monitor.clinical.rules.condition import Condition, group_of
from monitor.clinical.rules.news2 import News2Result
from monitor.clinical.rules.persistence import holds
from monitor.model.parameters import fmt, label
from monitor.model.session import Priority, Session

RESP_DEPRESSION = "resp_depression"
# Thresholds (clinic-editable under [alarms]): CLINICAL §5.
# The rows the respiratory-depression alarm gathers under itself.
GATHERED = (group_of("rr"), group_of("moaas"), group_of("rass"), group_of("spo2"), "news2")
# NEWS2 component -> the parameter whose row it belongs to.
COMPONENT_PARAMETER = {"rr": "rr", "spo2": "spo2", "sbp": "sbp", "hr": "hr", "temp": "temp",
                       "acvpu": "moaas"}


def deeper_than_expected(session: Session, protocol: Protocol) -> str | None:
    """"MOAA/S 3 ≤ 3" when the latest sedation score is deeper than the expected effect."""
    alarms = protocol.alarms
    for scale, bound in (("moaas", alarms.resp_depression_moaas),
                         ("rass", alarms.resp_depression_rass)):
        latest = session.latest(scale)
        if latest is not None and latest[1] <= bound:
            return f"{label(scale)} {fmt(latest[1])} ≤ {fmt(bound)}"
    return None


def resp_depression(session: Session, protocol: Protocol, found: list[Condition],
                    now: datetime | None = None) -> list[Condition]:
    """The one HIGH alarm of sedation with respiratory depression, after a drug was given.
    RR is read as the limit rules read it (a monitor's value after the persistence delay,
    and not once its stream is stale at ``now``);
    "falling SpO2" is the SpO2 trend rule found at this instant."""
    if session.infusion_started_at is None:
        return []
    deep = deeper_than_expected(session, protocol)
    if deep is None:
        return []
    rr_max = float(protocol.alarms.resp_depression_rr)
    parts = []
    rr = session.latest("rr")
    if rr is not None and holds(session, protocol, "rr", lambda v: v <= rr_max, now):
        parts.append(f"RR {fmt(rr[1])} ≤ {fmt(rr_max)}")
    parts += [c.message for c in found if c.key == "rate:spo2"]
    if not parts:
        return []
    return [Condition(RESP_DEPRESSION, RESP_DEPRESSION, "rr", Priority.HIGH,
                      f"Sedation with respiratory depression: {deep}; {'; '.join(parts)}",
                      row=RESP_DEPRESSION)]


def one_picture(found: list[Condition], score: News2Result,
                protocol: Protocol) -> list[Condition]:
    """The reasons with the rows they show in (see the module's docstring)."""
    resp = [c for c in found if c.key == RESP_DEPRESSION]
    if resp:  # first: it is the row's headline
        return resp + [replace(c, row=RESP_DEPRESSION) if c.group in GATHERED else c
                       for c in found if c.key != RESP_DEPRESSION]
    news = next((c for c in found if c.key == "news2"), None)
    if news is None or news.priority is not Priority.MEDIUM or (score.total or 0) >= 5:
        return found
    threes = {group_of(COMPONENT_PARAMETER[comp]) for comp, s in score.scores.items()
              if s == 3 and comp in COMPONENT_PARAMETER}
    own = next((c.group for c in found if c.key != "news2" and c.group in threes), None)
    if own is None:
        return found
    return [replace(c, row=own) if c is news else c for c in found]
