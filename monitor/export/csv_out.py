"""CSV export: tidy long format (one row per recorded value) or wide (one row
per vitals set). UTF-8 with a byte-order mark so spreadsheets detect it,
decimal point, comma separator, ISO 8601 times with offset."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime

from monitor.export.context import ExportContext
from monitor.export.rows import UNITS, correction_text, payload_values
from monitor.model.events import EventKind
from monitor.model.parameters import VITAL, fmt, keys
from monitor.model.session import Entry

LONG_COLUMNS = ("time", "minutes_since_infusion_start", "parameter", "value", "unit", "source",
                "recorded_by", "status", "version", "entry_id", "corrections", "record",
                "deidentified")
WIDE_VALUES = (*keys(group=VITAL), "o2")
WIDE_COLUMNS = ("time", "minutes_since_infusion_start", *WIDE_VALUES, "source", "recorded_by",
                "status", "entry_id", "record", "deidentified")


_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")


def safe(text: str) -> str:
    """Text a spreadsheet will not run as a formula (OWASP CSV injection): a cell
    starting with = + - @ tab or CR gets a leading apostrophe; plain numbers stay."""
    if text and text[0] in "=+-@\t\r" and not _NUMBER.match(text):
        return "'" + text
    return text


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return fmt(value)
    return str(value)


def _minutes(ctx: ExportContext, when: datetime) -> str:
    m = ctx.minutes_since_infusion(when)
    return "" if m is None else fmt(m)


def _entry_id(ctx: ExportContext, entry: Entry) -> str:
    return str(entry.seq) if ctx.deidentify else entry.event.entry_id


TEXT_KINDS = frozenset({EventKind.MEDICATION, EventKind.QUICK_EVENT, EventKind.NOTE})


def _param(ctx: ExportContext, param: str) -> str:
    """A medication's parameter names its drug, which is free text."""
    if ctx.deidentify and param.startswith("medication:"):
        return "medication"
    return param


def to_csv(ctx: ExportContext, *, wide: bool = False) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    deid = "yes" if ctx.deidentify else "no"
    record = ctx.record_word  # on every row: a row read alone still says NOT VERIFIED
    if wide:
        writer.writerow(WIDE_COLUMNS)
        for entry in ctx.entries(EventKind.VITALS):
            p = entry.payload
            writer.writerow([ctx.time(entry.observed_at), _minutes(ctx, entry.observed_at),
                             *(safe(_cell(p.get(k))) for k in WIDE_VALUES), entry.event.source,
                             safe(ctx.who(entry.event.author)), entry.status,
                             _entry_id(ctx, entry), record, deid])
        return ("\ufeff" + buf.getvalue()).encode("utf-8")
    writer.writerow(LONG_COLUMNS)
    entries = [e for e in ctx.entries() if e.kind is not EventKind.SESSION_OPENED]
    times = ctx.times([e.event.observed_at for e in entries])
    start = ctx.session.infusion_started_at
    t0 = start.timestamp() if start else None
    rows = []
    for e, when in zip(entries, times, strict=True):
        ev = e.event
        mins = "" if t0 is None else fmt(round((ev.observed_at.timestamp() - t0) / 60.0, 2))
        corr = safe(correction_text(ctx, e)) if e.corrections else ""
        src, author = ev.source, safe(ctx.who(ev.author))
        eid = str(ev.seq) if ctx.deidentify else ev.entry_id
        kind_is_text = ev.kind in TEXT_KINDS
        versions = [("current", e.payload)]
        if e.amended:
            versions.insert(0, ("original", e.corrections[0].payload.get("old", ev.payload)))
        for version, payload in versions:
            for param, value, unit in payload_values(e, payload):
                if param == "note":
                    if ctx.deidentify:
                        continue
                    text = safe(ctx.text(value))
                elif type(value) is int:
                    text = str(value)
                else:
                    text = safe(_cell(value))
                if kind_is_text:
                    param, unit = safe(_param(ctx, param)), safe(str(unit or ""))
                rows.append((when, mins, param, text, unit, src, author, e.status_of(param),
                             version, eid, corr, record, deid))
            for param, raw in (payload.get("artifact_values") or {}).items():
                rows.append((when, mins, param, raw, UNITS.get(param, ""), src, author,
                             "artifact", version, eid, corr, record, deid))
    writer.writerows(rows)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")
