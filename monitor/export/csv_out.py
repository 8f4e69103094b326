"""CSV export: tidy long format (one row per recorded value) or wide (one row
per vitals set). UTF-8 with a byte-order mark so spreadsheets detect it,
decimal point, comma separator, ISO 8601 times with offset."""

from __future__ import annotations

import csv
import io
from datetime import datetime

from monitor.events import EventKind
from monitor.export.context import ExportContext
from monitor.export.rows import correction_text, value_rows
from monitor.parameters import fmt
from monitor.session import Entry

LONG_COLUMNS = ("time", "minutes_since_infusion_start", "parameter", "value", "unit", "source",
                "recorded_by", "recorded_at", "status", "version", "entry_id", "corrections",
                "deidentified")
WIDE_VALUES = ("sbp", "dbp", "map", "hr", "spo2", "rr", "temp", "o2")
WIDE_COLUMNS = ("time", "minutes_since_infusion_start", *WIDE_VALUES, "source", "recorded_by",
                "status", "entry_id", "deidentified")


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


def to_csv(ctx: ExportContext, *, wide: bool = False) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    deid = "yes" if ctx.deidentify else "no"
    if wide:
        writer.writerow(WIDE_COLUMNS)
        for entry in ctx.entries(EventKind.VITALS):
            p = entry.payload
            writer.writerow([ctx.time(entry.observed_at), _minutes(ctx, entry.observed_at),
                             *(_cell(p.get(k)) for k in WIDE_VALUES), entry.event.source,
                             entry.event.author, entry.status, _entry_id(ctx, entry), deid])
    else:
        writer.writerow(LONG_COLUMNS)
        for row in value_rows(ctx):
            e = row.entry
            value = ctx.text(row.value) if row.parameter == "note" else _cell(row.value)
            writer.writerow([ctx.time(e.observed_at), _minutes(ctx, e.observed_at),
                             row.parameter, value, row.unit, e.event.source, e.event.author,
                             ctx.time(e.event.recorded_at), row.status, row.version,
                             _entry_id(ctx, e), correction_text(ctx, e), deid])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")
