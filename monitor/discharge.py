"""Discharge checklist: automatic checks plus the nurse's confirmations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from monitor.clock import to_iso
from monitor.errors import FieldError
from monitor.parameters import fmt
from monitor.protocols import Protocol
from monitor.rules.schedule import min_observation
from monitor.session import Session

if TYPE_CHECKING:
    from monitor.recorder import Recorder

PRE_DISCHARGE_BP_MIN = 30


@dataclass(frozen=True)
class Check:
    key: str
    label: str
    ok: bool
    detail: str


def automatic_checks(session: Session, protocol: Protocol, now: datetime) -> list[Check]:
    band = float(protocol.get("protocol.discharge_band_pct", 20))
    base = session.baseline()
    out = []
    far = []
    for param in ("sbp", "dbp", "hr"):
        latest = session.latest(param)
        if latest is None or param not in base:
            far.append(f"{param.upper()} missing")
            continue
        if abs(latest[1] - base[param]) > base[param] * band / 100:
            far.append(f"{param.upper()} {fmt(latest[1])} vs baseline {fmt(base[param])}")
    out.append(Check("vitals_in_band", f"Vitals within ±{fmt(band)}% of baseline", not far,
                     "; ".join(far) or "yes"))
    scale = protocol.sedation_scale
    latest = session.latest(scale)
    if latest is None or scale not in base:
        sed_ok = False
    elif scale == "moaas":
        sed_ok = latest[1] >= base[scale]
    else:  # RASS: back to the baseline level
        sed_ok = latest[1] == base[scale]
    out.append(Check("sedation_at_baseline", "Sedation back to baseline", bool(sed_ok),
                     "yes" if sed_ok else (
                         "no recent score" if latest is None or scale not in base
                         else f"{fmt(latest[1])} vs baseline {fmt(base[scale])}")))
    active = session.active_alarms()
    out.append(Check("no_active_alarm", "No active alarm", not active,
                     "yes" if not active else "; ".join(a.message for a in active[:3])))
    mo = min_observation(session, protocol, now)
    met = mo is not None and mo.met
    out.append(Check("min_observation_met", "Minimum observation time met", met,
                     "not dosed" if mo is None else
                     f"{mo.elapsed_min:.0f} of {mo.required_min:.0f} min"))
    bp = session.latest("sbp")
    recent = bp is not None and now.timestamp() - bp[0] <= PRE_DISCHARGE_BP_MIN * 60
    out.append(Check("bp_before_discharge", f"BP within the last {PRE_DISCHARGE_BP_MIN} min",
                     recent, "yes" if recent else "record a BP before discharge"))
    return out


def validate_discharge(recorder: Recorder, checklist: dict[str, Any],
                       errors: list[FieldError]) -> dict[str, Any]:
    """Build the discharge payload; refuse unconfirmed items and unexplained overrides."""
    now = recorder.clock.now()
    session = recorder.session
    checks = automatic_checks(session, recorder.protocol, now)
    failing = [c for c in checks if not c.ok]
    override = str(checklist.get("override_reason") or "").strip()
    if failing and not override:
        errors.append(FieldError("override_reason", "Reason to discharge anyway", "",
                                 "required because: " + "; ".join(
                                     f"{c.label}: {c.detail}" for c in failing)))
    for key, label in (("escort_present", "Escort present"),
                       ("no_driving_advice", "No-driving advice given")):
        if checklist.get(key) is not True:
            errors.append(FieldError(key, label, "no", "confirm before discharge"))
    ready = checklist.get("ready_to_leave_at")
    if not isinstance(ready, datetime) or ready.tzinfo is None:
        errors.append(FieldError("ready_to_leave_at", "Ready to leave at", str(ready or ""),
                                 "a time"))
    elif session.infusion_started_at and ready < session.infusion_started_at:
        errors.append(FieldError("ready_to_leave_at", "Ready to leave at", ready.isoformat(),
                                 "not before dosing"))
    elif ready > now + timedelta(minutes=1):
        errors.append(FieldError("ready_to_leave_at", "Ready to leave at", ready.isoformat(),
                                 "not in the future"))
    return {
        "checks": {c.key: {"ok": c.ok, "detail": c.detail} for c in checks},
        "escort_present": checklist.get("escort_present") is True,
        "no_driving_advice": checklist.get("no_driving_advice") is True,
        "ready_to_leave_at": to_iso(ready) if isinstance(ready, datetime) else None,
        "override_reason": override or None,
    }
