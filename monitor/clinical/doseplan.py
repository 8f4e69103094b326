"""The protocol's dose plan, and how a dose entry or the running dose compares with it.

docs/alarms-and-protocols.md "Dose plan": a rate above the plan's maximum, a total past the
planned mg/kg (or mg for a single dose), or an infusion running past the
planned duration warns (medium) and asks for confirmation at entry; a total of
2x the plan or more, or a rate in the anaesthetic range (>= 1 mg/kg/h for a
low-dose protocol), is high.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from monitor.clinical.protocols import Protocol
from monitor.model.dosing import to_mg_per_h
from monitor.model.parameters import fmt
from monitor.model.session import Priority, Session


@dataclass(frozen=True)
class PlanFinding:
    priority: Priority  # medium or high
    message: str


def _rate_mg_kg_h(rate: float, unit: str, weight_kg: float,
                  concentration: float | None = None) -> float:
    return to_mg_per_h(rate, unit, weight_kg, concentration) / weight_kg if weight_kg else 0.0


def plan_total_mg_kg(protocol: Protocol) -> float | None:
    """Planned total: given in the plan, else planned rate x duration (mg/kg/h plans)."""
    plan = protocol.dose_plan
    if plan.total_mg_kg is not None:
        return float(plan.total_mg_kg)
    rate, minutes = plan.rate, plan.duration_min
    if rate is None or minutes is None or plan.rate_unit != "mg/kg/h":
        return None
    return float(rate) * float(minutes) / 60.0


def rate_findings(protocol: Protocol, rate: float, unit: str, weight_kg: float,
                  concentration: float | None = None) -> list[PlanFinding]:
    """A rate compared with the plan's maximum and the low-dose ceiling."""
    per_kg = _rate_mg_kg_h(rate, unit, weight_kg, concentration)
    shown = f"{fmt(rate)} {unit}" + ("" if unit == "mg/kg/h" else f" ({per_kg:.2f} mg/kg/h)")
    anaesthetic = protocol.dose_plan.anaesthetic_rate_mg_kg_h
    if anaesthetic and per_kg >= float(anaesthetic):
        return [PlanFinding(Priority.HIGH, f"Rate {shown} is sedation-level dosing, in the "
                                    f"anaesthetic range (≥ {fmt(float(anaesthetic))} mg/kg/h, "
                                    "the low-dose ceiling)")]
    plan = protocol.dose_plan
    plan_max = plan.rate_max if plan.rate_max is not None else plan.rate
    if plan_max is None:
        return []
    max_unit = plan.rate_unit or "mg/kg/h"
    max_per_kg = _rate_mg_kg_h(float(plan_max), max_unit, weight_kg)
    if per_kg > max_per_kg + 1e-9:
        return [PlanFinding(Priority.MEDIUM, f"Rate {shown} is above the plan's maximum "
                                      f"{fmt(float(plan_max))} {max_unit}")]
    return []


def total_findings(protocol: Protocol, total_mg: float, weight_kg: float) -> list[PlanFinding]:
    """A total dose (mg) compared with the planned total (mg/kg, or mg for a single dose)."""
    if protocol.dose_mode == "single":
        plan = protocol.dose_plan
        planned = plan.max_dose_mg if plan.max_dose_mg is not None else plan.dose_mg
        if planned is None:
            return []
        planned_mg, shown, plan_shown = float(planned), f"{fmt(total_mg)} mg", f"{fmt(planned)} mg"
    else:
        per_kg = plan_total_mg_kg(protocol)
        if per_kg is None or not weight_kg:
            return []
        planned_mg = per_kg * weight_kg
        shown = f"{total_mg / weight_kg:.2f} mg/kg ({total_mg:.1f} mg)"
        plan_shown = f"{fmt(round(per_kg, 3))} mg/kg"
    if total_mg >= 2 * planned_mg - 1e-9:
        return [PlanFinding(Priority.HIGH,
                            f"Dose {shown} is at least twice the plan's {plan_shown}")]
    if total_mg > planned_mg + 1e-9:
        return [PlanFinding(Priority.MEDIUM, f"Dose {shown} is past the plan's {plan_shown}")]
    return []


