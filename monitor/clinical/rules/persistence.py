"""How long a monitor's value must hold before a rule reads it, and when its stream is
stale: both follow the sender's observed period (CLINICAL §5).

A 1 Hz monitor's value must hold ``alarms.persistence_s`` (10 s) before any rule,
limit, trend, NEWS2 or combination, reads it: a 1 s dip raises nothing. A sender
that reports less often has each reading stand for its period: the delay is the
configured one rounded down to whole periods (a 60 s sender: its reading counts at
once), and its stream is stale only after two missed periods, never between them
(before its second sample the period is unknown: the setting applies).
Episodic values (NIBP, a nurse's entries) have no delay.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from monitor.clinical.protocols import Protocol
from monitor.model.parameters import keys
from monitor.model.session import Session

# Values a monitor streams (a persistence delay applies); NIBP and manual entries are episodic.
CONTINUOUS = keys(streamed=True)
STALE_PERIODS = 2  # a stream is stale after this many missed periods (and the setting)


def streamed_now(session: Session, param: str) -> bool:
    """The newest valid value of ``param`` is a monitor's streamed sample."""
    latest = session.latest(param)
    return (latest is not None and param in CONTINUOUS
            and session.device_last.get(param) == latest[0])


def persistence_s(session: Session, protocol: Protocol, param: str) -> float:
    """Seconds a streamed value must hold: the setting, in whole sender periods."""
    persist = float(protocol.alarms.persistence_s)
    period = session.series[param].device_period() if param in session.series else None
    if not persist or period is None or period <= 0:
        return persist
    return (persist // period) * period


def stale_after_s(session: Session, protocol: Protocol, param: str) -> float:
    """Seconds without a sample before a stream is "no data": the setting, or two of the
    sender's periods when it reports less often."""
    limit = float(protocol.alarms.stale_device_s)
    period = session.series[param].device_period() if param in session.series else None
    return max(limit, STALE_PERIODS * period) if period else limit


def is_stale(session: Session, protocol: Protocol, param: str, now: datetime) -> bool:
    """The newest value came from a monitor stream that has stopped sending."""
    latest = session.latest(param)
    t = session.device_last.get(param)
    if latest is None or t is None or param not in CONTINUOUS or latest[0] > t:
        return False
    return now.timestamp() - t > stale_after_s(session, protocol, param)


def holds(session: Session, protocol: Protocol, param: str,
          beyond: Callable[[float], bool], now: datetime | None = None) -> bool:
    """The newest value is ``beyond`` and, when a monitor streams it, has been for the
    persistence delay and is not stale at ``now`` (the limit rules' reading, shared by
    every derived rule)."""
    latest = session.latest(param)
    if latest is None or not beyond(latest[1]):
        return False
    if now is not None and is_stale(session, protocol, param, now):
        return False
    persist = persistence_s(session, protocol, param)
    if not persist or not streamed_now(session, param):
        return True
    return session.series[param].held_for(beyond, persist, device_only=True)


def persisted_values(session: Session, protocol: Protocol, param: str,
                     now: datetime | None = None) -> list[float] | None:
    """The values a derived rule may read for ``param``: the newest alone when episodic;
    for a stream, every value of the persistence delay (a score counts only when all of
    them reach it). None when a stream has not yet lasted the delay, or (at ``now``) has
    gone stale: a stale value drives nothing (CLINICAL §5)."""
    latest = session.latest(param)
    if latest is None or (now is not None and is_stale(session, protocol, param, now)):
        return None
    persist = persistence_s(session, protocol, param)
    if not persist or not streamed_now(session, param):
        return [latest[1]]
    return session.series[param].held_values(persist)


def first_held_after(session: Session, protocol: Protocol, param: str,
                     beyond: Callable[[float], bool], t0: float) -> tuple[float, float] | None:
    """(t, value) of the first moment after ``t0`` at which the rules read ``param`` as
    ``beyond``: an episodic reading at once; a monitor's stream once its samples have
    all been beyond for the persistence delay (a gap longer than the stale limit breaks
    the run). None when it never was: a record's answer read the way the alarms read."""
    if param not in session.series:
        return None
    persist = persistence_s(session, protocol, param)
    gap = stale_after_s(session, protocol, param)
    run_start = last = None
    for t, v, device in session.series[param].valid_points_after(t0):
        if not device:
            if beyond(v):
                return t, v
            continue
        if not beyond(v) or (last is not None and t - last > gap):
            run_start = None
        if beyond(v):
            run_start = t if run_start is None else run_start
            if t - run_start >= persist:
                return t, v
        last = t
    return None
