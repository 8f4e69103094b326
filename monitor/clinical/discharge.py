"""Discharge checklist: automatic checks plus the nurse's confirmations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from monitor.clinical.discharge_override import AGAINST_ADVICE, validate_override
from monitor.clinical.protocols import Protocol
from monitor.clinical.rules.condition import lead_reason
from monitor.clinical.rules.conditions import consciousness, effective_limits
from monitor.clinical.rules.engine import evaluate
from monitor.clinical.rules.schedule import min_observation
from monitor.clock import to_iso
from monitor.errors import FieldError
from monitor.model.parameters import fmt, label
from monitor.model.session import Session

PRE_DISCHARGE_BP_MIN = 30
ALDRETE_MIN = 9
# The two modified Aldrete items only the nurse can rate (0-2 each).
ALDRETE_NURSE_ITEMS = {
    "aldrete_activity": ("Activity", ("no movement", "moves 2 limbs", "moves 4 limbs")),
    "aldrete_respiration": ("Respiration", ("apnoeic", "dyspnoea or limited breathing",
                                            "breathes deeply, coughs freely")),
}


@dataclass(frozen=True)
class Check:
    key: str
    label: str
    ok: bool
    detail: str


def _after_dose(session: Session, name: str) -> tuple[float, float, int] | None:
    """Newest valid reading of ``name`` taken after dosing began."""
    latest = session.latest(name)
    start = session.infusion_started_at
    if latest is None or start is None or latest[0] <= start.timestamp():
        return None
    return latest


RASS_AGITATED = 2  # RASS +2 and above is agitation


def sedation_back(scale: str, baseline: float, now: float) -> bool:
    """Back to the pre-dose score: MOAA/S not below it; RASS not deeper than the baseline
    (or 0, whichever is deeper) and not agitated (below +2)."""
    if scale == "moaas":
        return now >= baseline
    return min(baseline, 0.0) <= now < RASS_AGITATED


def _sedation(session: Session, protocol: Protocol, base: dict[str, float]) -> Check:
    scale = protocol.sedation_scale
    name = "MOAA/S" if scale == "moaas" else "RASS"
    latest = _after_dose(session, scale)
    if scale not in base:
        ok, detail = False, f"no pre-dose {name} score"
    elif latest is None:
        ok, detail = False, f"no {name} score recorded after dosing"
    else:
        ok = sedation_back(scale, base[scale], latest[1])
        detail = "yes" if ok else f"{fmt(latest[1])} vs baseline {fmt(base[scale])}"
    return Check("sedation_at_baseline", "Sedation back to baseline", ok, detail)


def _dissociation(session: Session, base: dict[str, float]) -> Check:
    """CADSS-6 total and the 0-10 rating back to the pre-dose level, or <= 1."""
    seen, far = [], []
    for name, shown in (("cadss6_total", "CADSS-6"), ("dissociation", "rating")):
        latest = _after_dose(session, name)
        if latest is None:
            continue
        seen.append(name)
        allowed = max(base.get(name, 0.0), 1.0)
        if latest[1] > allowed:
            far.append(f"{shown} {fmt(latest[1])} > {fmt(allowed)}")
    ok = bool(seen) and not far
    detail = "; ".join(far) if far else ("yes" if seen else "no dissociation rating after dosing")
    return Check("dissociation_resolved", "Dissociation resolved", ok, detail)


def _bp_band(session: Session, band: float, base: dict[str, float]) -> Check:
    far = []
    for param in ("sbp", "dbp"):
        latest = session.latest(param)
        if latest is None or param not in base:
            far.append(f"{param.upper()} missing")
        elif abs(latest[1] - base[param]) > base[param] * band / 100:
            far.append(f"{param.upper()} {fmt(latest[1])} vs baseline {fmt(base[param])}")
    return Check("bp_in_band", f"BP within ±{fmt(band)}% of baseline", not far,
                 "; ".join(far) or "yes")


def _spo2_rr(session: Session, protocol: Protocol) -> Check:
    """SpO2 and RR inside every alarm limit (the protocol's, with this session's changes)."""
    far = []
    for param in ("spo2", "rr"):
        latest = _after_dose(session, param)
        if latest is None:
            far.append(f"{label(param)} not recorded after dosing")
            continue
        lim = effective_limits(session, protocol, param)
        low = max((lim[k] for k in ("medium_low", "high_low") if k in lim), default=None)
        high = min((lim[k] for k in ("medium_high", "high_high") if k in lim), default=None)
        if (low is not None and latest[1] <= low) or (high is not None and latest[1] >= high):
            far.append(f"{label(param)} {fmt(latest[1])}")
    return Check("spo2_rr_in_band", "SpO2 and RR in band", not far, "; ".join(far) or "yes")


def aldrete(session: Session, protocol: Protocol,
            nurse_items: dict[str, int] | None = None) -> dict[str, int | None]:
    """Modified Aldrete items (0-2 each): circulation, consciousness and SpO2 from the
    record, activity and respiration as rated by the nurse (None: not rated)."""
    base = session.baseline()
    items: dict[str, int | None] = {k: (nurse_items or {}).get(k) for k in ALDRETE_NURSE_ITEMS}
    sbp = session.latest("sbp")
    if sbp is None or "sbp" not in base:
        items["circulation"] = None
    else:
        change = abs(sbp[1] - base["sbp"]) / base["sbp"] * 100
        items["circulation"] = 2 if change <= 20 else 1 if change < 50 else 0
    level = consciousness(session, protocol)
    items["consciousness"] = None if level is None else {"A": 2, "V": 1, "C": 1}.get(level[1], 0)
    spo2, o2 = session.latest("spo2"), session.choice("o2")
    on_oxygen = o2 is not None and o2[1] == "oxygen"
    items["spo2"] = None if spo2 is None else (
        2 if spo2[1] > 92 and not on_oxygen else 1 if spo2[1] > 90 else 0)
    return items


def _aldrete_check(session: Session, protocol: Protocol,
                   nurse_items: dict[str, int] | None) -> Check:
    items = aldrete(session, protocol, nurse_items)
    missing = [ALDRETE_NURSE_ITEMS[k][0] if k in ALDRETE_NURSE_ITEMS else k
               for k, v in items.items() if v is None]
    if missing:
        return Check("aldrete", f"Modified Aldrete ≥ {ALDRETE_MIN}", False,
                     "rate " + ", ".join(missing).lower())
    total = sum(v for v in items.values() if v is not None)
    parts = ", ".join(f"{k.removeprefix('aldrete_')} {v}" for k, v in items.items())
    return Check("aldrete", f"Modified Aldrete ≥ {ALDRETE_MIN}", total >= ALDRETE_MIN,
                 f"{total}/10 ({parts})")


def _alarm_texts(session: Session, protocol: Protocol, now: datetime, *,
                 lead: bool = False) -> str:
    """The active alarms as the banner words them (Evaluation.alarm_text: the reason
    as it stands now, SBP 205, not the 188 that raised it); ``lead``: each by its
    leading reason only, as the banner's headline."""
    evaluation = evaluate(session, protocol, now)
    texts = ((a.priority, evaluation.alarm_text(a)) for a in session.active_alarms())
    return "; ".join(f"{priority.upper()} {lead_reason(text) if lead else text}"
                     for priority, text in texts)


