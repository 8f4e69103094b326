"""NEWS2 of the session at an instant, and the prompts that keep it scoring.

Each component is its latest valid value within ``news2.window_min``; a monitor's
value counts only after the persistence delay, as for the limit rules (a 1 s RR 6
sample scores nothing: a score counts when every value of the delay reaches it), and
a monitor's value that has gone stale ("no data") scores nothing: NEWS2 then says so.
Within one assessment the worse consciousness wins (MOAA/S 2 with ACVPU A is P).
Air/oxygen is the session's (a set, or "oxygen started" / "oxygen stopped"). When
the last temperature is older than the window NEWS2 says so, and a low-priority
"temperature due" prompt asks for one instead of scoring going quiet.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial

from monitor.clinical.protocols import Protocol
from monitor.clinical.rules.consciousness import consciousness_level
from monitor.clinical.rules.news2 import News2Result, component_score, news2
from monitor.clinical.rules.persistence import is_stale, persisted_values
from monitor.model.session import Phase, Session

STREAMABLE = ("rr", "spo2", "sbp", "hr", "temp")


def spo2_scale(session: Session, protocol: Protocol) -> int:
    return session.spo2_scale or protocol.news2.spo2_scale


def consciousness(session: Session, protocol: Protocol) -> tuple[float, str] | None:
    """(t, ACVPU level): the newest of the last ACVPU and the levels the latest sedation
    scores map to (MOAA/S 5 → A, 4–3 → V, 2–1 → P, 0 → U; RASS by ``news2.rass_acvpu``;
    clinic-editable). Within one assessment (the same instant) the worse level wins."""
    level = consciousness_level(session, protocol)
    return None if level is None else (level.t, level.level)


def _score(comp: str, scale: int, on_oxygen: bool, value: float) -> int:
    return component_score(comp, value, scale, on_oxygen)


def news2_now(session: Session, protocol: Protocol, now: datetime) -> News2Result:
    """NEWS2 from the latest valid value of each component within the window
    (docs/alarms-and-protocols.md)."""
    window = float(protocol.news2.window_min) * 60.0
    scale = spo2_scale(session, protocol)
    o2 = session.choice("o2")
    on_oxygen = o2 is not None and o2[1] == "oxygen"
    values: dict[str, object] = {}
    old: dict[str, float] = {}
    stale: list[str] = []
    for comp in STREAMABLE:
        latest = session.latest(comp)
        if latest is None:
            continue
        age = now.timestamp() - latest[0]
        if age > window:
            old[comp] = age / 60.0
            continue
        if is_stale(session, protocol, comp, now):  # as the limit rules: "no data", no score
            stale.append(comp)
            continue
        held = persisted_values(session, protocol, comp, now)
        if held:  # the mildest value of the delay: a score counts once all reach it
            # each distinct value scored once (a 10 s delay at 4 Hz holds 40 samples)
            values[comp] = min(dict.fromkeys(held), key=partial(_score, comp, scale,
                                                                 on_oxygen))
    if o2 is not None:
        values["o2"] = o2[1]
    level = consciousness(session, protocol)
    if level is not None:
        if now.timestamp() - level[0] <= window:
            values["acvpu"] = level[1]
        else:
            old["acvpu"] = (now.timestamp() - level[0]) / 60.0
    return news2(values, scale, old, tuple(stale))


def temperature_prompt(session: Session, protocol: Protocol, score: News2Result,
                       now: datetime) -> tuple[str, float, float] | None:
    """(message, minutes since the last temperature, the window) when NEWS2 stopped
    scoring because its temperature is too old, while a patient is dosed or recovering."""
    if session.phase not in (Phase.INFUSING, Phase.RECOVERY) or "temp" not in score.old:
        return None
    window = float(protocol.news2.window_min)
    age = score.old["temp"]
    return (f"Temperature due for NEWS2: last {age:.0f} min ago (NEWS2 reads the last "
            f"{window:g} min)", age, window)
