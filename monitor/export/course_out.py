"""A patient's course of sessions as one export: CSV, JSON, PDF or FHIR.

One row (or Encounter) per session with the facts of the course view. A
de-identified course carries no patient identifier, no session id and no
date: sessions are numbered and placed by the days since the first one, so
the intervals between infusions survive (FHIR: periods shifted so the first
session starts at 2000-01-01, as in the session export).
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

from monitor.clinical.outcomes import measures
from monitor.clinical.protocols import ProtocolSet
from monitor.clock import Clock, SystemClock, to_iso
from monitor.courses.course import (
    SessionFacts,
    course_facts,
    course_table,
    flat,
    flat_columns,
    load_course,
)
from monitor.export.atomic import ExportError, TargetExists, write_atomic
from monitor.export.formats import COURSE_FORMATS
from monitor.log.eventlog import EventLog
from monitor.model.parameters import fmt
from monitor.model.session import Session

DEID_NOTICE = ("DE-IDENTIFIED: no patient identifier, session id or date; sessions placed by "
               "days since the first one")


def _cell(value: object) -> str:
    if value is None:
        return ""
    return fmt(value) if isinstance(value, float) else str(value)


def to_course_csv(facts: list[SessionFacts], deidentify: bool) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(flat_columns())
    for f in facts:
        writer.writerow([_cell(v) for v in flat(f, deidentify=deidentify).values()])
    return out.getvalue().encode("utf-8")


def to_course_json(facts: list[SessionFacts], patient: str, deidentify: bool,
                   now: datetime) -> bytes:
    doc: dict[str, Any] = {"format": "ketamine-monitor course", "version": 1,
                           "deidentified": deidentify}
    if not deidentify:
        doc["patient_id"] = patient
        doc["exported_at"] = to_iso(now)
    doc["sessions"] = [f.as_dict(deidentify=deidentify) for f in facts]
    return json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8")


NS = uuid.UUID("3c0e6f0e-0a57-4a8e-b1b4-6a5e9f1c2d77")
ENCOUNTER_CLASS = {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
                   "code": "AMB", "display": "ambulatory"}
DEID_EPOCH = datetime.fromisoformat("2000-01-01T00:00:00+00:00")


def _outcome_observation(f: SessionFacts, key: str, value: float, enc: str,
                         patient: str) -> dict[str, Any]:
    m = measures()[key]
    return {"resourceType": "Observation", "status": "final",
            "category": [{"coding": [{
                "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                "code": "survey", "display": "Survey"}]}],
            "code": {"text": m.name},
            "subject": {"reference": patient}, "encounter": {"reference": enc},
            "valueQuantity": {"value": value, **({"unit": m.range.unit} if m.range.unit
                                                 else {})},
            "performer": [{"display": m.rater}]}


def to_course_fhir(facts: list[SessionFacts], sessions: dict[str, Session], patient_id: str,
                   deidentify: bool, now: datetime) -> bytes:
    """A collection Bundle: the Patient, one Encounter per session, outcome Observations."""
    # Identified: stable ids (the same course gives the same ids). De-identified: fresh
    # ones for every export, so no id links two patients' bundles, or a bundle to its
    # identified twin or to an earlier export.
    ns = uuid.uuid4() if deidentify else NS
    key = "deid" if deidentify else patient_id
    patient_ref = f"urn:uuid:{uuid.uuid5(ns, key + '/patient')}"
    patient: dict[str, Any] = {"resourceType": "Patient"}
    if not deidentify:
        patient["identifier"] = [{"system": "urn:ketamine-monitor:patient-id",
                                  "value": patient_id}]
    entries = [{"fullUrl": patient_ref, "resource": patient}]
    first = facts[0].opened_at if facts else now

    def when(dt: datetime) -> str:
        return to_iso(DEID_EPOCH + (dt - first) if deidentify else dt).replace("+00:00", "Z")

    for f in facts:
        s = sessions[f.session_id]
        enc_ref = f"urn:uuid:{uuid.uuid5(ns, key + '/' + str(f.number))}"
        end = s.closed_at or s.discharged_at
        period = {"start": when(f.opened_at), **({"end": when(end)} if end else {})}
        encounter: dict[str, Any] = {
            "resourceType": "Encounter",
            "status": "finished" if end else "in-progress",
            "class": ENCOUNTER_CLASS,
            "type": [{"text": f"ketamine session {f.number} ({f.protocol})"}],
            "subject": {"reference": patient_ref},
            "period": period,
        }
        if not deidentify:
            encounter["identifier"] = [{"system": "urn:ketamine-monitor:session-id",
                                        "value": f.session_id}]
        if f.duration_min is not None:
            encounter["length"] = {"value": f.duration_min, "unit": "min",
                                   "system": "http://unitsofmeasure.org", "code": "min"}
        entries.append({"fullUrl": enc_ref, "resource": encounter})
        for k, v in f.outcomes.items():
            entries.append({"fullUrl": f"urn:uuid:{uuid.uuid5(ns, enc_ref + k)}",
                            "resource": _outcome_observation(f, k, v, enc_ref, patient_ref)})
    bundle: dict[str, Any] = {
        "resourceType": "Bundle", "type": "collection",
        "id": str(uuid.uuid5(ns, key + "/bundle")), "entry": entries}
    if not deidentify:  # the export date would place the course in time
        bundle["timestamp"] = to_iso(now).replace("+00:00", "Z")
    else:
        bundle["meta"] = {"security": [{
            "system": "http://terminology.hl7.org/CodeSystem/v3-ObservationValue",
            "code": "ANONYED", "display": "anonymized"}],
            "tag": [{"display": DEID_NOTICE}]}
    return json.dumps(bundle, ensure_ascii=False, separators=(",", ":")).encode()


def to_course_pdf(facts: list[SessionFacts], patient: str, deidentify: bool,
                  now: datetime, page_size: str = "a4", notes: list[str] | None = None) -> bytes:
    # reportlab (~210 ms with the PDF module) loads with the first PDF: the window's
    # course view imports this module for its CSV and JSON too.
    from reportlab.lib.pagesizes import landscape
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    from monitor.export import pdf_fonts
    from monitor.export.pdf import (
        SMALL,
        STYLES,
        EmbeddedCanvas,
        _escape,
        _table,
        missing_glyphs,
        page_size_points,
    )
    size = landscape(page_size_points(page_size))
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=size, leftMargin=10 * mm,
                            rightMargin=10 * mm, topMargin=10 * mm, bottomMargin=10 * mm,
                            title="Ketamine course report", author="ketamine-monitor",
                            invariant=1 if deidentify else None)  # de-identified: no date
    who = "(de-identified)" if deidentify else patient
    with pdf_fonts.tracking() as missing:
        story: list[Any] = [Paragraph("Ketamine course report", STYLES["Title"]),
                            Paragraph(_escape(f"Patient {who} · {len(facts)} sessions"), SMALL)]
        if deidentify:
            story.append(Paragraph(f"<b>{DEID_NOTICE}</b>", SMALL))
        else:
            story.append(Paragraph("Generated " + now.astimezone().isoformat(
                timespec="seconds"), SMALL))
        header, rows = course_table(facts, deidentify=deidentify)
        widths = [w * mm for w in (6, 24, 22, 26, 18, 22, 18, 24, 22, 18, 28, 27, 22)]
        scale = min(1.0, (size[0] - 20 * mm) / sum(widths))  # Letter is narrower than A4
        story.append(_table(header, rows, [w * scale for w in widths]))
    story[1:1] = missing_glyphs(missing, notes)
    doc.build(story, canvasmaker=EmbeddedCanvas)
    return buf.getvalue()


def export_course(log: EventLog, patient: str, fmt_name: str, out: Path, protocols: ProtocolSet,
                  *, deidentify: bool = False, force: bool = False,
                  clock: Clock | None = None, page_size: str = "a4",
                  notes: list[str] | None = None) -> Path:
    if fmt_name not in COURSE_FORMATS:
        raise ExportError(f"A course exports as {', '.join(COURSE_FORMATS)}, not {fmt_name!r}")
    if not patient.strip():
        raise ExportError("--course needs a patient identifier (MRN or pseudonym)")
    if out.exists() and not force:
        raise TargetExists(out)
    now = (clock or SystemClock()).now()
    sessions = load_course(log, patient)
    if not sessions:
        raise ExportError(f"No sessions for patient {patient!r} in {log.location}")
    data = render_course(sessions, patient, fmt_name, protocols, now, deidentify=deidentify,
                         page_size=page_size, notes=notes)
    return write_atomic(out, data, force=force)


def render_course(sessions: list[Session], patient: str, fmt_name: str,
                  protocols: ProtocolSet, now: datetime, *, deidentify: bool = False,
                  page_size: str = "a4", notes: list[str] | None = None) -> bytes:
    """The course export of these sessions (one patient's, any order) as bytes."""
    if fmt_name not in COURSE_FORMATS:
        raise ExportError(f"A course exports as {', '.join(COURSE_FORMATS)}, not {fmt_name!r}")
    facts = course_facts(sessions, protocols, now)
    if fmt_name == "csv":
        return to_course_csv(facts, deidentify)
    if fmt_name == "json":
        return to_course_json(facts, patient, deidentify, now)
    if fmt_name == "pdf":
        return to_course_pdf(facts, patient, deidentify, now, page_size, notes)
    return to_course_fhir(facts, {s.session_id: s for s in sessions}, patient, deidentify, now)
