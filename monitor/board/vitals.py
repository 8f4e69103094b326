"""The vitals a board tile shows: the value rail's rows that hold a parameter the registry
marks ``board``, in display order, each as the rail decides it (so the board and the
bedside never read one session differently: a BP is one reading's "186/104", never a
new systolic beside an older diastolic), with its age."""

from __future__ import annotations

from datetime import datetime

from monitor.clinical.protocols import Protocol
from monitor.clinical.rail import rail_values
from monitor.model.parameters import PARAMETERS, in_rail, rail_rows
from monitor.model.session import Session


def board_rows() -> tuple[str, ...]:
    """The rail rows a tile shows ("bp", "hr", "spo2" as shipped)."""
    return tuple(row for row in rail_rows() if any(PARAMETERS[k].board for k in in_rail(row)))


BOARD_ROWS = board_rows()


def age_text(seconds: float) -> str:
    s = max(0, int(seconds))
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min"
    return f"{s // 3600} h {s % 3600 // 60:02d} min"


def tile_vitals(session: Session, protocol: Protocol, now: datetime
                ) -> list[tuple[str, str, str]]:
    """(title, value, age) of each board row now: "—" and no age until it has a value."""
    shown = {rv.row: rv for rv in rail_values(session, protocol, now)}
    out = []
    for row in BOARD_ROWS:
        rv = shown[row]
        age = "" if rv.age_s is None else age_text(rv.age_s)
        out.append((rv.title, rv.text if rv.age_s is not None else "—", age))
    return out
