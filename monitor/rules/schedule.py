"""Observation schedule: what is due when, and the minimum observation time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from monitor.protocols import Protocol
from monitor.session import Phase, Session

# Observation groups the header counts down; each maps to the series that satisfy it.
OBSERVATIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "bp": ("BP", ("sbp", "dbp")),
    "hr": ("HR", ("hr",)),
    "spo2": ("SpO2", ("spo2",)),
    "rr": ("RR", ("rr",)),
    "sedation": ("Sedation", ("moaas", "rass")),
}


@dataclass(frozen=True)
class Due:
    key: str
    label: str
    due_at: datetime
    overdue_s: float        # negative while not yet due

    @property
    def overdue(self) -> bool:
        return self.overdue_s > 0


def last_observed(session: Session, series_names: tuple[str, ...]) -> float | None:
    times = [s[0] for s in (session.series[n].last_valid() for n in series_names) if s]
    return max(times) if times else None


def cadence_min(session: Session, protocol: Protocol, group: str = "") -> float | None:
    """Minutes between observations in the current phase; sedation has its own cadence."""
    phase = {Phase.INFUSING: "infusing", Phase.RECOVERY: "recovery"}.get(session.phase)
    if phase is None:
        return None
    vitals = float(protocol.get(f"cadence.{phase}"))
    if group == "sedation":
        return float(protocol.get(f"cadence.sedation_{phase}", vitals))
    return vitals


def observation_schedule(session: Session, protocol: Protocol, now: datetime) -> list[Due]:
    """Next due time per observation group in the current phase (empty otherwise)."""
    if cadence_min(session, protocol) is None or session.infusion_started_at is None:
        return []
    anchor = session.infusion_started_at.timestamp()
    if session.phase == Phase.RECOVERY and session.infusion_stopped_at is not None:
        anchor = session.infusion_stopped_at.timestamp()
    out = []
    for key, (label, names) in OBSERVATIONS.items():
        if key == "sedation":
            names = (protocol.sedation_scale,)
        cadence = cadence_min(session, protocol, key) or 0.0
        last = last_observed(session, names)
        start = max(last, anchor) if last is not None else anchor
        due = start + cadence * 60.0
        out.append(Due(key, label, datetime.fromtimestamp(due, now.tzinfo),
                       now.timestamp() - due))
    return out


def rems_points(session: Session, protocol: Protocol, now: datetime) -> list[Due]:
    """REMS BP points after dosing (e.g. 40 min) not yet satisfied by a BP reading."""
    points = protocol.get("rems.bp_points_min") or []
    if session.infusion_started_at is None or not points:
        return []
    dosed = session.infusion_started_at.timestamp()
    bp = session.series["sbp"]
    out = []
    for minute in points:
        target = dosed + float(minute) * 60.0
        window = bp.valid_between(target - 5 * 60.0, float("inf"))
        if len(window):
            continue
        out.append(Due(f"rems{minute}", f"REMS BP at {minute} min",
                       datetime.fromtimestamp(target, now.tzinfo), now.timestamp() - target))
    return out


@dataclass(frozen=True)
class MinObservation:
    required_min: float
    elapsed_min: float
    counted_from: str = "dose"      # "dose" (single dose) or "end of infusion"
    running: bool = False           # the infusion has not ended: nothing counted yet

    @property
    def met(self) -> bool:
        return not self.running and self.elapsed_min >= self.required_min

    @property
    def remaining_min(self) -> float:
        return self.required_min if self.running else max(0.0, self.required_min
                                                           - self.elapsed_min)


def min_observation(session: Session, protocol: Protocol, now: datetime) -> MinObservation | None:
    """Minutes observed against the protocol's minimum (docs/alarms-and-protocols.md): counted from
    the dose for a single dose (esketamine: 120 min), from the END of an infusion —
    never from its start."""
    if session.infusion_started_at is None:
        return None
    required = float(protocol.get("protocol.min_observation_min"))
    end = session.discharged_at or now
    if session.dose_mode == "single":
        return MinObservation(required, (end - session.infusion_started_at)
                              / timedelta(minutes=1))
    stopped = session.infusion_stopped_at
    if stopped is None:
        return MinObservation(required, 0.0, "end of infusion", running=True)
    return MinObservation(required, (end - stopped) / timedelta(minutes=1), "end of infusion")
