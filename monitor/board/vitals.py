"""The vitals a board tile shows: the registry's parameters marked ``board``, one value
per rail row (the BP row as systolic/diastolic), in display order, each with its age."""

from __future__ import annotations

from monitor.clinical.rail import row_title
from monitor.model.parameters import PARAMETERS, fmt, in_rail, rail_rows
from monitor.model.session import Session


def board_rows() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(title, parameters) of each value a tile shows: ("BP", ("sbp", "dbp")), ("HR", ...)."""
    rows = []
    for row in rail_rows():
        shown = tuple(k for k in in_rail(row) if PARAMETERS[k].board)
        if shown:
            rows.append((row_title(row, shown)[0], shown))
    return tuple(rows)


BOARD_ROWS = board_rows()


def age_text(seconds: float) -> str:
    s = max(0, int(seconds))
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min"
    return f"{s // 3600} h {s % 3600 // 60:02d} min"


def tile_vitals(session: Session, now_s: float) -> list[tuple[str, str, str]]:
    """(title, value, age) of each board row at ``now_s`` (epoch seconds): "—" and no
    age until every parameter of the row has a value."""
    out = []
    for title, params in BOARD_ROWS:
        values = [v for p in params if (v := session.latest(p)) is not None]
        if len(values) < len(params):
            out.append((title, "—", ""))
            continue
        text = "/".join(fmt(v[1]) for v in values)
        out.append((title, text, age_text(now_s - min(v[0] for v in values))))
    return out
