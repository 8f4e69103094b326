"""Alarm conditions: which rules are violated by the session at an instant.

Each rule yields reasons (a Condition with a stable rule key, a priority and
a message naming the parameter, the value and the limit). ``alarm_conditions``
then makes one alarm per parameter: the highest-priority reason shows, the
others are listed with it, so one BP reading is one alarm and one
acknowledgement (docs/alarms-and-protocols.md). Artifact readings never reach here: the
session's series marks them and ``last_valid`` skips them.
"""

from __future__ import annotations

from datetime import datetime

from monitor.clinical.doseplan import running_findings
from monitor.clinical.protocols import LIMIT_PARAMS, Protocol
from monitor.clinical.rules.condition import ALSO, Condition, group_of
from monitor.clinical.rules.news2 import News2Result
from monitor.clinical.rules.news2_live import consciousness as consciousness
from monitor.clinical.rules.news2_live import news2_now, spo2_scale, temperature_prompt
from monitor.clinical.rules.persistence import CONTINUOUS, is_stale, persistence_s, stale_after_s
from monitor.clinical.rules.pictures import one_picture, resp_depression
from monitor.clinical.rules.schedule import Due, observation_schedule, rems_points
from monitor.model.parameters import fmt, label, unit
from monitor.model.session import Phase, Priority, Session

PHYSIOLOGICAL = ("limit", "relative", "rate", "assessment")
DEFAULT_COMBINE = ("bp", "hr", "spo2", "temp", "etco2")


def effective_limits(session: Session, protocol: Protocol, param: str) -> dict[str, float]:
    """The protocol's limits (SpO2 on scale 2 when chosen for this patient) with the
    session's changes applied."""
    limits = protocol.limits(param)
    if param == "spo2" and spo2_scale(session, protocol) == 2:
        limits = protocol.limits("spo2_scale2") or limits
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


def limit_conditions(session: Session, protocol: Protocol,
                     now: datetime | None = None) -> list[Condition]:
    """Limit crossings. A continuous device value must stay beyond the limit for
    ``alarms.persistence_s`` (a 1 s dip does not alarm); a stale one raises nothing
    here (it raises "no data")."""
    out = []
    for param in LIMIT_PARAMS:
        latest = session.latest(param)
        if latest is None or (now is not None and is_stale(session, protocol, param, now)):
            continue
        t1, v, _ = latest
        streamed = param in CONTINUOUS and session.device_last.get(param) == t1
        persist = persistence_s(session, protocol, param)
        lim = effective_limits(session, protocol, param)
        for side, sym in (("high", "≥"), ("low", "≤")):
            for tier in (Priority.HIGH, Priority.MEDIUM):
                bound = lim.get(f"{tier}_{side}")
                if bound is None:
                    continue
                def beyond(x: float, b: float = bound, s: str = side) -> bool:
                    return x >= b if s == "high" else x <= b
                if not beyond(v):
                    continue
                if streamed and persist and not session.series[param].held_for(
                        beyond, persist, device_only=True):
                    continue  # not yet persistent: a lower tier may be
                out.append(Condition(
                    f"limit:{param}:{side}", "limit", param, tier,
                    f"{label(param)} {fmt(v)} {sym} {fmt(bound)}", v, bound))
                break
    return out


def relative_conditions(session: Session, protocol: Protocol) -> list[Condition]:
    """Change from this patient's baseline: a rise (label categories) or a fall
    (hypotension relative to this patient)."""
    out = []
    base = session.baseline() if session.infusion_started_at else {}
    for param, rule in protocol.relative.items():
        latest = session.latest(param)
        if latest is None or param not in base:
            continue
        v, b = latest[1], base[param]
        rise, rise_pct = rule.medium_rise, rule.medium_rise_pct
        fall, fall_pct = rule.medium_fall, rule.medium_fall_pct
        name, u = label(param), _unit(param)
        if rise is not None and v - b >= rise:
            out.append(Condition(f"relative:{param}", "relative", param, Priority.MEDIUM,
                                 f"{name} +{fmt(v - b)}{u} over baseline {fmt(b)}", v, b + rise))
        elif rise_pct is not None and b and (v - b) / b * 100 >= rise_pct:
            out.append(Condition(f"relative:{param}", "relative", param, Priority.MEDIUM,
                                 f"{name} +{(v - b) / b * 100:.0f}% over baseline {fmt(b)}",
                                 v, b * (1 + rise_pct / 100)))
        elif fall is not None and b - v >= fall:
            out.append(Condition(f"relative_fall:{param}", "relative", param, Priority.MEDIUM,
                                 f"{name} −{fmt(b - v)}{u} below baseline {fmt(b)}", v, b - fall))
        elif fall_pct is not None and b and (b - v) / b * 100 >= fall_pct:
            out.append(Condition(f"relative_fall:{param}", "relative", param, Priority.MEDIUM,
                                 f"{name} −{(b - v) / b * 100:.0f}% below baseline {fmt(b)} "
                                 f"(limit −{fmt(fall_pct)}%)", v, b * (1 - fall_pct / 100)))
    return out


