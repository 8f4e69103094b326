"""What the report says of the pre-infusion checklist: every answer as recorded, and
the warnings the nurse confirmed at Start (CLINICAL §7: the answers matter, not the
checklist's presence)."""

from __future__ import annotations

from monitor.export.context import ExportContext
from monitor.model.events import EventKind
from monitor.model.vocabulary import checklist_label


def checklist_rows(ctx: ExportContext) -> list[list[str]]:
    """One row per answer of every checklist recorded: time, item, answer, by, status."""
    return [[ctx.short(e.observed_at), checklist_label(key),
             str(answer), ctx.who(e.event.author), e.status]
            for e in ctx.entries(EventKind.CHECKLIST)
            for key, answer in e.payload.get("answers", {}).items()]


def start_confirmations(ctx: ExportContext) -> list[list[str]]:
    """Each warning confirmed at Start (time, warning, by): none when Start asked nothing."""
    return [[ctx.short(e.observed_at), str(w), ctx.who(e.event.author)]
            for e in ctx.entries(EventKind.INFUSION_STARTED)
            for w in e.payload.get("confirmed") or []]
