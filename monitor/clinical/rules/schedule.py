"""Observation schedule: what is due when, and the minimum observation time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from monitor.clinical.protocols import Protocol
from monitor.model.session import Phase, Session

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
    missed: bool = False    # a timed point whose window closed: it can no longer be met

    @property
    def overdue(self) -> bool:
        """Late and still possible (a missed point is shown as missed, it does not alarm)."""
        return self.overdue_s > 0 and not self.missed


def last_observed(session: Session, series_names: tuple[str, ...]) -> float | None:
    times = [s[0] for s in (session.series[n].last_valid() for n in series_names) if s]
    return max(times) if times else None


def cadence_min(session: Session, protocol: Protocol, group: str = "") -> float | None:
    """Minutes between observations in the current phase; sedation has its own cadence."""
    cadence = protocol.cadence
    minutes = (cadence.sedation(session.phase) if group == "sedation"
               else cadence.vitals(session.phase))
    return None if minutes is None else float(minutes)


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


def rems_window(protocol: Protocol, minute: float) -> tuple[float, float]:
    """Minutes after dosing in which a BP counts for a REMS point: for the "40-min" BP
    the protocol's window (30-50 min); for any other point ±10 min. One window serves
    the prompt, the overdue alarm and the form (CLINICAL §7)."""
    if float(minute) == 40 and protocol.rems.bp40_window_min:
        lo, hi = (float(v) for v in protocol.rems.bp40_window_min)
        return lo, hi
    return float(minute) - 10, float(minute) + 10


def rems_point_met(session: Session, protocol: Protocol, minute: float) -> bool:
    """Whether a valid BP lies inside the point's window."""
    start = session.infusion_started_at
    if start is None:
        return False
    lo, hi = rems_window(protocol, minute)
    t0 = start.timestamp()
    return bool(session.series["sbp"].valid_between(t0 + lo * 60, t0 + hi * 60))


def rems_points(session: Session, protocol: Protocol, now: datetime) -> list[Due]:
    """REMS BP points after dosing (the "40-min" BP) not met by a BP inside their window.
    Due at the point, overdue after it; once the window has closed the point is missed
    and stays listed as missed (it no longer raises the overdue alarm)."""
    points = protocol.rems.bp_points_min or ()
    if session.infusion_started_at is None or not points:
        return []
    dosed = session.infusion_started_at.timestamp()
    out = []
    for minute in points:
        if rems_point_met(session, protocol, minute):
            continue
        lo, hi = rems_window(protocol, minute)
        target = dosed + float(minute) * 60.0
        missed = now.timestamp() > dosed + hi * 60.0
        label = (f"REMS BP at {minute} min missed (none {lo:g}–{hi:g} min)" if missed
                 else f"REMS BP at {minute} min")
        out.append(Due(f"rems{minute}", label, datetime.fromtimestamp(target, now.tzinfo),
                       now.timestamp() - target, missed))
    return out


@dataclass(frozen=True)
class MinObservation:
    required_min: float
    elapsed_min: float
    counted_from: str = "dose"      # "dose", "end of infusion" or "last dose, … at HH:MM"
    running: bool = False           # the infusion has not ended: nothing counted yet

    @property
    def met(self) -> bool:
        return not self.running and self.elapsed_min >= self.required_min

    @property
    def remaining_min(self) -> float:
        return self.required_min if self.running else max(0.0, self.required_min
                                                           - self.elapsed_min)


def last_drug(session: Session) -> tuple[datetime, str] | None:
    """When the last ketamine was given and what it was: the single dose, the end of the
    infusion, or a later bolus, further device or ketamine recorded as a medication
    (CLINICAL §7: observation runs from the LAST drug). None while an infusion runs or
    before dosing."""
    start = session.infusion_started_at
    if start is None:
        return None
    if session.dose_mode == "single":
        anchor, what = start, "dose"
    elif session.infusion_stopped_at is None:
        return None
    else:
        anchor, what = session.infusion_stopped_at, "end of infusion"
    later = [(t, f"{mg:g} mg") for t, mg in session.timeline.boluses[-1:]]
    later += session.ketamine_medications
    t, given = max(later, default=(float("-inf"), ""))
    if t > anchor.timestamp():
        anchor = datetime.fromtimestamp(t, anchor.tzinfo)
        what = f"last dose, {given} at {anchor.astimezone():%H:%M}"
    return anchor, what


def min_observation(session: Session, protocol: Protocol, now: datetime) -> MinObservation | None:
    """Minutes observed against the protocol's minimum (docs/alarms-and-protocols.md): counted
    from the LAST drug given: the single dose (esketamine: 120 min), the END of an infusion
    (never its start), or any later bolus or further device, which restarts it."""
    if session.infusion_started_at is None:
        return None
    required = float(protocol.header.min_observation_min)
    end = session.discharged_at or now
    last = last_drug(session)
    if last is None:
        return MinObservation(required, 0.0, "end of infusion", running=True)
    anchor, what = last
    return MinObservation(required, (end - anchor) / timedelta(minutes=1), what)