def active_alarm_headlines(session: Session, protocol: Protocol, now: datetime) -> str:
    """The active alarms by their headlines, for a checklist line beside the banner
    that shows the rest ("HIGH SBP 190 ≥ 180; HIGH HR 135 ≥ 131"); "" when none."""
    return _alarm_texts(session, protocol, now, lead=True)


def automatic_checks(session: Session, protocol: Protocol, now: datetime,
                     nurse_items: dict[str, int] | None = None) -> list[Check]:
    """The discharge criteria of docs/alarms-and-protocols.md, each with what was found."""
    band = float(protocol.header.discharge_band_pct)
    base = session.baseline()
    mo = min_observation(session, protocol, now)
    if mo is None:
        mo_detail = "not dosed"
    elif mo.running:
        mo_detail = f"counted from the end of the infusion ({mo.required_min:.0f} min)"
    else:
        mo_detail = f"{mo.elapsed_min:.0f} of {mo.required_min:.0f} min from the {mo.counted_from}"
    active = session.active_alarms()
    bp = session.latest("sbp")
    recent = bp is not None and now.timestamp() - bp[0] <= PRE_DISCHARGE_BP_MIN * 60
    return [
        Check("min_observation_met", "Minimum observation time met",
              mo is not None and mo.met, mo_detail),
        _sedation(session, protocol, base),
        _dissociation(session, base),
        _bp_band(session, band, base),
        _spo2_rr(session, protocol),
        Check("no_active_alarm", "No active alarm", not active,
              "yes" if not active else _alarm_texts(session, protocol, now)),
        Check("bp_before_discharge", f"BP within the last {PRE_DISCHARGE_BP_MIN} min",
              recent, "yes" if recent else "record a BP before discharge"),
        _aldrete_check(session, protocol, nurse_items),
    ]


