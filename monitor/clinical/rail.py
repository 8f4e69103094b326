"""What the value rail shows: each row's current value, its age, whether it came
from a device, whether it is stale, and the priority of an alarm on it. Decided
here, so every view (the window, a central board) shows the same thing."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from monitor.clinical.protocols import Protocol
from monitor.clinical.rules.condition import Condition
from monitor.clinical.rules.persistence import CONTINUOUS, stale_after_s
from monitor.model.parameters import PARAMETERS, fmt, in_rail, rail_row_of, rail_rows
from monitor.model.session import PRIORITY_RANK, Priority, Session


@dataclass(frozen=True)
class RailValue:
    row: str                 # "bp", "hr", ..., "sedation"
    title: str               # "BP", "MOAA/S" (the scale the session uses), ...
    unit: str
    text: str = "—"          # the value as a nurse reads it ("128/82", "+1", "36.8")
    age_s: float | None = None  # None: nothing recorded yet
    device: bool = False
    stale: bool = False
    alarm: Priority | Literal[""] = ""  # the worst active alarm on the row ("" none)


def row_title(row: str, keys: tuple[str, ...]) -> tuple[str, str]:
    """A rail row's name and unit: "BP" for the blood pressure row, else the label of
    the parameter it shows (the first of ``keys``)."""
    if row == "bp":
        return "BP", PARAMETERS["sbp"].unit
    first = PARAMETERS[keys[0]]
    return first.label, first.unit


def stale_after(protocol: Protocol) -> tuple[float, float]:
    """Seconds after which a (manual, device) value is stale: the recovery cadence plus
    its grace for a nurse's entries, the device setting for a monitor's."""
    cadence = protocol.cadence.recovery or 15
    grace = protocol.cadence.overdue_grace_min or 5
    return (cadence + grace) * 60.0, float(protocol.alarms.stale_device_s)


def rail_values(session: Session, protocol: Protocol, now: datetime,
                conditions: Mapping[str, Condition] | None = None) -> list[RailValue]:
    """One value per rail row, in display order. The sedation row shows the scale the
    protocol uses. Given the ``conditions`` found now (one per parameter row), a row
    takes the colour of its own value's reasons, never of a latched alarm whose value
    is back in range; without them, of the worst active alarm on the row."""
    alarms: dict[str, tuple[int, Priority]] = {}
    if conditions is not None:
        for row, cond in conditions.items():
            alarms[row] = (cond.rank, cond.priority)
    for a in session.active_alarms() if conditions is None else ():
        row = rail_row_of(a.parameter)
        if a.rank > alarms.get(row, (0, Priority.LOW))[0]:
            alarms[row] = (a.rank, a.priority)
    manual_s, _device = stale_after(protocol)
    out = []
    for row in rail_rows():
        # A row shows its first parameter (the sedation row: the protocol's scale);
        # the others of the row share its alarm (e.g. the CADSS-6 total).
        keys = (protocol.sedation_scale,) if row == "sedation" else in_rail(row)[:1]
        title, unit = row_title(row, keys)
        found = _latest(session, row, keys)
        alarm: Priority | Literal[""] = alarms[row][1] if row in alarms else ""
        if found is None:
            out.append(RailValue(row, title, unit, alarm=alarm))
            continue
        t, text, key = found
        device = key in session.device_last and session.device_last[key] >= t
        age = max(0.0, now.timestamp() - t)
        # A monitor's stream is stale as the "no data" rule says: after the setting, or
        # two of the sender's periods when it reports less often. An episodic reading (a
        # cuff's BP, a nurse's entry) is never stale between cycles (CLINICAL §5): it is
        # due again after the cadence, and stale only past the cadence and its grace.
        streamed = device and key in CONTINUOUS
        limit = stale_after_s(session, protocol, key) if streamed else manual_s
        out.append(RailValue(row, title, unit, text, age, device, age > limit, alarm))
    return out


def _latest(session: Session, row: str, keys: tuple[str, ...]) -> tuple[float, str, str] | None:
    if row == "bp":
        sbp, dbp = session.latest("sbp"), session.latest("dbp")
        if sbp is None:
            return None
        both = dbp is not None and dbp[2] == sbp[2]  # from one reading
        return sbp[0], f"{fmt(sbp[1])}/{fmt(dbp[1])}" if both and dbp else fmt(sbp[1]), "sbp"
    latest = [(v, k) for k in keys if (v := session.latest(k)) is not None]
    if not latest:
        return None
    (t, value, _seq), key = max(latest, key=lambda x: x[0][0])
    return t, (f"{value:+.0f}" if PARAMETERS[key].low < 0 else fmt(value)), key


__all__ = ["PRIORITY_RANK", "RailValue", "rail_values", "row_title", "stale_after"]
