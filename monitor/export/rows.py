"""The session as tidy rows: one per recorded value, with correction status."""

from __future__ import annotations

from typing import Any, NamedTuple

from monitor.events import EventKind
from monitor.export.context import ExportContext
from monitor.parameters import PARAMETERS
from monitor.session import Entry

VALUE_KEYS = ("sbp", "dbp", "map", "hr", "spo2", "rr", "temp", "o2", "moaas", "rass", "acvpu",
              "pain", "dissociation", "cadss6_total", "nausea", "anxiety", "perceptual")
UNITS = {k: (PARAMETERS[k].unit if k in PARAMETERS else "") for k in VALUE_KEYS}
INFUSION_FIELDS = {
    EventKind.INFUSION_STARTED: ("infusion_start", "rate", "rate_unit"),
    EventKind.RATE_CHANGED: ("infusion_rate", "rate", "rate_unit"),
    EventKind.BOLUS: ("bolus", "dose_mg", None),
}


class ValueRow(NamedTuple):
    entry: Entry
    version: str            # "current" or "original" (the value before an amendment)
    parameter: str
    value: Any
    unit: str


def _unit(key: str) -> str:
    p = PARAMETERS.get(key)
    return p.unit if p else ""


def payload_values(entry: Entry, payload: dict[str, Any]) -> list[tuple[str, Any, str]]:
    kind = entry.kind
    out: list[tuple[str, Any, str]] = []
    if kind is EventKind.VITALS or kind is EventKind.ASSESSMENT:
        # The payload's own order (validation writes it in a fixed order).
        out = [(k, v, UNITS[k]) for k, v in payload.items() if k in UNITS and v is not None]
        for i, item in enumerate(payload.get("cadss6") or (), start=1):
            out.append((f"cadss6_item{i}", item, ""))
    elif kind in INFUSION_FIELDS:
        name, key, unit_key = INFUSION_FIELDS[kind]
        if payload.get("mode") == "single":
            out.append(("dose", payload.get("dose_mg"), "mg"))
        elif payload.get(key) is not None:
            out.append((name, payload[key], payload.get(unit_key) if unit_key else "mg"))
    elif kind is EventKind.INFUSION_PAUSED:
        out.append(("infusion_paused", "paused", ""))
    elif kind is EventKind.INFUSION_RESUMED:
        out.append(("infusion_resumed", "resumed", ""))
    elif kind is EventKind.INFUSION_STOPPED:
        out.append(("infusion_stopped", "stopped", ""))
    elif kind is EventKind.MEDICATION:
        out.append((f"medication:{payload.get('drug')}", payload.get("dose"),
                    payload.get("unit", "")))
    elif kind is EventKind.QUICK_EVENT:
        out.append(("event", payload.get("label"), ""))
    elif kind is EventKind.NOTE:
        out.append(("note", payload.get("text"), ""))
    return out


def value_rows(ctx: ExportContext) -> list[ValueRow]:
    rows: list[ValueRow] = []
    for entry in ctx.entries():
        if entry.kind is EventKind.SESSION_OPENED:
            continue
        if entry.amended:
            original = entry.corrections[0].payload.get("old", entry.event.payload)
            rows += [ValueRow(entry, "original", k, v, u)
                     for k, v, u in payload_values(entry, original)]
        rows += [ValueRow(entry, "current", k, v, u)
                 for k, v, u in payload_values(entry, entry.payload)]
    if ctx.deidentify:
        rows = [r for r in rows if r.parameter != "note"]
    return rows


def correction_text(ctx: ExportContext, entry: Entry) -> str:
    parts = []
    for c in entry.corrections:
        what = {EventKind.AMENDED: "amended", EventKind.STRUCK: "struck",
                EventKind.ARTIFACT: "artifact"}[c.kind]
        reason = ctx.text(c.payload.get("reason"))
        parts.append(f"{what} by {c.author} at {ctx.time(c.observed_at)}"
                     + (f": {reason}" if reason else ""))
    return "; ".join(parts)
