"""Our own check of a bundle against the FHIR R4 vital-signs profiles
(http://hl7.org/fhir/R4/observation-vitalsigns.html), written from the profile
text, not from our exporter: the base schema (fhir.resources) accepts a heart
rate as SampledData or a BP panel without its diastolic component; the profiles
do not.

Rules checked on every Observation that is in the vital-signs category or
carries a vital-sign LOINC code (the R4 spec: such an Observation SHALL
conform):
- status is an Observation status; category has the vital-signs coding;
- code has a LOINC coding, and the code's own profile is followed;
- subject references a Patient of the bundle;
- effectiveDateTime (at least a day, vs-1) or effectivePeriod;
- a value is valueQuantity with value, unit, system UCUM and the profile's UCUM
  code, never SampledData, string or integer; without value, component or
  hasMember, a dataAbsentReason (vs-2);
- the BP panel (85354-9) has no value of its own and systolic (8480-6) and
  diastolic (8462-4) components, each a valueQuantity in mm[Hg] or a
  dataAbsentReason (vs-3);
- a device reference resolves to a Device of the bundle.
"""

from __future__ import annotations

import re
from typing import Any

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
STATUSES = {"registered", "preliminary", "final", "amended", "corrected", "cancelled",
            "entered-in-error", "unknown"}
# LOINC code of each R4 vital-signs profile (and the generic profile's codes) -> UCUM units.
UNITS: dict[str, set[str]] = {
    "9279-1": {"/min"}, "8867-4": {"/min"}, "2708-6": {"%"}, "59408-5": {"%"},
    "8310-5": {"Cel", "[degF]"}, "8302-2": {"cm", "[in_i]"}, "9843-4": {"cm", "[in_i]"},
    "29463-7": {"kg", "g", "[lb_av]"}, "39156-5": {"kg/m2"}, "8478-0": {"mm[Hg]"},
    "8480-6": {"mm[Hg]"}, "8462-4": {"mm[Hg]"},
}
BP_PANEL = "85354-9"
VITAL_CODES = {*UNITS, BP_PANEL, "85353-1"}
DATE_TIME = re.compile(r"^\d{4}-\d\d-\d\d(T\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d))?$")
VALUE_KEYS = ("valueQuantity", "valueCodeableConcept", "valueString", "valueBoolean",
              "valueInteger", "valueRange", "valueRatio", "valueSampledData", "valueTime",
              "valueDateTime", "valuePeriod")


def _loinc(code: dict[str, Any]) -> list[str]:
    return [c.get("code", "") for c in code.get("coding", []) if c.get("system") == LOINC]


def _is_vital(obs: dict[str, Any]) -> bool:
    in_category = any(c.get("system") == CATEGORY and c.get("code") == "vital-signs"
                      for cat in obs.get("category", []) for c in cat.get("coding", []))
    return in_category or bool(set(_loinc(obs.get("code", {}))) & VITAL_CODES)


def _quantity(q: Any, units: set[str], where: str) -> list[str]:
    if not isinstance(q, dict):
        return [f"{where}: no valueQuantity"]
    out = []
    if not isinstance(q.get("value"), int | float):
        out.append(f"{where}: valueQuantity.value missing")
    if not q.get("unit"):
        out.append(f"{where}: valueQuantity.unit missing")
    if q.get("system") != UCUM:
        out.append(f"{where}: valueQuantity.system is not UCUM")
    if q.get("code") not in units:
        out.append(f"{where}: UCUM code {q.get('code')!r} is not one of {sorted(units)}")
    return out


def _bp_panel(obs: dict[str, Any], where: str) -> list[str]:
    out = [f"{where}: the BP panel has a value of its own"
           for k in VALUE_KEYS if k in obs]
    components: dict[str, dict[str, Any]] = {}
    for c in obs.get("component", []):
        for code in _loinc(c.get("code", {})):
            components[code] = c
    for code, name in (("8480-6", "systolic"), ("8462-4", "diastolic")):
        c = components.get(code)
        if c is None:
            out.append(f"{where}: BP panel without its {name} component ({code})")
        elif "dataAbsentReason" not in c:
            out += _quantity(c.get("valueQuantity"), {"mm[Hg]"}, f"{where} {name}")
    return out


def vital_signs_problems(bundle: dict[str, Any]) -> list[str]:
    """Every way the bundle's Observations break the R4 vital-signs profiles
    (an empty list when they conform)."""
    urls = {e.get("fullUrl"): e["resource"].get("resourceType") for e in bundle.get("entry", [])}
    problems: list[str] = []
    for i, entry in enumerate(bundle.get("entry", [])):
        obs = entry["resource"]
        if obs.get("resourceType") != "Observation":
            continue
        where = f"entry {i} ({obs.get('code', {}).get('text', '?')})"
        device = obs.get("device", {}).get("reference")
        if device is not None and urls.get(device) != "Device":
            problems.append(f"{where}: device {device} is not a Device of the bundle")
        if not _is_vital(obs):
            continue
        if obs.get("status") not in STATUSES:
            problems.append(f"{where}: status {obs.get('status')!r}")
        if not any(c.get("system") == CATEGORY and c.get("code") == "vital-signs"
                   for cat in obs.get("category", []) for c in cat.get("coding", [])):
            problems.append(f"{where}: no vital-signs category")
        codes = _loinc(obs.get("code", {}))
        if not codes:
            problems.append(f"{where}: no LOINC code")
        if urls.get(obs.get("subject", {}).get("reference")) != "Patient":
            problems.append(f"{where}: subject is not a Patient of the bundle")
        when = obs.get("effectiveDateTime")
        if when is None and "effectivePeriod" not in obs:
            problems.append(f"{where}: no effective time")
        elif when is not None and not DATE_TIME.match(when):
            problems.append(f"{where}: effectiveDateTime {when!r} (vs-1)")
        if BP_PANEL in codes:
            problems += _bp_panel(obs, where)
            continue
        if "valueSampledData" in obs:
            problems.append(f"{where}: SampledData in a vital-signs Observation")
        others = [k for k in VALUE_KEYS if k in obs and k != "valueQuantity"]
        if others:
            problems.append(f"{where}: {others[0]} where the profile wants valueQuantity")
        units = next((UNITS[c] for c in codes if c in UNITS), None)
        if "valueQuantity" in obs:
            q = obs["valueQuantity"]
            problems += (_quantity(q, units, where) if units is not None else
                         [f"{where}: valueQuantity not in UCUM"] if q.get("system") != UCUM
                         else [])
        elif not ({"component", "hasMember", "dataAbsentReason"} & obs.keys()) and not others:
            problems.append(f"{where}: no value and no dataAbsentReason (vs-2)")
    return problems
