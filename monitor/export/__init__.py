"""Session exports: JSON, CSV, PDF, FHIR and VitalDB .vital, pure functions of a session.

Every export first checks the session's record (chain, seals, registry): a
record that fails is refused, never exported as if intact."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from monitor.clinical.protocols import ProtocolSet, load_protocols
from monitor.clinical.session_protocol import protocol_in_force
from monitor.clock import Clock, SystemClock
from monitor.export.atomic import ExportError, check_target, write_atomic
from monitor.export.context import ExportContext
from monitor.export.formats import FORMATS
from monitor.log.eventlog import EventLog, Verdict
from monitor.model.session import Session, fold
from monitor.paths import site_protocols


def render(session: Session, protocols: ProtocolSet, fmt: str, *, now: datetime,
           deidentify: bool = False, wide: bool = False, record: Verdict | None = None,
           page_size: str = "a4", notes: list[str] | None = None) -> bytes:
    """The export as bytes. ``page_size`` (a4 or letter) is for the PDF; what the
    reader should know about the file (characters a PDF could not draw) is
    appended to ``notes``."""
    ctx = ExportContext(session, protocol_in_force(session, protocols), deidentify, now, record)
    # Each format's module loads with its first export: the window imports this package
    # before its first paint, and csv, json, fhir and vital together cost ~7 ms there,
    # pdf (reportlab) ~210 ms (CPU, `python -m bench.child imports-window DB SID MODULE...`).
    if fmt == "json":
        from monitor.export.json_io import to_json
        return to_json(ctx)
    if fmt == "csv":
        from monitor.export.csv_out import to_csv
        return to_csv(ctx, wide=wide)
    if fmt == "pdf":
        from monitor.export.pdf import to_pdf
        return to_pdf(ctx, page_size, notes)
    if fmt == "fhir":
        from monitor.export.fhir import to_fhir
        return to_fhir(ctx)
    if fmt == "vital":
        from monitor.export.vital import to_vital
        return to_vital(ctx)
    raise ExportError(f"Unknown format {fmt!r}; allowed: {', '.join(FORMATS)}")


def verified(store: EventLog, session_id: str, verdict: Verdict | None = None) -> Verdict:
    """The session's verdict; refuse a record that fails verification."""
    verdict = verdict or store.check_session(session_id)
    if not verdict.ok:
        raise ExportError(f"Refused to export session {session_id}: {verdict.text()}. "
                          "Run `ketamine-monitor verify` for the whole database")
    return verdict


def export_session(log: EventLog, session: str, fmt: str, out: Path, *,
                   deidentify: bool = False, force: bool = False, wide: bool = False,
                   clock: Clock | None = None, protocols: ProtocolSet | None = None,
                   page_size: str = "a4", notes: list[str] | None = None) -> Path:
    """Read a session from the log and write one export file atomically (``notes``
    as for ``render``)."""
    if fmt not in FORMATS:
        raise ExportError(f"Unknown format {fmt!r}; allowed: {', '.join(FORMATS)}")
    check_target(out, force=force)
    sid = log.find_session(session)
    events, verdict = log.read_checked(sid)  # one pass: read and check together
    record = verified(log, sid, verdict)
    folded = fold(sid, events)
    protocols = protocols or _protocols()
    data = render(folded, protocols, fmt, now=(clock or SystemClock()).now(),
                  deidentify=deidentify, wide=wide, record=record, page_size=page_size,
                  notes=notes)
    return write_atomic(out, data, force=force)


def _protocols() -> ProtocolSet:
    return load_protocols(site_protocols())
