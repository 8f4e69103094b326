"""The recorded values of an entry, and how its corrections read, for the exports."""

from __future__ import annotations

from typing import Any

from monitor.export.context import ExportContext
from monitor.model.events import EventKind
from monitor.model.parameters import PARAMETERS, SCORE, VITAL, keys
from monitor.model.session import Entry

# Every registered parameter, and the recorded choices and ratings that are not measured.
VALUE_KEYS = (*keys(group=VITAL), "o2", *keys(group=SCORE), "acvpu", "nausea", "anxiety",
              "perceptual")
UNITS = {k: (PARAMETERS[k].unit if k in PARAMETERS else "") for k in VALUE_KEYS}
INFUSION_FIELDS = {
    EventKind.INFUSION_STARTED: ("infusion_start", "rate", "rate_unit"),
    EventKind.RATE_CHANGED: ("infusion_rate", "rate", "rate_unit"),
    EventKind.BOLUS: ("bolus", "dose_mg", None),
}


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
            out.append((name, payload[key], str(payload.get(unit_key) or "") if unit_key
                        else "mg"))
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
    elif kind is EventKind.OUTCOME:
        out += [(f"outcome:{k}", v, "") for k, v in payload.items()]
    elif kind is EventKind.NOTE:
        out.append(("note", payload.get("text"), ""))
    elif kind is EventKind.WEIGHED:
        out.append(("weight", payload.get("weight_kg"), "kg"))
    elif kind is EventKind.CHECKLIST:
        out.extend((f"checklist:{k}", v, "") for k, v in payload.get("answers", {}).items())
    return out


def correction_text(ctx: ExportContext, entry: Entry) -> str:
    parts = []
    for c in entry.corrections:
        what = {EventKind.AMENDED: "amended", EventKind.STRUCK: "struck",
                EventKind.ARTIFACT: "artifact"}[c.kind]
        reason = ctx.text(c.payload.get("reason"))
        parts.append(f"{what} by {ctx.who(c.author)} at {ctx.time(c.observed_at)}"
                     + (f": {reason}" if reason else ""))
    return "; ".join(parts)