def running_min(session: Session, when: datetime) -> float:
    """Minutes the infusion has been running (rate above 0) up to ``when``."""
    t = when.timestamp()
    points = session.timeline.points
    total = 0.0
    for (t0, rate), nxt in zip(points, [*points[1:], None], strict=False):
        if t0 >= t:
            break
        if rate > 0:
            total += (min(nxt[0], t) if nxt is not None else t) - t0
    return total / 60.0


def duration_findings(session: Session, protocol: Protocol, when: datetime) -> list[PlanFinding]:
    planned = protocol.dose_plan.duration_min
    if planned is None or protocol.dose_mode != "infusion" or session.rate_mg_per_h(when) <= 0:
        return []
    ran = running_min(session, when)
    if ran > float(planned) + 1e-9:
        return [PlanFinding(Priority.MEDIUM, f"Infusion running {ran:.0f} min, past the plan's "
                                      f"{fmt(float(planned))} min")]
    return []


def running_findings(session: Session, protocol: Protocol, now: datetime) -> list[PlanFinding]:
    """What the dose given so far and the current rate say against the plan."""
    if session.infusion_started_at is None:
        return []
    out = total_findings(protocol, session.dose_mg(now), session.weight_kg)
    if session.rate_display and not session.paused and session.infusion_stopped_at is None:
        rate, unit = session.rate_display
        out += rate_findings(protocol, rate, unit, session.weight_kg, session.concentration)
    out += duration_findings(session, protocol, now)
    return out


def bolus_findings(protocol: Protocol, bolus_mg: float, weight_kg: float) -> list[PlanFinding]:
    """One bolus against the low-dose ceiling (0.5 mg/kg by default; CLINICAL §7)."""
    ceiling = protocol.dose_plan.bolus_ceiling_mg_kg
    if protocol.dose_mode != "infusion" or not ceiling or not weight_kg:
        return []
    per_kg = bolus_mg / weight_kg
    if per_kg > float(ceiling) + 1e-9:
        return [PlanFinding(Priority.HIGH, f"Bolus {fmt(bolus_mg)} mg ({per_kg:.2f} mg/kg) is "
                                    "sedation-level dosing, above the low-dose ceiling of "
                                    f"{fmt(float(ceiling))} mg/kg")]
    return []


def device_findings(protocol: Protocol, dose_mg: float) -> list[PlanFinding]:
    """An esketamine dose that is not a whole number of devices (28 mg each)."""
    device = protocol.dose_plan.device_mg
    if protocol.dose_mode != "single" or not device:
        return []
    count = dose_mg / float(device)
    if abs(count - round(count)) > 1e-9:
        return [PlanFinding(Priority.MEDIUM, f"Dose {fmt(dose_mg)} mg is not a whole number of "
                                      f"{fmt(float(device))} mg devices (56 mg = 2, "
                                      "84 mg = 3): check the dose")]
    return []


def entry_warnings(session: Session, protocol: Protocol, *, rate: float | None = None,
                   unit: str | None = None, concentration: float | None = None,
                   bolus_mg: float | None = None, when: datetime) -> list[str]:
    """Warnings a dose entry needs confirmed: the rate, the bolus and the total it
    leads to."""
    found: list[PlanFinding] = []
    if rate is not None and unit is not None:
        found += rate_findings(protocol, rate, unit, session.weight_kg,
                               concentration or session.concentration)
    if bolus_mg is not None:
        if session.infusion_started_at is not None:
            found += bolus_findings(protocol, bolus_mg, session.weight_kg)
        found += total_findings(protocol, session.dose_mg(when) + bolus_mg, session.weight_kg)
        found += device_findings(protocol, bolus_mg)
    return [f"{f.message} ({'HIGH' if f.priority is Priority.HIGH else 'warning'}; "
            f"plan: {protocol.dose_plan.text})" for f in found]
