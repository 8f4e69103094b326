"""What each kind of clinical entry may hold: one validator per kind.

A live entry, an amendment (the original values merged with the changes) and
an imported event all pass through the same validator, so nothing reaches the
log that the entry form itself would refuse. Each validator takes the fields
as typed (or as stored), appends every problem to ``errors`` and returns the
clean payload.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from monitor.clinical.medications import check_medication
from monitor.clinical.outcomes import validate_outcomes
from monitor.clinical.patient_details import patient_details
from monitor.clinical.predose import validate_checklist
from monitor.clinical.protocols import Protocol
from monitor.clinical.scales import ASSESSMENT_INPUTS, validate_assessment
from monitor.clinical.validation import (
    parse_number,
    parse_optional,
    validate_choice,
    validate_text,
    validate_vitals,
)
from monitor.errors import FieldError, ValidationError
from monitor.model.events import EventKind
from monitor.model.parameters import SCORE, VITAL, keys
from monitor.model.vocabulary import (
    DOSE_UNITS,
    DRUG_EVENTS,
    INDICATIONS,
    QUICK_EVENTS,
    RATE_UNITS,
    ROUTES,
)


def collect(errors: list[FieldError], validate: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Run a raising validator, adding its field errors to ``errors`` instead."""
    try:
        return validate()
    except ValidationError as exc:
        errors.extend(exc.errors)
        return {}


# Every field an opening may hold (the nurse's ID is checked by the recorder).
OPENING_FIELDS = ("patient_id", "display_name", "weight_kg", "indication", "indication_text",
                  "protocol", "spo2_scale", "date_of_birth", "sex", "nurse_id")


def opening(fields: dict[str, Any], protocol_ids: list[str],
            errors: list[FieldError]) -> dict[str, Any]:
    patient = validate_text(fields.get("patient_id"), "patient_id",
                            "Patient identifier (MRN or pseudonym)", errors,
                            required=True, max_len=64)
    name = validate_text(fields.get("display_name"), "display_name", "Display name",
                         errors, max_len=100)
    weight = parse_number(str(fields.get("weight_kg", "")), "weight", errors)
    indication = validate_choice(fields.get("indication"), "indication", "Indication",
                                 INDICATIONS, errors)
    if indication is None and not any(e.field == "indication" for e in errors):
        errors.append(FieldError("indication", "Indication", "",
                                 "one of: " + ", ".join(INDICATIONS)))
    other = validate_text(fields.get("indication_text"), "indication_text",
                          "Indication (other)", errors, max_len=200)
    if indication == "other" and not other:
        errors.append(FieldError("indication_text", "Indication (other)", "",
                                 "describe the indication"))
    proto_id = str(fields.get("protocol") or "")
    if proto_id not in protocol_ids:
        errors.append(FieldError("protocol", "Protocol", proto_id,
                                 "one of: " + ", ".join(sorted(protocol_ids))))
    scale = fields.get("spo2_scale")  # NEWS2 SpO2 scale 2: a prescribed 88–92 % target
    if scale not in (None, "", 1, 2, "1", "2") or isinstance(scale, bool):
        errors.append(FieldError("spo2_scale", "SpO2 scale", str(scale),
                                 "1, or 2 for a prescribed 88–92 % target"))
        scale = None
    payload = {"patient_id": patient, "display_name": name, "weight_kg": weight,
               "indication": indication, "indication_text": other, "protocol": proto_id,
               "spo2_scale": int(scale) if scale not in (None, "") else None,
               **patient_details(fields, errors)}
    return {k: v for k, v in payload.items() if v is not None}


def rate(fields: dict[str, Any], errors: list[FieldError],
         concentration_now: float | None = None) -> dict[str, Any]:
    """A rate as typed, in mg/kg/h, mg/h or mL/h; a rate in mL/h needs the syringe's
    concentration (typed with it, or the one the infusion started with) and keeps it."""
    unit = fields.get("rate_unit")
    if unit not in RATE_UNITS:
        errors.append(FieldError("rate_unit", "Rate unit", str(unit), ", ".join(RATE_UNITS)))
        return {}
    field = {"mg/kg/h": "rate_mg_kg_h", "mg/h": "rate_mg_h", "mL/h": "rate_ml_h"}[str(unit)]
    value = parse_number(_text(fields.get("rate")), field, errors)
    conc = parse_optional(fields.get("concentration_mg_ml"), "concentration", errors)
    payload: dict[str, Any] = {} if value is None else {"rate": value, "rate_unit": unit}
    if conc is not None:
        payload["concentration_mg_ml"] = conc
    elif unit == "mL/h" and concentration_now:
        payload["concentration_mg_ml"] = concentration_now
    elif unit == "mL/h" and not any(e.field == "concentration" for e in errors):
        errors.append(FieldError("concentration", "Concentration", "",
                                 "the syringe's concentration in mg/mL, needed for a rate "
                                 "in mL/h"))
    return payload


