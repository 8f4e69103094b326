"""PDF report for the chart, built with reportlab (no Qt, no display)."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    KeepTogether,
    LayoutError,
    LongTable,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    TableStyle,
)

from monitor.clinical.describe import describe
from monitor.clinical.discharge import NURSE_CONFIRMS, READY_TO_LEAVE, saved_checks
from monitor.clinical.discharge_override import override_text
from monitor.clinical.rules.schedule import min_observation
from monitor.export import pdf_fonts, pdf_marks
from monitor.export.atomic import ExportError
from monitor.export.checklist_rows import checklist_rows, start_confirmations
from monitor.export.context import DEID_NOTICE, ExportContext
from monitor.export.json_io import summary
from monitor.export.pdf_charts import trend_drawing
from monitor.export.rems import form_version, rems_items
from monitor.model.events import EventKind
from monitor.model.parameters import PARAMETERS, VITAL, fmt, keys

FONTS = pdf_fonts.fonts()  # embedded Unicode fonts, registered once


def _embedded_styles() -> Any:
    """reportlab's sample styles in the embedded fonts (bold stays bold)."""
    sheet = getSampleStyleSheet()
    for style in sheet.byName.values():
        for attr in ("fontName", "bulletFontName"):
            name = getattr(style, attr, None)
            if name:
                setattr(style, attr, FONTS.bold if "Bold" in name else FONTS.base)
    return sheet


STYLES = _embedded_styles()
SMALL = ParagraphStyle("small", parent=STYLES["BodyText"], fontSize=7.5, leading=9)
HEADER_PAD = 14  # points: the cell's padding on both sides, and a little room
MARGIN = 15 * mm
FRAME_WIDTH = A4[0] - 2 * MARGIN  # the same on A4 and Letter (Letter's side margins grow)
PAGE_SIZES: dict[str, tuple[float, float]] = {"a4": A4, "letter": LETTER}
WARNING = ParagraphStyle("warning", parent=STYLES["BodyText"], fontSize=11, leading=14,
                         textColor=colors.HexColor("#B00020"))
H2 = ParagraphStyle("h2", parent=STYLES["Heading2"], fontSize=11, spaceBefore=8, spaceAfter=3)
MAX_TABLE_DEVICE_ROWS = 300
# The vitals table: BP as "128/82", then every other vital in registry order.
TABLE_VITALS = tuple(k for k in keys(group=VITAL) if k not in ("sbp", "dbp"))


def _escape(text: object) -> str:
    """Paragraph markup for text: escaped, each run in an embedded font that draws it."""
    return pdf_fonts.markup(str(text))


def _p(text: object) -> Paragraph:
    """A wrapping cell. Tables that hold free text have fixed column widths, so a long
    word (a pasted code, CJK text, emoji) is split to fit instead of failing; a line
    break stays one."""
    return Paragraph(_escape(text).replace("\n", "<br/>"), SMALL)


def _cell(value: object) -> str | Paragraph:
    """A plain cell (fast) when the text font draws all of it, else a paragraph
    whose runs use the fallback fonts (a paragraph made already stays as it is)."""
    if isinstance(value, Paragraph):
        return value
    text = str(value)
    return text if pdf_fonts.plain(text) else _p(text)


def _header_fit(header: list[str], widths: list[float]) -> list[float]:
    """Widths that never split a header inside a word ("MA P"). Past the page's
    frame, the room comes from the widest column."""
    fitted = [max(w, max((stringWidth(word, SMALL.fontName, SMALL.fontSize)
                          for word in h.split()), default=0) + HEADER_PAD)
              for h, w in zip(header, widths, strict=True)]
    over = sum(fitted) - max(sum(widths), FRAME_WIDTH)
    if over > 0:
        fitted[max(range(len(fitted)), key=lambda i: fitted[i])] -= over
    return fitted