def rate_conditions(session: Session, protocol: Protocol,
                    now: datetime | None = None) -> list[Condition]:
    """A rise (or fall) within the window, while the value is still rising (falling):
    the alarm ends when the newest reading is no longer the window's extreme. A
    ``device_only`` rule reads the monitor's stream, with the persistence delay, and
    not once the stream is stale at ``now``."""
    out = []
    for param, rule in protocol.rate_of_change.items():
        latest = session.latest(param)
        if latest is None:
            continue
        t1, v1, _ = latest
        streamed = rule.device_only
        if streamed and (session.device_last.get(param) != t1 or (
                now is not None and is_stale(session, protocol, param, now))):
            continue
        series = session.series[param]
        window = series.valid_between(t1 - rule.window_min * 60.0, t1, streamed)
        if len(window) < 2:
            continue
        rise, fall = v1 - min(window), max(window) - v1
        if rule.rise is not None and rise >= rule.rise and v1 >= max(window):
            change, word, limit = rise, "up", rule.rise
        elif rule.fall is not None and fall >= rule.fall and v1 <= min(window):
            change, word, limit = fall, "down", rule.fall
        else:
            continue
        persist = persistence_s(session, protocol, param)
        if streamed and persist:  # a monitor's trend must persist, like its limits
            up = word == "up"
            edge = min(window) + limit if up else max(window) - limit
            def beyond(x: float, e: float = edge, u: bool = up) -> bool:
                return x >= e if u else x <= e

            if not series.held_for(beyond, persist, device_only=True):
                continue
        out.append(Condition(
            f"rate:{param}", "rate", param, rule.priority,
            f"{label(param)} {word} {fmt(change)}{_unit(param)} in {fmt(rule.window_min)} min "
            f"(≥ {fmt(limit)})", v1, limit))
    return out


def assessment_conditions(session: Session, protocol: Protocol) -> list[Condition]:
    """Sedation deeper than baseline (MOAA/S: any drop; RASS: a drop of 2 or more),
    and dissociation past the clinic's level. With no pre-dose score (a start the nurse
    confirmed without one) an alert outpatient is assumed (MOAA/S 5, RASS 0: clinic-
    editable as ``assessment.assumed_<scale>``), and the alarm says so."""
    out = []
    base = session.baseline()
    for scale in ("moaas", "rass"):
        latest = session.latest(scale)
        if latest is None or not session.infusion_started_at:
            continue
        assumed = scale not in base
        before = float(protocol.assessment.assumed(scale) if assumed else base[scale])
        drop = float(protocol.assessment.drop(scale))
        if before - latest[1] >= drop:
            out.append(Condition(
                f"assessment:{scale}_drop", "assessment", scale,
                protocol.assessment.drop_priority(scale),
                f"{label(scale)} {fmt(latest[1])}, down from "
                + (f"{fmt(before)} assumed (no pre-dose score: alert outpatient)" if assumed
                   else f"baseline {fmt(before)}")
                + ("" if scale == "moaas" else f" (≥ {fmt(drop)})"),
                latest[1], before))
    level = protocol.assessment.dissociation_level
    cadss = session.latest("cadss6_total")
    if level and cadss is not None and cadss[1] >= level:
        out.append(Condition("assessment:dissociation", "assessment", "cadss6_total",
                             Priority.MEDIUM, f"CADSS-6 {fmt(cadss[1])} ≥ {fmt(level)}",
                             cadss[1], level))
    return out


def dose_conditions(session: Session, protocol: Protocol, now: datetime) -> list[Condition]:
    """The dose plan (docs/alarms-and-protocols.md): off-plan rate, total or duration."""
    return [Condition(f"dose:{i}", "dose", "dose", f.priority, f.message)
            for i, f in enumerate(running_findings(session, protocol, now))]


def due_list(session: Session, protocol: Protocol, now: datetime) -> list[Due]:
    """What is due now: the observation cadence and, for the REMS preset, its BP points."""
    return [*observation_schedule(session, protocol, now), *rems_points(session, protocol, now)]


def overdue_conditions(dues: list[Due], protocol: Protocol) -> list[Condition]:
    """One overdue alarm per round: low once anything is due, medium past the grace
    period, never high (docs/alarms-and-protocols.md). Recording the observation clears it."""
    late = [d for d in dues if d.overdue]  # a missed REMS point is shown, not alarmed
    if not late:
        return []
    grace = float(protocol.cadence.overdue_grace_min) * 60.0
    worst = max(d.overdue_s for d in late)
    listed = ", ".join(f"{d.label} {int(d.overdue_s // 60)} min" for d in late)
    past_grace = protocol.alarms.overdue_priority  # low or medium, never high
    priority = past_grace if worst > grace else Priority.LOW
    return [Condition("overdue", "overdue", "overdue", priority,
                      f"Observations overdue: {listed}", worst / 60.0, grace / 60.0)]


