"""FHIR R4 (4.0.1) Bundle of type collection, built from plain dicts.

Vitals are vital-signs Observations with LOINC codes and UCUM units; BP is a
panel (85354-9) with systolic and diastolic components, typed or from a device.
A device's values point at a Device resource; its spot and episodic values are
vital-signs Observations like the nurse's, and only continuous streams (see
``fhir_device``) are SampledData, coded with MDC outside vital-signs. Sedation,
dissociation and NEWS2 are Observations with text codes (no standard LOINC
fits the 0–5 MOAA/S variant). Each infusion segment and bolus is a
MedicationAdministration. Amended entries carry status ``amended`` with the
original values in a note; struck entries ``entered-in-error``; artifacts
keep status ``final`` with an interpretation note.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from monitor.clinical.rules.news2 import news2
from monitor.clock import to_iso
from monitor.export.context import DEID_NOTICE, ExportContext
from monitor.export.fhir_device import (
    Stream,
    device_names,
    device_resource,
    find_streams,
    mdc_code,
    streamed_keys,
)
from monitor.export.rows import correction_text
from monitor.model.events import EventKind
from monitor.model.parameters import PARAMETERS, SCORE, VITAL, fmt, keys
from monitor.model.session import Entry

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
DEID_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
FLAG_SYSTEM = "urn:ketamine-monitor:flag"
ARTIFACT_TEXT = "flagged as artifact: excluded from alarms and scores"
ABSENT = {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/data-absent-reason",
                      "code": "not-performed", "display": "Not Performed"}]}
BP_PANEL = ("sbp", "dbp")  # one panel Observation with two components
SINGLE_VITALS = tuple(k for k in keys(group=VITAL) if k not in BP_PANEL)
NS = uuid.UUID("6f1c1a52-8a52-4b43-9d6e-2c1d3b0a9e11")
KETAMINE = {"coding": [{"system": "http://www.nlm.nih.gov/research/umls/rxnorm",
                        "code": "6130", "display": "ketamine"}], "text": "ketamine"}
ESKETAMINE = {"text": "esketamine (nasal spray)"}
ROUTE_TEXT = {"IV": "Intravenous", "intranasal": "Nasal", "PO": "Oral", "IM": "Intramuscular",
              "SC": "Subcutaneous", "SL": "Sublingual", "inhaled": "Inhalation"}


RECORD_SYSTEM = "urn:ketamine-monitor:record-head"
TAG_SYSTEM = "urn:ketamine-monitor:tags"


class BundleBuilder:
    def __init__(self, ctx: ExportContext) -> None:
        self.ctx = ctx
        # Identified bundles get stable ids (the same session gives the same ids);
        # a de-identified bundle gets fresh ones, so nothing links it to the other.
        self.ns = uuid.uuid4() if ctx.deidentify else NS
        sid = ctx.session.session_id
        self.patient_ref = self.urn(sid, "patient")
        self.entries: list[dict[str, Any]] = []
        self.sid = sid
        self.devices: dict[str, str] = {}  # device id -> its Device resource's fullUrl
        self.urls: set[str] = set()

    def urn(self, *parts: object) -> str:
        return f"urn:uuid:{uuid.uuid5(self.ns, '/'.join(str(p) for p in parts))}"

    def when(self, dt: datetime) -> str:
        if self.ctx.deidentify:
            dt = DEID_EPOCH + (dt - self.ctx.start)
        return to_iso(dt).replace("+00:00", "Z")

    def add(self, full_url: str, resource: dict[str, Any]) -> None:
        self.entries.append({"fullUrl": full_url, "resource": resource})
        self.urls.add(full_url)

    # -- resources -------------------------------------------------------------
    def patient(self) -> None:
        res: dict[str, Any] = {"resourceType": "Patient"}
        if not self.ctx.deidentify:
            res["identifier"] = [{"system": "urn:ketamine-monitor:patient-id",
                                  "value": str(self.ctx.session.opening.get("patient_id"))}]
            name = self.ctx.session.opening.get("display_name")
            if name:
                res["name"] = [{"text": str(name)}]
        self.add(self.patient_ref, res)

    def _status(self, entry: Entry) -> str:
        if entry.struck:
            return "entered-in-error"
        return "amended" if entry.amended else "final"

    @staticmethod
    def artifact_flag() -> list[dict[str, Any]]:
        """The interpretation of a value flagged as artifact (kept, not physiological)."""
        return [{"coding": [{"system": FLAG_SYSTEM, "code": "artifact",
                             "display": ARTIFACT_TEXT}], "text": ARTIFACT_TEXT}]

    def observation(self, entry: Entry | None, key: str, code: dict[str, Any],
                    category: str, when: datetime, value: dict[str, Any] | None = None,
                    params: tuple[str, ...] | None = None, **extra: Any) -> None:
        """One Observation; ``params`` are the entry's values it carries (default
        ``key``): any of them flagged as artifact gives it the artifact interpretation."""
        params = (key,) if params is None else params
        res: dict[str, Any] = {
            "resourceType": "Observation",
            "status": self._status(entry) if entry else "final",
            "category": [{"coding": [{"system": CATEGORY, "code": category,
                                      "display": "Vital Signs" if category == "vital-signs"
                                      else "Survey"}]}],
            "code": code,
            "subject": {"reference": self.patient_ref},
            "effectiveDateTime": self.when(when),
        }
        if entry is not None:
            res["issued"] = self.when(entry.event.recorded_at)
            if entry.event.source == "device":
                res["device"] = {"reference": self.devices[entry.event.author]}
            else:
                res["performer"] = [{"display": self.ctx.who(entry.event.author)}]
            notes = []
            if entry.corrections:
                notes.append(correction_text(self.ctx, entry))
            if entry.amended:
                old = entry.corrections[0].payload.get("old", {})
                notes.append("original values: " + ", ".join(
                    f"{k} {v}" for k, v in sorted(old.items()) if not isinstance(v, dict)))
            if any(entry.is_artifact(p) for p in params):
                notes.append(ARTIFACT_TEXT)
                res["interpretation"] = self.artifact_flag()
            if entry.event.source == "device":
                notes.append("source: device")
            if notes:
                res["note"] = [{"text": n} for n in notes]
        if value:
            res.update(value)
        res.update(extra)
        ident = entry.event.entry_id if entry else "derived"
        self.add(self.urn(self.sid, ident, key), res)

    def quantity_code(self, key: str) -> tuple[dict[str, Any], dict[str, Any]]:
        p = PARAMETERS[key]
        text = p.loinc_display or p.name
        unit = {"unit": p.ucum, "system": UCUM, "code": p.ucum} if p.ucum else {"unit": p.unit}
        if p.loinc is None:
            return {"text": text}, unit
        coding = [{"system": LOINC, "code": code, "display": display}
                  for code, display in ((p.loinc, text), *p.extra_codings)]
        return {"coding": coding, "text": text}, unit

    def quantity(self, key: str, value: float) -> dict[str, Any]:
        _, unit = self.quantity_code(key)
        return {"valueQuantity": {"value": value, **unit}}

    def vitals(self, entry: Entry, streamed: set[str] | frozenset[str] = frozenset()) -> None:
        """One entry's values: BP as the panel (both components; a missing one says
        why it is absent, as the BP profile asks), the rest one Observation each,
        except the parameters carried by a continuous stream."""
        p = entry.payload
        t = entry.observed_at
        if p.get("sbp") is not None or p.get("dbp") is not None:
            components = []
            for key in BP_PANEL:
                code, _ = self.quantity_code(key)
                value = (self.quantity(key, p[key]) if p.get(key) is not None
                         else {"dataAbsentReason": ABSENT})
                component = {"code": code, **value}
                if p.get(key) is not None and entry.is_artifact(key):
                    component["interpretation"] = self.artifact_flag()
                components.append(component)
            self.observation(entry, "bp", {
                "coding": [{"system": LOINC, "code": "85354-9",
                            "display": "Blood pressure panel with all children optional"}],
                "text": "Blood pressure"}, "vital-signs", t, params=BP_PANEL,
                component=components)
        for key in SINGLE_VITALS:
            if p.get(key) is not None and key not in streamed:
                code, _ = self.quantity_code(key)
                self.observation(entry, key, code, "vital-signs", t, self.quantity(key, p[key]))

    def device_vitals(self, entries: list[Entry]) -> None:
        """A device's values: a Device resource per device, continuous streams as
        SampledData, every other value (NIBP, spot values) as vital-signs
        Observations pointing at the Device."""
        names = device_names((e.event.author for e in entries), self.ctx.deidentify)
        for author, name in names.items():
            self.devices[author] = self.urn(self.sid, "device", author)
            self.add(self.devices[author], device_resource(name, self.ctx.deidentify))
        streams = find_streams(entries)
        in_stream = streamed_keys(streams)
        for entry in entries:
            self.vitals(entry, in_stream.get(entry.seq, set()))
        for stream in streams:
            self._sampled(stream)

    def _sampled(self, stream: Stream) -> None:
        """A stream as SampledData; artifact or struck samples are 'E' so timing is kept."""
        _, unit = self.quantity_code(stream.key)
        data = " ".join("E" if not e.counts or e.is_artifact(stream.key)
                        else fmt(e.payload[stream.key]) for e in stream.entries)
        res = {
            "resourceType": "Observation", "status": "final",
            "category": [{"text": "continuous device stream"}],
            "code": mdc_code(stream.key), "subject": {"reference": self.patient_ref},
            "effectivePeriod": {"start": self.when(stream.start), "end": self.when(stream.end)},
            "device": {"reference": self.devices[stream.device]},
            "valueSampledData": {"origin": {"value": 0, **unit},
                                 "period": round(stream.period_s * 1000, 3),
                                 "dimensions": 1, "data": data},
            "note": [{"text": f"{len(stream.entries)} device samples; E = flagged artifact "
                              "or struck"}],
        }
        self.add(self.urn(self.sid, "stream", stream.key, stream.entries[0].event.entry_id), res)

    def assessment(self, entry: Entry) -> None:
        p = entry.payload
        t = entry.observed_at
        for key in keys(group=SCORE):  # coded scores as quantities, the others as integers
            if p.get(key) is not None:
                code, _ = self.quantity_code(key)
                value = (self.quantity(key, p[key]) if PARAMETERS[key].loinc
                         else {"valueInteger": int(p[key])})
                self.observation(entry, key, code, "survey", t, value)
        if p.get("acvpu"):
            self.observation(entry, "acvpu", {"text": "Level of consciousness (ACVPU)"},
                             "survey", t, {"valueString": p["acvpu"]})

    def news2_scores(self) -> None:
        """A NEWS2 Observation for each complete vitals set."""
        acvpu = None
        window = timedelta(minutes=float(self.ctx.protocol.news2.window_min))
        for entry in self.ctx.entries(EventKind.VITALS, EventKind.ASSESSMENT):
            if not entry.counts:
                continue
            if entry.kind is EventKind.ASSESSMENT:
                if entry.payload.get("acvpu"):
                    acvpu = (entry.observed_at, entry.payload["acvpu"])
                continue
            values = {k: v for k, v in entry.payload.items() if not entry.is_artifact(k)}
            values["acvpu"] = acvpu[1] if acvpu and entry.observed_at - acvpu[0] <= window else None
            result = news2(values, self.ctx.protocol.news2.spo2_scale)
            if result.total is not None:
                # Derived from the set's Observations (a streamed value has none of its own).
                sources = [self.urn(self.sid, entry.event.entry_id, k) for k in ("bp", "hr")]
                self.observation(None, f"news2-{entry.seq}", {"text": "NEWS2 total score"},
                                 "survey", entry.observed_at, {"valueInteger": result.total},
                                 interpretation=[{"text": f"{result.band}: {result.response}"}],
                                 derivedFrom=[{"reference": u} for u in sources
                                              if u in self.urls])

    def weight(self) -> None:
        opened = self.ctx.session.entries[1]
        code, _ = self.quantity_code("weight")
        self.observation(opened, "weight", code, "vital-signs", opened.observed_at,
                         self.quantity("weight", self.ctx.session.weight_kg))

    def administrations(self) -> None:
        s = self.ctx.session
        drug = ESKETAMINE if s.dose_mode == "single" else KETAMINE
        for i, (t0, rate) in enumerate(s.timeline.points):
            if rate <= 0:
                continue
            nxt = s.timeline.points[i + 1][0] if i + 1 < len(s.timeline.points) else None
            start = datetime.fromtimestamp(t0, UTC)
            period: dict[str, Any] = {"start": self.when(start)}
            if nxt is not None:
                period["end"] = self.when(datetime.fromtimestamp(nxt, UTC))
            self.add(self.urn(self.sid, "segment", i), {
                "resourceType": "MedicationAdministration",
                "status": "completed" if nxt is not None else "in-progress",
                "medicationCodeableConcept": drug,
                "subject": {"reference": self.patient_ref},
                "effectivePeriod": period,
                "dosage": {"route": {"text": "Intravenous"},
                           "rateQuantity": {"value": round(rate, 4), "unit": "mg/h",
                                            "system": UCUM, "code": "mg/h"}},
            })
        for i, (tb, mg) in enumerate(s.timeline.boluses):
            self.add(self.urn(self.sid, "bolus", i), {
                "resourceType": "MedicationAdministration", "status": "completed",
                "medicationCodeableConcept": drug,
                "subject": {"reference": self.patient_ref},
                "effectiveDateTime": self.when(datetime.fromtimestamp(tb, UTC)),
                "dosage": {"route": {"text": "Nasal" if s.dose_mode == "single"
                                     else "Intravenous"},
                           "dose": {"value": mg, "unit": "mg", "system": UCUM, "code": "mg"}},
            })
        for entry in self.ctx.entries(EventKind.MEDICATION):
            p = entry.payload
            self.add(self.urn(self.sid, entry.event.entry_id, "med"), {
                "resourceType": "MedicationAdministration",
                "status": "entered-in-error" if entry.struck else "completed",
                "medicationCodeableConcept": {"text": self.ctx.text(p.get("drug"))
                                              or "medication (name withheld)"},
                "subject": {"reference": self.patient_ref},
                "effectiveDateTime": self.when(entry.observed_at),
                "dosage": {"route": {"text": ROUTE_TEXT.get(p.get("route", ""), p.get("route"))},
                           "dose": {"value": p.get("dose"), "unit": p.get("unit")}},
            })


def to_fhir(ctx: ExportContext) -> bytes:
    b = BundleBuilder(ctx)
    b.patient()
    b.weight()
    device: list[Entry] = []
    for entry in ctx.entries(EventKind.VITALS):
        if entry.event.source == "device":
            device.append(entry)
        else:
            b.vitals(entry)
    b.device_vitals(device)
    for entry in ctx.entries(EventKind.ASSESSMENT):
        b.assessment(entry)
    b.news2_scores()
    b.administrations()
    record = {"system": TAG_SYSTEM, "code": "record",
              "display": f"{ctx.anchor()}; verification: {ctx.record_status}"}
    bundle: dict[str, Any] = {
        "resourceType": "Bundle",
        "id": str(uuid.uuid5(b.ns, ctx.session.session_id)),
        "meta": {"profile": ["http://hl7.org/fhir/StructureDefinition/Bundle"],
                 "tag": [record]},
        "type": "collection",
        "entry": b.entries,
    }
    if not ctx.deidentify:  # de-identified: no time of writing (it would date the session)
        bundle["timestamp"] = b.when(ctx.exported_at)
    if not ctx.deidentify:
        # The head hash anchors the whole chain: a later export shows the same one
        # unless the record changed.
        bundle["identifier"] = {"system": RECORD_SYSTEM, "value": ctx.head_hash}
    if ctx.deidentify:
        bundle["meta"]["security"] = [{
            "system": "http://terminology.hl7.org/CodeSystem/v3-ObservationValue",
            "code": "ANONYED", "display": "anonymized"}]
        bundle["meta"]["tag"].append({"system": TAG_SYSTEM, "code": "deidentified",
                                      "display": DEID_NOTICE + "; times shifted to start at "
                                      "2000-01-01T00:00:00Z"})
    return json.dumps(bundle, ensure_ascii=False, separators=(",", ":")).encode()
