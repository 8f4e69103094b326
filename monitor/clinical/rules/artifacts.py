"""Artifact flags and alarms: what a flag may name, what an alarm rests on, and
which alarms a flag ends (CLINICAL §5).

A flag names the values it covers: a bad cuff reading is SBP, DBP and MAP, not
the SpO2 and HR taken with it. An alarm rests on the readings behind the reason
that raised it (or escalated it to its priority), kept in its events. When a
flag covers one of them the alarm ends ("reading flagged as artifact") whatever
its state (latched, acknowledged or not), so a flagged value never drives,
re-raises or re-latches an alarm; what still holds without the flagged value is
raised anew at its own priority.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from monitor.clinical.protocols import Protocol
from monitor.clinical.rules.condition import Condition
from monitor.clinical.rules.conditions import limit_conditions
from monitor.clinical.rules.news2_live import news2_now
from monitor.errors import FieldError
from monitor.model.session import AlarmState, Entry, Priority, Session

Reading = tuple[int, str]  # (entry seq, parameter)
ENDED_REASON = "reading flagged as artifact"
STRUCK_REASON = "reading struck"
NEWS2_READINGS = ("rr", "spo2", "sbp", "hr", "temp")
SEDATION = ("moaas", "rass")


def flag_parameters(entry: Entry, value: object, errors: list[FieldError]) -> list[str]:
    """The values a flag covers, checked against the registry and the entry: every
    measured value of the entry when ``value`` is None."""
    measured = entry.measured()
    allowed = ", ".join(measured) or "none (the entry holds no measured value)"
    if value is None:
        return [k for k in measured if k not in entry.flagged]
    names = list(value) if isinstance(value, list | tuple | set | frozenset) else None
    if not names or any(not isinstance(n, str) for n in names):
        errors.append(FieldError("parameters", "Values flagged", str(value)[:40],
                                 f"one or more of this entry's values: {allowed}"))
        return []
    absent = [n for n in names if n not in measured]
    if absent:
        errors.append(FieldError("parameters", "Values flagged", ", ".join(absent)[:40],
                                 f"values this entry holds: {allowed}"))
        return []
    if all(n in entry.flagged for n in names):
        errors.append(FieldError("parameters", "Values flagged", ", ".join(names)[:40],
                                 "a value not already flagged as artifact"))
        return []
    return [k for k in measured if k in names]


def readings_behind(session: Session, protocol: Protocol, cond: Condition,
                    now: datetime) -> list[Reading]:
    """The readings a reason rests on: its parameter's newest valid reading; for
    NEWS2 the readings that score; for a combination its medium limit readings."""
    if cond.rule == "news2":
        scores = news2_now(session, protocol, now).scores
        params = [c for c in NEWS2_READINGS if scores.get(c, 0) > 0]
        if scores.get("acvpu", 0) > 0:
            params += SEDATION
    elif cond.rule == "combined":
        params = [c.parameter for c in limit_conditions(session, protocol, now)
                  if c.priority is Priority.MEDIUM]
    else:
        params = [cond.parameter]
    out: list[Reading] = []
    for name in params:
        latest = session.latest(name) if name in session.series else None
        if latest is not None:
            out.append((int(latest[2]), name))
    return out


def _withdrawn(session: Session, reading: Reading) -> str | None:
    """Why a reading no longer counts (flagged or struck), or None."""
    entry = session.entries.get(reading[0])
    if entry is None:
        return None
    if entry.struck:
        return STRUCK_REASON
    return ENDED_REASON if entry.is_artifact(reading[1]) else None


def ended_by_flags(session: Session) -> dict[int, str]:
    """Active alarms resting on a reading since flagged as artifact (or struck as
    entered in error), by alarm id, with why they end."""
    out = {}
    for a in session.active_alarms():
        why = next((w for r in a.readings if (w := _withdrawn(session, r))), None)
        if why is not None:
            out[a.alarm_id] = why
    return out


def alarms_ended_by(session: Session, seq: int, parameters: Iterable[str]) -> list[AlarmState]:
    """The alarms a proposed flag of ``parameters`` of entry ``seq`` will end (asked
    before the flag is recorded, so the nurse confirms knowing it)."""
    named = set(parameters)
    return [a for a in session.active_alarms()
            if any(s == seq and p in named for s, p in a.readings)]