def _table(header: list[str], rows: list[list[Any]], widths: list[float] | None = None,
           strike_rows: set[int] | None = None, wrap: set[int] | None = None
           ) -> LongTable | Paragraph:
    """A table; cells are plain strings (fast) except in ``wrap`` columns (None: all)."""
    if not rows:
        return _p("None recorded.")
    data: list[list[Any]] = [[_p(h) for h in header]]
    if widths is not None:
        widths = _header_fit(header, widths)
    if wrap is None:
        data += [[_p(c) for c in r] for r in rows]
    else:
        data += [[_p(c) if i in wrap else _cell(c) for i, c in enumerate(r)] for r in rows]
    # splitInRow: a row taller than a page (a long, legal note) continues on the next.
    table = LongTable(data, colWidths=widths, repeatRows=1, splitInRow=1)
    style = [("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
             ("FONTNAME", (0, 0), (-1, -1), FONTS.base),
             ("FONTSIZE", (0, 1), (-1, -1), 7.5), ("LEADING", (0, 1), (-1, -1), 9),
             ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E8E8E8")),
             ("VALIGN", (0, 0), (-1, -1), "TOP"),
             ("TOPPADDING", (0, 0), (-1, -1), 1), ("BOTTOMPADDING", (0, 0), (-1, -1), 1)]
    for r in strike_rows or ():
        style.append(("TEXTCOLOR", (0, r + 1), (-1, r + 1), colors.grey))
    table.setStyle(TableStyle(style))
    return table


class EmbeddedCanvas(Canvas):  # type: ignore[misc]  # reportlab ships no types
    """A canvas whose initial font is the embedded text font (reportlab's default,
    Helvetica, is one of the standard fonts a PDF never embeds)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["initialFontName"] = kwargs.get("initialFontName") or FONTS.base
        super().__init__(*args, **kwargs)


class NumberedCanvas(EmbeddedCanvas):
    """Two-pass canvas: knows the page count to print 'page N of M'."""

    footer = ""
    page_width = A4[0]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self.setFillColor(colors.grey)
            side = (self.page_width - FRAME_WIDTH) / 2  # inside the page on A4 and Letter
            pdf_fonts.draw(self, side, 8 * mm, self.footer, 7)
            pdf_fonts.draw(self, self.page_width - side, 8 * mm,
                           f"page {self._pageNumber} of {total}", 7, right=True)
            super().showPage()
        super().save()


def _header(ctx: ExportContext) -> list[Any]:
    s = ctx.session
    o = s.opening
    info = summary(ctx)
    end = s.discharged_at or s.events[-1].observed_at
    mo = min_observation(s, ctx.protocol, end)
    rows = [
        ["Patient identifier", ctx.patient, "Name", ctx.patient_name or "—"],
        ["Weight", f"{fmt(s.weight_kg)} kg", "Indication",
         f"{o.get('indication')}" + (f" ({ctx.text(o.get('indication_text'))})"
                                     if ctx.text(o.get("indication_text")) else "")],
        ["Protocol", ctx.protocol.name, "Responsible nurse", ctx.who(o.get("nurse_id", ""))],
        ["Session opened", ctx.stamp(ctx.start), "Dosing started",
         ctx.stamp(s.infusion_started_at)],
        ["Infusion stopped", ctx.stamp(s.infusion_stopped_at),
         "Discharged", ctx.stamp(s.discharged_at)],
        ["Total dose", f"{info['dose_mg']:.1f} mg ({info['dose_mg_per_kg']:.3f} mg/kg)",
         "Minutes observed", f"{mo.elapsed_min:.0f} (from the {mo.counted_from})"
         if mo else "—"],
        ["Phase", s.phase, "Signed", f"{ctx.who(s.closed_by)} at {ctx.stamp(s.closed_at)}"
         if s.closed_at else "not signed"],
    ]
    return [_table(["", "", "", ""], rows, [32 * mm, 58 * mm, 32 * mm, 58 * mm])]


def _record(ctx: ExportContext) -> list[Any]:
    """What anchors this paper to the record: the event count and the head hash (a
    later export of the same session shows the same pair unless events were added)."""
    out = [_p(f"{ctx.anchor()}. Verification: {ctx.record_status}.")]
    if ctx.record is not None and not ctx.record.ok:
        out.insert(0, Paragraph(f"<b>{_escape(ctx.record.text())}</b>", SMALL))
    return out


def _not_verified(ctx: ExportContext) -> list[Any]:
    """Above everything: a record whose seals could not be checked is not verified."""
    if not ctx.not_verified:
        return []
    return [Paragraph(f"<b>{_escape(ctx.record_status)}</b>", WARNING)]


def _unreadable(ctx: ExportContext) -> list[Any]:
    rows = [[ctx.short(ev.observed_at), ev.entry_id if not ctx.deidentify else str(ev.seq),
             str(ev.kind), why] for ev, why in ctx.session.unreadable]
    if not rows:
        return []
    return [Paragraph("Unreadable entries (not used in dosing, alarms or scores)", H2),
            _table(["Time", "Entry", "Kind", "Why"], rows, [18 * mm, 24 * mm, 30 * mm, 108 * mm])]


def _vitals(ctx: ExportContext) -> list[Any]:
    entries = ctx.entries(EventKind.VITALS)
    manual = [e for e in entries if e.event.source != "device"]
    device = [e for e in entries if e.event.source == "device"]
    shown = manual + (device if len(device) <= MAX_TABLE_DEVICE_ROWS else [])
    shown.sort(key=lambda e: (e.observed_at, e.seq))
    rows, struck = [], set()
    for i, e in enumerate(shown):
        # A set flagged in part: only its flagged values are struck, the rest print as
        # valid; the status names them and wraps inside its cell.
        values: list[Any] = ([Paragraph(m, SMALL) for m in pdf_marks.row_markup(
            e, TABLE_VITALS, _escape)] if pdf_marks.partial(e) else
            [_bp_text(e.payload), *(fmt(e.payload[k]) if k in e.payload else ""
                                    for k in TABLE_VITALS)])
        rows.append([ctx.short(e.observed_at),
                     pdf_marks.minute_text(ctx.minutes_since_infusion(e.observed_at)),
                     *values, e.payload.get("o2", ""), e.event.source,
                     ctx.who(e.event.author),
                     _p(pdf_marks.status_text(e)) if pdf_marks.partial(e) else e.status])
        if e.status != "valid" and not pdf_marks.partial(e):
            struck.add(i)
    out: list[Any] = [Paragraph("Vitals", H2)]
    if device and len(device) > MAX_TABLE_DEVICE_ROWS:
        out.append(_p(f"{len(device)} device samples are charted above and in the CSV/JSON "
                      "exports; the table lists the nurse-recorded sets."))
    labels = [PARAMETERS[k].label for k in TABLE_VITALS]
    out.append(_table(["Time", "Min", "BP", *labels, "O2", "Src", "By", "Status"], rows,
                      [17 * mm, 9 * mm, 16 * mm, *(max(9, 2 * len(t) + 2) * mm for t in labels),
                       11 * mm, 13 * mm, 17 * mm, 16 * mm], struck, wrap=set()))
    return out


def _bp_text(p: dict[str, Any]) -> str:
    if "sbp" in p and "dbp" in p:
        return f"{fmt(p['sbp'])}/{fmt(p['dbp'])}"
    return fmt(p["sbp"]) if "sbp" in p else ""


def _assessments(ctx: ExportContext) -> list[Any]:
    rows = []
    for e in ctx.entries(EventKind.ASSESSMENT):
        p = e.payload
        rows.append([ctx.short(e.observed_at), p.get("moaas", ""), p.get("rass", ""),
                     p.get("acvpu", ""), p.get("cadss6_total", ""), p.get("dissociation", ""),
                     p.get("pain", ""), p.get("nausea", ""), ctx.text(p.get("comment")),
                     ctx.who(e.event.author), e.status])
    return [Paragraph("Assessments", H2),
            _table(["Time", "MOAA/S", "RASS", "ACVPU", "CADSS-6", "Dissoc.", "Pain", "Nausea",
                    "Comment", "By", "Status"], rows,
                   [16 * mm, 13 * mm, 10 * mm, 13 * mm, 14 * mm, 13 * mm, 10 * mm, 14 * mm,
                    45 * mm, 18 * mm, 14 * mm], wrap={8})]


def _checklist(ctx: ExportContext) -> list[Any]:
    out: list[Any] = [Paragraph("Pre-infusion checklist", H2)]
    rows = checklist_rows(ctx)
    out.append(_table(["Time", "Item", "Answer", "By", "Status"], rows,
                      [16 * mm, 100 * mm, 16 * mm, 24 * mm, 24 * mm], wrap={1})
               if rows else _p("No checklist recorded."))
    confirmed = start_confirmations(ctx)
    if confirmed:
        out += [Paragraph("<b>Confirmed at Start</b>", SMALL),
                _table(["Time", "Warning confirmed", "By"], confirmed,
                       [16 * mm, 140 * mm, 24 * mm], wrap={1})]
    return out


def _describe(ctx: ExportContext, e: Any) -> str:
    return describe(e.kind, e.payload, ctx.text)

def _timeline(ctx: ExportContext) -> list[Any]:
    s = ctx.session
    infusion = ctx.entries(EventKind.INFUSION_STARTED, EventKind.RATE_CHANGED,
                           EventKind.INFUSION_PAUSED, EventKind.INFUSION_RESUMED,
                           EventKind.BOLUS, EventKind.INFUSION_STOPPED)
    rows = [[ctx.short(e.observed_at), _describe(ctx, e), f"{s.dose_mg(e.observed_at):.1f}",
             ctx.who(e.event.author), e.status] for e in infusion]
    events = ctx.entries(EventKind.MEDICATION, EventKind.QUICK_EVENT, EventKind.NOTE)
    erows = [[ctx.short(e.observed_at), _describe(ctx, e), ctx.who(e.event.author), e.status]
             for e in events]
    info = summary(ctx)
    return [Paragraph("Infusion timeline", H2),
            _table(["Time", "Action", "Dose so far (mg)", "By", "Status"], rows,
                   [18 * mm, 90 * mm, 24 * mm, 28 * mm, 20 * mm]),
            _p(f"Total dose: {info['dose_mg']:.1f} mg = {info['dose_mg_per_kg']:.3f} mg/kg"),
            Paragraph("Medications and events", H2),
            _table(["Time", "Event", "By", "Status"], erows,
                   [18 * mm, 114 * mm, 28 * mm, 20 * mm])]


def _alarms(ctx: ExportContext) -> list[Any]:
    rows = []
    for a in sorted(ctx.session.alarms.values(), key=lambda a: a.raised_at):
        ack = (f"{ctx.who(a.acknowledged_by)} at {ctx.short(a.acknowledged_at)}: {a.action}"
               + (f" ({ctx.text(a.comment)})" if ctx.text(a.comment) else "")
               if a.acknowledged_at else "")
        history = [e for e in ctx.events if e.kind is EventKind.ALARM_ACKNOWLEDGED
                   and e.payload.get("alarm_id") == a.alarm_id]
        if not ack and history:
            last = history[-1]
            ack = (f"{ctx.who(last.author)} at {ctx.short(last.observed_at)}: "
                   f"{last.payload.get('action')}")
        if len(history) > 1:
            ack += f" ({len(history)} acknowledgements)"
        rows.append([ctx.short(a.raised_at), a.priority.upper(), a.message, ack,
                     ctx.short(a.resolved_at) if a.resolved_at else "active"])
    return [Paragraph("Alarms", H2),
            _table(["Raised", "Priority", "Message", "Acknowledged (action)", "Resolved"], rows,
                   [20 * mm, 16 * mm, 62 * mm, 62 * mm, 20 * mm])]


def _corrections(ctx: ExportContext) -> list[Any]:
    rows = []
    for e in ctx.entries():
        for c in e.corrections:
            change = ""
            if c.kind is EventKind.AMENDED:
                old, new = c.payload.get("old", {}), c.payload.get("values", {})
                change = ", ".join(f"{k} {old.get(k)} → {new.get(k)}" for k in sorted(new)
                                   if old.get(k) != new.get(k) and not isinstance(new.get(k), dict))
            rows.append([ctx.short(c.observed_at), e.event.entry_id if not ctx.deidentify
                         else str(e.seq), c.kind.value.replace("_", " "), change,
                         ctx.text(c.payload.get("reason")), ctx.who(c.author)])
    limits = [[ctx.short(e.observed_at), e.payload["limit"], f"{e.payload['old']} → "
               f"{e.payload['new']}", ctx.text(e.payload.get("reason")), ctx.who(e.author)]
              for e in ctx.events if e.kind is EventKind.LIMIT_CHANGED]
    out: list[Any] = [Paragraph("Corrections", H2),
                      _table(["Time", "Entry", "Correction", "Old → new", "Reason", "By"], rows,
                             [18 * mm, 24 * mm, 20 * mm, 50 * mm, 48 * mm, 20 * mm])]
    if limits:
        out += [Paragraph("Limit changes", H2),
                _table(["Time", "Limit", "Old → new", "Reason", "By"], limits,
                       [18 * mm, 30 * mm, 30 * mm, 80 * mm, 22 * mm])]
    return out


def _discharge(ctx: ExportContext) -> list[Any]:
    d = ctx.session.discharge
    out: list[Any] = [Paragraph("Discharge checklist", H2)]
    if not d:
        return [*out, _p("Not discharged at the time of export.")]
    # In the window's words ("Minimum observation time met"), never the record's keys.
    rows = [[c.label, "yes" if c.ok else "NO", c.detail] for c in saved_checks(d)]
    rows += [[title, "yes" if d[key] else "NO", ""] for key, title in NURSE_CONFIRMS.items()]
    # The time in the wide column: in "Met" it wrapped mid-number.
    rows.append([READY_TO_LEAVE, "", ctx.stamp(datetime.fromisoformat(d["ready_to_leave_at"]))
                 if d.get("ready_to_leave_at") else ""])
    ended = override_text(d, free_text=not ctx.deidentify)
    if ended:  # a different act from discharge: said first, in bold
        out.append(Paragraph(f"<b>{_escape(ended)}</b>", SMALL))
    return [*out, _table(["Item", "Met", "Detail"], rows, [55 * mm, 15 * mm, 110 * mm])]


def _rems(ctx: ExportContext) -> list[Any]:
    if ctx.protocol.rems.bp_points_min is None:
        return []
    rows = [[k, v] for k, v in rems_items(ctx).items()]
    return [Paragraph("REMS monitoring items", H2),
            _p(f"Following the {form_version(ctx.protocol)}."),
            _table(["Item", "Value"], rows, [70 * mm, 110 * mm])]


def to_pdf(ctx: ExportContext, page_size: str = "a4", notes: list[str] | None = None) -> bytes:
    """The report on A4 or US Letter. Characters no embedded font draws are printed
    as their code, said under the title and added to ``notes`` (the export's message)."""
    size = page_size_points(page_size)
    side = (size[0] - FRAME_WIDTH) / 2
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=size, leftMargin=side, rightMargin=side,
                            topMargin=12 * mm, bottomMargin=15 * mm,
                            title="Ketamine session report", author="ketamine-monitor",
                            # De-identified: no creation date (with a printed offset from
                            # the start it would give the session's exact start away).
                            invariant=1 if ctx.deidentify else None)
    with pdf_fonts.tracking() as missing:
        warning = _not_verified(ctx)
        story: list[Any] = [*warning, Paragraph("Ketamine session report", STYLES["Title"])]
        if ctx.deidentify:
            story.append(Paragraph(f"<b>{DEID_NOTICE}</b>", SMALL))
        story += _record(ctx)
        story += _header(ctx)
        story += [Paragraph("Trends", H2),
                  _p("Dashed lines: medium (orange) and high (red) limits; vertical lines: "
                     "infusion changes and events; × artifact."),
                  trend_drawing(ctx, 180 * mm)]
        story += _checklist(ctx) + _vitals(ctx) + _assessments(ctx) + _timeline(ctx)
        story += _alarms(ctx)
        story += _corrections(ctx) + _unreadable(ctx) + _discharge(ctx) + _rems(ctx)
        story += [Spacer(1, 12 * mm), KeepTogether([
            _p("Nurse signature: ______________________________   Date/time: ________________"),
            Spacer(1, 8 * mm),
            _p("Physician signature: ___________________________   Date/time: ________________"),
        ])]
        # De-identified: no time of writing at all (any offset from the start, next to the
        # file's own dates, would give the session's exact start away).
        generated = "" if ctx.deidentify else f" · generated {ctx.stamp(ctx.exported_at)}"
        who = "de-identified" if ctx.deidentify else f"patient {ctx.patient}"
        footer = (f"Ketamine session report · {who}{generated} · {ctx.event_count} events"
                  + (" · NOT VERIFIED" if ctx.not_verified else ""))
        pdf_fonts.runs(footer)  # the footer's characters count too
    title_at = len(warning) + 1
    story[title_at:title_at] = missing_glyphs(missing, notes)
    canvas_cls = type("Canvas", (NumberedCanvas,), {"footer": footer, "page_width": size[0]})
    try:
        doc.build(story, canvasmaker=canvas_cls)
    except LayoutError as exc:  # the chart copy must never fail without saying why
        raise ExportError(f"Cannot lay out the PDF report of session {ctx.session.session_id}"
                          f": {_too_large(ctx)} does not fit on a page; the other formats "
                          "(JSON, CSV, FHIR) hold it whole") from exc
    return buf.getvalue()


def _too_large(ctx: ExportContext) -> str:
    """The entry whose text is the likeliest culprit: the one with the most lines."""
    def lines(e: Any) -> int:
        return max((str(v).count("\n") + len(str(v)) // 80 for v in e.payload.values()
                    if isinstance(v, str)), default=0)
    chosen = max(ctx.entries(), key=lines, default=None)
    if chosen is None:
        return "an entry"
    return f"entry {chosen.seq if ctx.deidentify else chosen.event.entry_id} ({chosen.kind})"


def page_size_points(page_size: str) -> tuple[float, float]:
    try:
        return PAGE_SIZES[page_size]
    except KeyError:
        raise ExportError(f"Page size {page_size!r}: allowed "
                          f"{', '.join(PAGE_SIZES)}") from None


def missing_glyphs(missing: set[str], notes: list[str] | None) -> list[Any]:
    """The line a report prints when some characters could not be drawn (and the
    same words for the export's message)."""
    if not missing:
        return []
    text = pdf_fonts.missing_note(missing)
    if notes is not None:
        notes.append(f"PDF: {text}")
    return [Paragraph(f"<b>{_escape(text)}.</b>", SMALL)]