def saved_checks(discharge: dict[str, Any]) -> list[Check]:
    """The checks as saved at discharge, each in the words the window shows them
    ("Minimum observation time met"); a record saved before labels were kept
    gives its key in words."""
    return [Check(key, str(c.get("label") or key.replace("_", " ").capitalize()),
                  bool(c["ok"]), str(c["detail"]))
            for key, c in discharge.get("checks", {}).items()]


# What the nurse confirms by ticking, in the window's words.
NURSE_CONFIRMS = {"escort_present": "Escort present",
                  "no_driving_advice": "No-driving advice given"}
READY_TO_LEAVE = "Ready to leave at"


def nurse_aldrete(checklist: dict[str, Any], errors: list[FieldError]) -> dict[str, int]:
    out = {}
    for key, (name, _levels) in ALDRETE_NURSE_ITEMS.items():
        value = checklist.get(key)
        if value in (None, ""):
            continue
        if isinstance(value, bool) or value not in (0, 1, 2, "0", "1", "2"):
            errors.append(FieldError(key, f"Aldrete {name.lower()}", str(value), "0, 1 or 2"))
        else:
            out[key] = int(value)
    return out


def validate_discharge(session: Session, protocol: Protocol, now: datetime,
                       checklist: dict[str, Any], errors: list[FieldError]) -> dict[str, Any]:
    """Build the discharge payload; refuse unconfirmed items, and unmet checks without a
    prescriber's decision or "left against advice" (monitor.clinical.discharge_override)."""
    items = nurse_aldrete(checklist, errors)
    checks = automatic_checks(session, protocol, now, items)
    override = validate_override(checklist, [c for c in checks if not c.ok], errors)
    for key, title in NURSE_CONFIRMS.items():
        # A patient who leaves against advice may go alone: the record says what was so.
        if checklist.get(key) is not True and override["override"] != AGAINST_ADVICE:
            errors.append(FieldError(key, title, "no", "confirm before discharge"))
    ready = checklist.get("ready_to_leave_at")
    if not isinstance(ready, datetime) or ready.tzinfo is None:
        errors.append(FieldError("ready_to_leave_at", READY_TO_LEAVE, str(ready or ""),
                                 "a time"))
    elif session.infusion_started_at and ready < session.infusion_started_at:
        errors.append(FieldError("ready_to_leave_at", "Ready to leave at", ready.isoformat(),
                                 "not before dosing"))
    elif ready > now + timedelta(minutes=1):
        errors.append(FieldError("ready_to_leave_at", "Ready to leave at", ready.isoformat(),
                                 "not in the future"))
    return {
        "checks": {c.key: {"ok": c.ok, "label": c.label, "detail": c.detail} for c in checks},
        "escort_present": checklist.get("escort_present") is True,
        "no_driving_advice": checklist.get("no_driving_advice") is True,
        "ready_to_leave_at": to_iso(ready) if isinstance(ready, datetime) else None,
        **override,
        "aldrete": aldrete(session, protocol, items),
    }