def infusion_start(fields: dict[str, Any], dose_mode: str,
                   errors: list[FieldError]) -> dict[str, Any]:
    """The dosing start; its mode is the protocol's, never a typed value."""
    mode = fields.get("mode")
    if mode not in (None, dose_mode):
        errors.append(FieldError("mode", "Dosing mode", str(mode),
                                 f"{dose_mode} (set by the session's protocol)"))
    payload: dict[str, Any]
    if dose_mode == "single":
        dose = parse_number(_text(fields.get("dose_mg")), "bolus_mg", errors)
        payload = {"mode": "single", "dose_mg": dose, "route": "intranasal"}
    else:
        payload = {"mode": "infusion", **rate(fields, errors)}
    lot = validate_text(fields.get("lot"), "lot", "Lot", errors, max_len=40)
    if lot:
        payload["lot"] = lot
    return payload


def pause(fields: dict[str, Any], errors: list[FieldError]) -> dict[str, Any]:
    return {"reason": validate_text(fields.get("reason"), "reason", "Pause reason", errors,
                                    required=True)}


def bolus(fields: dict[str, Any], errors: list[FieldError]) -> dict[str, Any]:
    return {"dose_mg": parse_number(_text(fields.get("dose_mg")), "bolus_mg", errors)}


def weighed(fields: dict[str, Any], errors: list[FieldError]) -> dict[str, Any]:
    """A re-weigh: the new weight, checked like the opening's."""
    value = parse_number(_text(fields.get("weight_kg")), "weight", errors)
    return {} if value is None else {"weight_kg": value}


def nothing(_fields: dict[str, Any], _errors: list[FieldError]) -> dict[str, Any]:
    return {}


def medication(fields: dict[str, Any], errors: list[FieldError]) -> dict[str, Any]:
    drug = validate_text(fields.get("drug"), "drug", "Drug", errors, required=True, max_len=80)
    dose = parse_number(_text(fields.get("dose")), "med_dose", errors)
    unit = validate_choice(fields.get("unit"), "unit", "Unit", DOSE_UNITS, errors)
    if unit is None and not any(e.field == "unit" for e in errors):
        errors.append(FieldError("unit", "Unit", "", "mg, mcg, g, mL or units"))
    route = validate_choice(fields.get("route"), "route", "Route", ROUTES, errors) or "IV"
    reason = validate_text(fields.get("reason"), "reason", "Reason", errors, max_len=200)
    payload = {"drug": drug, "dose": dose, "unit": unit, "route": route}
    check_medication(payload, errors)  # far above the drug's range: a typing slip
    if reason:
        payload["reason"] = reason
    return payload


def quick_event(fields: dict[str, Any], errors: list[FieldError]) -> dict[str, Any]:
    code = fields.get("code")
    if code not in QUICK_EVENTS:
        errors.append(FieldError("code", "Quick event", str(code),
                                 "one of: " + ", ".join(QUICK_EVENTS)))
    payload: dict[str, Any] = {"code": code, "label": QUICK_EVENTS.get(str(code), str(code))}
    dose = parse_optional(fields.get("dose"), "med_dose", errors)
    if dose is not None:
        if code not in DRUG_EVENTS:
            errors.append(FieldError("dose", "Dose", str(fields.get("dose")),
                                     "only for drug events"))
        payload["dose"] = dose
        payload["unit"] = validate_choice(fields.get("unit") or "mg", "unit", "Unit",
                                          DOSE_UNITS, errors)
    return payload


def note(fields: dict[str, Any], errors: list[FieldError]) -> dict[str, Any]:
    return {"text": validate_text(fields.get("text"), "text", "Note", errors, required=True)}


def vitals(fields: dict[str, Any], errors: list[FieldError], source: str) -> dict[str, Any]:
    merged = dict(fields)
    if "map_measured" in merged and not merged.pop("map_measured"):
        merged.pop("map", None)  # a computed MAP follows the pressures it came from
    kept = _as_sent(merged.pop("artifact_values", None), "artifact_values",
                    "Implausible device values", errors)
    sent = _as_sent(merged.pop("as_sent", None), "as_sent", "Device values as sent", errors)
    payload = collect(errors, lambda: validate_vitals(merged, source))
    if payload and kept:
        # What a device sent that was implausible stays in the record as sent, beside
        # the values it kept (an amendment or an import never revives or drops it).
        payload["artifact_values"] = {**kept, **payload.get("artifact_values", {})}
    if payload and sent:
        # A converted value (kPa to mmHg) keeps the figure and unit the device sent.
        payload["as_sent"] = sent
    return payload


def _as_sent(value: object, field: str, name: str, errors: list[FieldError]) -> dict[str, str]:
    """Text a device sent, by vital sign (each at most 40 characters)."""
    if value is None:
        return {}
    names = set(FIELDS[EventKind.VITALS])
    if (not isinstance(value, dict) or not value
            or any(k not in names or not isinstance(v, str) or len(v) > 40
                   for k, v in value.items())):
        errors.append(FieldError(field, name, str(value)[:40],
                                 "the values a device sent, by vital sign"))
        return {}
    return dict(value)


