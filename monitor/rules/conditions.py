"""Alarm conditions: which rules are violated by the session at an instant.

A condition has a stable key (one alarm per key at a time), a priority and
a message that names the parameter, the value and the limit. Artifact
readings never reach here: the session's series marks them and
``last_valid`` skips them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from monitor.parameters import fmt, label, unit
from monitor.protocols import LIMIT_PARAMS, Protocol
from monitor.rules.news2 import News2Result, news2
from monitor.rules.schedule import Due, observation_schedule, rems_points
from monitor.session import PRIORITY_RANK, Phase, Session

PHYSIOLOGICAL = ("limit", "relative", "rate", "assessment")
# Components of one measurement count once when deciding "two concurrent warnings".
MEASUREMENT = {"sbp": "bp", "dbp": "bp", "map": "bp"}


@dataclass(frozen=True)
class Condition:
    key: str
    rule: str
    parameter: str
    priority: str
    message: str
    value: float | None = None
    limit: float | None = None

    @property
    def rank(self) -> int:
        return PRIORITY_RANK[self.priority]


def effective_limits(session: Session, protocol: Protocol, param: str) -> dict[str, float]:
    limits = protocol.limits(param)
    for key, value in session.limit_overrides.items():
        p, _, which = key.partition(".")
        if p == param:
            if value is None:
                limits.pop(which, None)
            else:
                limits[which] = float(value)
    return limits


def _unit(param: str) -> str:
    u = unit(param)
    return f" {u}" if u and u != "%" else u


def limit_conditions(session: Session, protocol: Protocol) -> list[Condition]:
    out = []
    for param in LIMIT_PARAMS:
        latest = session.latest(param)
        if latest is None:
            continue
        v = latest[1]
        lim = effective_limits(session, protocol, param)
        for side, cmp, sym in (("high", v.__ge__, "≥"), ("low", v.__le__, "≤")):
            for tier in ("high", "medium"):
                bound = lim.get(f"{tier}_{side}")
                if bound is not None and cmp(bound):
                    out.append(Condition(
                        f"limit:{param}:{side}", "limit", param, tier,
                        f"{label(param)} {fmt(v)} {sym} {fmt(bound)}", v, bound))
                    break
    return out


def relative_conditions(session: Session, protocol: Protocol) -> list[Condition]:
    out = []
    base = session.baseline() if session.infusion_started_at else {}
    for param, rule in (protocol.get("relative") or {}).items():
        latest = session.latest(param)
        if latest is None or param not in base:
            continue
        v, b = latest[1], base[param]
        rise = rule.get("medium_rise")
        pct = rule.get("medium_rise_pct")
        if rise is not None and v - b >= rise:
            out.append(Condition(f"relative:{param}", "relative", param, "medium",
                                 f"{label(param)} +{fmt(v - b)}{_unit(param)} over baseline "
                                 f"{fmt(b)}", v, b + rise))
        elif pct is not None and b and (v - b) / b * 100 >= pct:
            out.append(Condition(f"relative:{param}", "relative", param, "medium",
                                 f"{label(param)} +{(v - b) / b * 100:.0f}% over baseline "
                                 f"{fmt(b)}", v, b * (1 + pct / 100)))
    return out


def rate_conditions(session: Session, protocol: Protocol) -> list[Condition]:
    out = []
    for param, rule in (protocol.get("rate_of_change") or {}).items():
        latest = session.latest(param)
        if latest is None:
            continue
        t1, v1, _ = latest
        window = session.series[param].valid_between(t1 - rule["window_min"] * 60.0, t1)
        if len(window) < 2:
            continue
        rise = v1 - min(window)
        if rise >= rule["rise"]:
            out.append(Condition(
                f"rate:{param}", "rate", param, rule.get("priority", "medium"),
                f"{label(param)} up {fmt(rise)}{_unit(param)} in {fmt(rule['window_min'])} min "
                f"(≥ {fmt(rule['rise'])})", v1, rule["rise"]))
    return out


def assessment_conditions(session: Session, protocol: Protocol) -> list[Condition]:
    out = []
    base = session.baseline()
    latest = session.latest("moaas")
    if latest is not None and "moaas" in base and session.infusion_started_at:
        if latest[1] < base["moaas"]:
            out.append(Condition(
                "assessment:moaas_drop", "assessment", "moaas",
                protocol.get("assessment.moaas_drop_priority", "medium"),
                f"MOAA/S {fmt(latest[1])}, down from baseline {fmt(base['moaas'])}",
                latest[1], base["moaas"]))
    level = protocol.get("assessment.dissociation_level", 0) or 0
    cadss = session.latest("cadss6_total")
    if level and cadss is not None and cadss[1] >= level:
        out.append(Condition("assessment:dissociation", "assessment", "cadss6_total", "medium",
                             f"CADSS-6 {fmt(cadss[1])} ≥ {fmt(level)}", cadss[1], level))
    return out


def due_list(session: Session, protocol: Protocol, now: datetime) -> list[Due]:
    """What is due now: the observation cadence and, for the REMS preset, its BP points."""
    return [*observation_schedule(session, protocol, now), *rems_points(session, protocol, now)]


def overdue_conditions(dues: list[Due], protocol: Protocol) -> list[Condition]:
    grace = float(protocol.get("cadence.overdue_grace_min")) * 60.0
    priority = protocol.get("alarms.overdue_priority", "medium")
    out = []
    for due in dues:
        if due.overdue_s > grace:
            out.append(Condition(f"overdue:{due.key}", "overdue", due.key, priority,
                                 f"{due.label} overdue by {int(due.overdue_s // 60)} min"))
    return out


def stale_conditions(session: Session, protocol: Protocol, now: datetime) -> list[Condition]:
    if session.phase not in (Phase.INFUSING, Phase.RECOVERY):
        return []
    limit = float(protocol.get("alarms.stale_device_s"))
    out = []
    for param, t in sorted(session.device_last.items()):
        age = now.timestamp() - t
        if age > limit:
            out.append(Condition(f"stale:{param}", "stale", param, "low",
                                 f"{label(param)} device data stale ({int(age)} s > "
                                 f"{fmt(limit)} s)"))
    return out


def news2_now(session: Session, protocol: Protocol, now: datetime) -> News2Result:
    """NEWS2 from the latest valid value of each component within the window."""
    window = float(protocol.get("news2.window_min")) * 60.0
    values: dict[str, object] = {}
    for comp in ("rr", "spo2", "sbp", "hr", "temp", "o2", "acvpu"):
        latest = session.latest(comp)
        if latest is not None and now.timestamp() - latest[0] <= window:
            values[comp] = latest[1]
    return news2(values, int(protocol.get("news2.spo2_scale", 1)))


def news2_conditions(result: News2Result) -> list[Condition]:
    if result.total is None:
        return []
    if result.total >= 7:
        return [Condition("news2", "news2", "news2", "high",
                          f"NEWS2 {result.total} ≥ 7: {result.response}", result.total, 7)]
    if result.total >= 5 or result.three_in_one:
        why = f"NEWS2 {result.total} ≥ 5" if result.total >= 5 else (
            f"NEWS2 {result.total} with 3 in one parameter")
        return [Condition("news2", "news2", "news2", "medium",
                          f"{why}: {result.response}", result.total, 5)]
    return []


def combined_condition(conditions: list[Condition]) -> list[Condition]:
    """Two concurrent medium physiological warnings and no high one: one high alarm."""
    physio = [c for c in conditions if c.rule in PHYSIOLOGICAL]
    if any(c.priority == "high" for c in physio):
        return []
    medium = [c for c in physio if c.priority == "medium"]
    if len({MEASUREMENT.get(c.parameter, c.parameter) for c in medium}) < 2:
        return []
    listed = "; ".join(c.message for c in medium[:3])
    return [Condition("combined", "combined", "combined", "high",
                      f"{len(medium)} concurrent warnings: {listed}")]


def evaluate_conditions(session: Session, protocol: Protocol, now: datetime,
                        dues: list[Due] | None = None
                        ) -> tuple[dict[str, Condition], News2Result]:
    score = news2_now(session, protocol, now)
    if session.phase in (Phase.DISCHARGED, Phase.CLOSED):
        return {}, score
    found = [*limit_conditions(session, protocol), *relative_conditions(session, protocol),
             *rate_conditions(session, protocol), *assessment_conditions(session, protocol)]
    if protocol.get("alarms.combine_two_medium", True):
        found += combined_condition(found)
    found += overdue_conditions(due_list(session, protocol, now) if dues is None else dues,
                                protocol)
    found += stale_conditions(session, protocol, now)
    found += news2_conditions(score)
    return {c.key: c for c in found}, score