def stale_conditions(session: Session, protocol: Protocol, now: datetime) -> list[Condition]:
    """"No data" for a monitor stream that stopped, from the first sample on (a monitor
    bound before dosing that goes silent too); NIBP is episodic and never stale."""
    if session.phase not in (Phase.BASELINE, Phase.INFUSING, Phase.RECOVERY):
        return []
    out = []
    for param, t in sorted(session.device_last.items()):
        if is_stale(session, protocol, param, now):
            limit = stale_after_s(session, protocol, param)
            out.append(Condition(f"stale:{param}", "stale", param, Priority.LOW,
                                 f"{label(param)} no data from the monitor for "
                                 f"{int(now.timestamp() - t)} s (> {fmt(limit)} s)"))
    return out


def temperature_conditions(session: Session, protocol: Protocol, score: News2Result,
                           now: datetime) -> list[Condition]:
    """NEWS2 needs a temperature: a low prompt (never escalated, never latched) when the
    last is older than the NEWS2 window (CLINICAL §7)."""
    prompt = temperature_prompt(session, protocol, score, now)
    if prompt is None:
        return []
    message, age, window = prompt
    return [Condition("due:temp", "overdue", "temp", Priority.LOW, message, age, window)]


def news2_conditions(result: News2Result) -> list[Condition]:
    if result.total is None:
        return []
    if result.total >= 7:
        return [Condition("news2", "news2", "news2", Priority.HIGH,
                          f"NEWS2 {result.total} ≥ 7: {result.response}", result.total, 7)]
    if result.total >= 5 or result.three_in_one:
        why = f"NEWS2 {result.total} ≥ 5" if result.total >= 5 else (
            f"NEWS2 {result.total} with 3 in one parameter")
        return [Condition("news2", "news2", "news2", Priority.MEDIUM,
                          f"{why}: {result.response}", result.total, 5)]
    return []


def combined_condition(conditions: list[Condition], protocol: Protocol) -> list[Condition]:
    """Two concurrent medium limit warnings on independent vital signs (e.g. SBP and
    SpO2), and no high one: one high alarm. Sedation scores, RR (10–11 is an expected
    ketamine effect) and changes from baseline do not combine (docs/alarms-and-protocols.md)."""
    groups = set(protocol.alarms.combine_parameters or DEFAULT_COMBINE)
    physio = [c for c in conditions if c.rule in PHYSIOLOGICAL]
    if any(c.priority is Priority.HIGH for c in physio):
        return []
    medium = [c for c in physio if c.priority is Priority.MEDIUM and c.rule == "limit"
              and group_of(c.parameter) in groups]
    if len({group_of(c.parameter) for c in medium}) < 2:
        return []
    listed = "; ".join(c.message for c in medium[:3])
    return [Condition("combined", "combined", "combined", Priority.HIGH,
                      f"{len(medium)} concurrent warnings: {listed}")]


def evaluate_conditions(session: Session, protocol: Protocol, now: datetime,
                        dues: list[Due] | None = None
                        ) -> tuple[dict[str, Condition], News2Result]:
    """Every reason found at ``now``, by rule key (before one-per-parameter merging)."""
    score = news2_now(session, protocol, now)
    if session.phase in (Phase.DISCHARGED, Phase.CLOSED):
        return {}, score
    found = [*limit_conditions(session, protocol, now), *relative_conditions(session, protocol),
             *rate_conditions(session, protocol, now), *assessment_conditions(session, protocol)]
    if protocol.alarms.combine_two_medium:
        found += combined_condition(found, protocol)
    found += dose_conditions(session, protocol, now)
    found += overdue_conditions(due_list(session, protocol, now) if dues is None else dues,
                                protocol)
    found += stale_conditions(session, protocol, now)
    found += temperature_conditions(session, protocol, score, now)
    found += news2_conditions(score)
    found += resp_depression(session, protocol, found, now)
    return {c.key: c for c in one_picture(found, score, protocol)}, score


def alarm_conditions(reasons: dict[str, Condition]) -> dict[str, Condition]:
    """One alarm per parameter: the highest-priority reason (the first found among
    equals) shows, the others are listed with it. Keys are the parameter groups."""
    by_group: dict[str, list[Condition]] = {}
    for cond in reasons.values():
        by_group.setdefault(cond.group, []).append(cond)
    out = {}
    for group, conds in by_group.items():
        top = max(conds, key=lambda c: c.rank)  # max keeps the first of equals
        others = tuple(c.message for c in conds if c is not top)
        message = top.message + (f"{ALSO}{'; '.join(others)})" if others else "")
        out[group] = Condition(group, top.rule, top.parameter, top.priority, message,
                               top.value, top.limit, others)
    return out