def assessment(fields: dict[str, Any], errors: list[FieldError]) -> dict[str, Any]:
    # The stored total is recomputed; other unknown fields are named once, by ``clinical``.
    merged = {k: v for k, v in fields.items() if k in ASSESSMENT_INPUTS}
    return collect(errors, lambda: validate_assessment(merged))


# The fields each kind accepts (what an amendment may change or an import may carry).
FIELDS: dict[EventKind, tuple[str, ...]] = {
    EventKind.SESSION_OPENED: ("patient_id", "display_name", "weight_kg", "indication",
                               "indication_text", "protocol", "nurse_id", "spo2_scale",
                               "protocol_snapshot"),
    EventKind.VITALS: (*keys(group=VITAL), "map_measured", "o2", "missing", "artifact_values",
                       "as_sent"),
    EventKind.ASSESSMENT: (*keys(group=SCORE), "acvpu", "nausea", "anxiety", "perceptual",
                           "cadss6", "comment"),
    EventKind.INFUSION_STARTED: ("mode", "rate", "rate_unit", "concentration_mg_ml", "dose_mg",
                                 "route", "lot"),
    EventKind.RATE_CHANGED: ("rate", "rate_unit", "concentration_mg_ml"),
    EventKind.INFUSION_PAUSED: ("reason",),
    EventKind.INFUSION_RESUMED: (),
    EventKind.BOLUS: ("dose_mg",),
    EventKind.INFUSION_STOPPED: (),
    EventKind.MEDICATION: ("drug", "dose", "unit", "route", "reason"),
    EventKind.QUICK_EVENT: ("code", "label", "dose", "unit"),
    EventKind.NOTE: ("text",),
    EventKind.CHECKLIST: ("answers",),
    EventKind.WEIGHED: ("weight_kg",),
}


def clinical(kind: EventKind, fields: dict[str, Any], *, source: str = "manual",
             protocol: Protocol | None = None, protocol_ids: list[str] | None = None
             ) -> dict[str, Any]:
    """Validate a whole clinical entry of ``kind`` under the session's ``protocol``;
    raise ValidationError naming every bad field (including fields the kind does not
    have)."""
    errors: list[FieldError] = []
    # Outcome measures are data (scales.toml): their validator names an unknown one itself.
    allowed = ((tuple(fields) if isinstance(fields, dict) else ()) if kind is EventKind.OUTCOME
               else FIELDS.get(kind))
    if allowed is None:
        raise ValidationError([FieldError("kind", "Entry", str(kind), "a clinical entry")])
    if not isinstance(fields, dict):
        raise ValidationError([FieldError("payload", "Entry", str(fields)[:30], "a record")])
    if kind is EventKind.SESSION_OPENED:
        payload = opening(fields, protocol_ids or [], errors)
    elif kind is EventKind.VITALS:
        payload = vitals(fields, errors, source)
    elif kind is EventKind.ASSESSMENT:
        payload = assessment(fields, errors)
    elif kind is EventKind.CHECKLIST:
        answers = fields.get("answers")
        if protocol is None or not isinstance(answers, dict):
            errors.append(FieldError("answers", "Checklist", str(answers)[:30],
                                     "yes or no for each of the clinic's items"))
            payload = {}
        else:
            payload = {"answers": validate_checklist(protocol, answers, errors)}
    elif kind is EventKind.OUTCOME:
        payload = collect(errors, lambda: validate_outcomes(fields))
    elif kind is EventKind.INFUSION_STARTED:
        payload = infusion_start(fields, protocol.dose_mode if protocol else "infusion",
                                 errors)
    else:
        payload = _SIMPLE[kind](fields, errors)
    confirmed = _confirmed(fields.get("confirmed"), errors) if "confirmed" in fields else None
    if confirmed:
        payload["confirmed"] = confirmed
    for name in fields:  # what neither the kind nor its validator knows is refused
        if name not in allowed and name not in payload and name != "confirmed":
            errors.append(FieldError(str(name)[:40], "Field", str(name)[:40],
                                     f"not part of a {kind.value.replace('_', ' ')} entry"))
    if errors:
        raise ValidationError(errors)
    return payload


def _confirmed(value: object, errors: list[FieldError]) -> list[str]:
    """The warnings a nurse confirmed when recording the entry: kept as recorded."""
    if not isinstance(value, list):
        errors.append(FieldError("confirmed", "Confirmed warnings", str(value)[:30],
                                 "a list of the warnings confirmed"))
        return []
    return [validate_text(w, "confirmed", "Confirmed warning", errors, required=True,
                          max_len=500) or "" for w in value]


_SIMPLE: dict[EventKind, Callable[[dict[str, Any], list[FieldError]], dict[str, Any]]] = {
    EventKind.RATE_CHANGED: rate, EventKind.INFUSION_PAUSED: pause,
    EventKind.INFUSION_RESUMED: nothing, EventKind.BOLUS: bolus,
    EventKind.INFUSION_STOPPED: nothing, EventKind.MEDICATION: medication,
    EventKind.QUICK_EVENT: quick_event, EventKind.NOTE: note, EventKind.WEIGHED: weighed,
}


def _text(value: object) -> Any:
    return "" if value is None else value
