"""Session exports: JSON, CSV, PDF, FHIR and VitalDB .vital, pure functions of a session."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from monitor.clock import Clock, SystemClock
from monitor.export.atomic import ExportError, write_atomic
from monitor.export.context import ExportContext
from monitor.protocols import ProtocolSet, load_protocols
from monitor.session import Session, fold
from monitor.store import Store

FORMATS = ("csv", "json", "pdf", "fhir", "vital")


def render(session: Session, protocols: ProtocolSet, fmt: str, *, now: datetime,
           deidentify: bool = False, wide: bool = False) -> bytes:
    ctx = ExportContext(session, protocols.get(session.protocol_id), deidentify, now)
    if fmt == "json":
        from monitor.export.json_io import to_json
        return to_json(ctx)
    if fmt == "csv":
        from monitor.export.csv_out import to_csv
        return to_csv(ctx, wide=wide)
    if fmt == "pdf":
        from monitor.export.pdf import to_pdf
        return to_pdf(ctx)
    if fmt == "fhir":
        from monitor.export.fhir import to_fhir
        return to_fhir(ctx)
    if fmt == "vital":
        from monitor.export.vital import to_vital
        return to_vital(ctx)
    raise ExportError(f"Unknown format {fmt!r}; allowed: {', '.join(FORMATS)}")


def export_session(db: Path, session: str, fmt: str, out: Path, *, deidentify: bool = False,
                   force: bool = False, wide: bool = False, clock: Clock | None = None,
                   protocols: ProtocolSet | None = None) -> Path:
    """Read a session from the database and write one export file atomically."""
    if fmt not in FORMATS:
        raise ExportError(f"Unknown format {fmt!r}; allowed: {', '.join(FORMATS)}")
    if out.exists() and not force:
        raise ExportError(f"{out} already exists; use --force to overwrite")
    with Store(db, readonly=True) as store:
        sid = store.find_session(session)
        folded = fold(sid, store.events(sid))
    protocols = protocols or _protocols()
    data = render(folded, protocols, fmt, now=(clock or SystemClock()).now(),
                  deidentify=deidentify, wide=wide)
    return write_atomic(out, data, force=force)


def _protocols() -> ProtocolSet:
    from monitor.paths import site_protocols
    return load_protocols(site_protocols())
