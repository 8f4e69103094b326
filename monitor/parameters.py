"""One table of the recorded parameters: label, unit, and interoperability codes."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Parameter:
    key: str
    label: str
    unit: str            # shown to nurses
    ucum: str | None     # FHIR unit code
    loinc: str | None
    loinc_display: str | None


PARAMETERS: dict[str, Parameter] = {p.key: p for p in (
    Parameter("sbp", "SBP", "mmHg", "mm[Hg]", "8480-6", "Systolic blood pressure"),
    Parameter("dbp", "DBP", "mmHg", "mm[Hg]", "8462-4", "Diastolic blood pressure"),
    Parameter("map", "MAP", "mmHg", "mm[Hg]", "8478-0", "Mean blood pressure"),
    Parameter("hr", "HR", "/min", "/min", "8867-4", "Heart rate"),
    Parameter("spo2", "SpO2", "%", "%", "2708-6", "Oxygen saturation in Arterial blood"),
    Parameter("rr", "RR", "/min", "/min", "9279-1", "Respiratory rate"),
    Parameter("temp", "Temp", "°C", "Cel", "8310-5", "Body temperature"),
    Parameter("etco2", "EtCO2", "mmHg", "mm[Hg]", "19889-5",
              "Carbon dioxide [Partial pressure] in Exhaled gas --at end expiration"),
    Parameter("weight", "Weight", "kg", "kg", "29463-7", "Body weight"),
    Parameter("pain", "Pain NRS", "", "{score}", "72514-3",
              "Pain severity - 0-10 verbal numeric rating [Score] - Reported"),
    Parameter("moaas", "MOAA/S", "", "{score}", None, None),
    Parameter("rass", "RASS", "", "{score}", None, None),
    Parameter("dissociation", "Dissociation 0-10", "", "{score}", None, None),
    Parameter("cadss6_total", "CADSS-6", "", "{score}", None, None),
)}


def label(key: str) -> str:
    p = PARAMETERS.get(key)
    return p.label if p else key


def unit(key: str) -> str:
    p = PARAMETERS.get(key)
    return p.unit if p else ""


def fmt(value: float) -> str:
    """A value as a nurse would write it: 128, 36.8, -2."""
    return f"{value:g}" if value != int(value) else str(int(value))
