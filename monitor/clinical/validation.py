"""Parsing and plausibility of what a nurse types.

Numbers are parsed locale-safely: a single decimal separator, either "." or
",", is accepted, so "36,8" and "36.8" both mean 36.8. Anything else that is
not plainly a number (thousands separators, two separators, letters, a
trailing "/") is refused with a message naming the field and what is allowed.
Every refusal is collected, so the nurse sees all bad fields at once.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from monitor.errors import FieldError, ValidationError
from monitor.model.parameters import REGISTRY, VITAL, keys


@dataclass(frozen=True)
class Range:
    label: str
    unit: str
    low: float
    high: float
    decimals: int = 0

    def allowed(self) -> str:
        whole = ("a whole number" if self.decimals == 0 else
                 f"a number with at most {self.decimals} decimal"
                 f"{'s' if self.decimals > 1 else ''}")
        unit = f" {self.unit}" if self.unit else ""
        return f"{whole} from {self.low:g} to {self.high:g}{unit}"


# The single plausibility table (docs/validation.md shows it to clinics).
# These bounds refuse typing slips and gateway placeholders (-999, 8388607);
# clinical limits live in the protocol presets, not here.
# Measured parameters come from the registry (monitor.model.parameters); the rest are doses.
PLAUSIBLE: dict[str, Range] = {
    **{p.key: Range(p.name, p.unit, p.low, p.high, p.decimals) for p in REGISTRY},
    "rate_mg_kg_h": Range("Infusion rate", "mg/kg/h", 0.001, 3.0, 3),
    "rate_mg_h": Range("Infusion rate", "mg/h", 0.5, 300.0, 1),
    "rate_ml_h": Range("Infusion rate", "mL/h", 0.001, 999.0, 3),
    "bolus_mg": Range("Bolus", "mg", 0.5, 200.0, 1),
    "concentration": Range("Concentration", "mg/mL", 0.1, 100.0, 2),
    "med_dose": Range("Dose", "", 0.001, 10000.0, 3),
    "cadss_item": Range("CADSS-6 item", "", 0, 4),
}

# Real readings below the usual range (apnoea, deep desaturation, profound bradycardia or
# hypotension) are recorded after the nurse confirms them, never refused
# (docs/alarms-and-protocols.md, CLINICAL §7).
USUAL_LOW: dict[str, float] = {"spo2": 50, "rr": 2, "hr": 20, "sbp": 40}
# A device cannot confirm: below these it sent a probe-off or cuff-error value, kept in
# the record as an artifact (the plausibility floor these had before nurses could
# confirm profound bradycardia and hypotension).
DEVICE_FLOOR: dict[str, float] = {"hr": 20, "sbp": 40}

VITAL_FIELDS = keys(group=VITAL, required=True)
# Recorded when monitored; never needs a missing reason (MAP is also derived, below).
OPTIONAL_VITALS = tuple(k for k in keys(group=VITAL, required=False) if k != "map")
MISSING_REASONS = ("not measured", "refused", "device error")
OXYGEN_CHOICES = ("air", "oxygen")
SOURCES = ("manual", "device")
MAX_FUTURE = timedelta(seconds=60)

_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")
_BP = re.compile(r"^\s*(?P<sbp>[^/]*)/(?P<dbp>[^/]*)$")


def parse_number(text: str | float | int, field: str,
                 errors: list[FieldError], rng: Range | None = None,
                 device: bool = False) -> float | int | None:
    """Parse one number for ``field`` (bounds from ``rng``, else the plausibility table);
    on failure append an error and return None. A monitor's value is kept as sent
    (a monitor averages: SpO2 85.5 is a reading, not an artifact); a nurse's typed
    value has the parameter's decimals, refused beyond them, never rounded."""
    rng = rng or PLAUSIBLE[field]
    if isinstance(text, bool):
        errors.append(FieldError(field, rng.label, str(text), rng.allowed()))
        return None
    if isinstance(text, int | float):
        value = float(text)
        raw = repr(text) if isinstance(text, float) else str(text)
    else:
        raw = str(text).strip().replace("\u2212", "-")
        if not _NUMBER.match(raw):
            errors.append(FieldError(field, rng.label, raw, rng.allowed()))
            return None
        value = float(raw.replace(",", "."))
    if not math.isfinite(value) or not rng.low <= value <= rng.high:
        errors.append(FieldError(field, rng.label, raw, rng.allowed()))
        return None
    if device and value != int(value):
        return value
    if rng.decimals == 0 and value != int(value):
        errors.append(FieldError(field, rng.label, raw, rng.allowed()))
        return None
    if rng.decimals == 0:
        return int(value)
    if decimals_typed(raw) > rng.decimals:  # refuse, never round (docs/alarms-and-protocols.md)
        errors.append(FieldError(field, rng.label, raw, rng.allowed()))
        return None
    return value


def decimals_typed(raw: str) -> int:
    """Digits after the decimal separator as typed ("0.125" -> 3, "36,80" -> 2)."""
    text = raw.strip().lower()
    if "e" in text:  # a float's repr such as 1e-05: count its real decimals
        text = format(float(text), "f")
    for sep in ".,":
        if sep in text:
            return len(text.split(sep, 1)[1].rstrip("0"))
    return 0


def parse_optional(text: object, field: str, errors: list[FieldError],
                   rng: Range | None = None, device: bool = False) -> float | None:
    if text is None or (isinstance(text, str) and text.strip() == ""):
        return None
    return parse_number(text, field, errors, rng, device)  # type: ignore[arg-type]


def split_bp(text: str) -> tuple[str, str] | None:
    """'128/82' -> ('128', '82'); None when the text has no slash."""
    m = _BP.match(text or "")
    if not m:
        return None
    return m.group("sbp").strip(), m.group("dbp").strip()


def validate_vitals(fields: dict[str, object], source: str = "manual") -> dict[str, object]:
    """Validate a vitals set typed by a nurse or sent by a device.

    ``fields`` may hold sbp, dbp, map, hr, spo2, rr, temp, etco2 (text or
    numbers), ``o2`` ("air" or "oxygen") and ``missing`` ({field: reason}).
    SBP may hold "128/82", which fills both pressures. A nurse's set records
    why blank fields are blank; air/oxygen left out is carried forward by the
    recorder. A device sample keeps only what the device sent, and keeps its
    plausible values when others are not: those go to ``artifact_values``
    (kept in the record, excluded from alarms and scores). Returns the clean
    payload; raises ValidationError naming every bad field.
    """
    errors: list[FieldError] = []
    raw = dict(fields)
    sbp_text = raw.get("sbp")
    if isinstance(sbp_text, str) and "/" in sbp_text:
        parts = split_bp(sbp_text)
        if parts is None or not parts[0] or not parts[1]:
            errors.append(
                FieldError("sbp", "Blood pressure", sbp_text,
                           "type systolic/diastolic, for example 128/82")
            )
            raw["sbp"] = None
        else:
            if str(raw.get("dbp") or "").strip() not in ("", parts[1]):
                errors.append(FieldError("dbp", "Diastolic BP", str(raw.get("dbp")),
                                         "leave empty when SBP is typed as 128/82"))
            raw["sbp"], raw["dbp"] = parts
    device = source == "device"
    values: dict[str, float | None] = {}
    for name in (*VITAL_FIELDS, *OPTIONAL_VITALS, "map"):
        values[name] = parse_optional(raw.get(name), name, errors, device=device)
    sbp, dbp = values["sbp"], values["dbp"]
    if sbp is not None and dbp is not None and dbp >= sbp:
        errors.append(FieldError("dbp", "Diastolic BP", f"{dbp:g}",
                                 f"must be below systolic ({sbp:g} mmHg)"))
    for name, floor in DEVICE_FLOOR.items() if device else ():
        value = values[name]
        if value is not None and value < floor:
            rng = PLAUSIBLE[name]
            errors.append(FieldError(name, rng.label, f"{value:g}",
                                     f"from {floor:g} {rng.unit} from a device"))
    artifacts: dict[str, str] = {}
    if device and errors:
        # One implausible value does not cost the good ones: keep those, mark the rest.
        for err in errors:
            name = err.field
            artifacts[name] = err.value
            values[name] = None
            if name == "dbp" and sbp is not None and dbp is not None and dbp >= sbp:
                artifacts["sbp"] = f"{sbp:g}"
                values["sbp"] = None
        errors = []
        if all(values[n] is None for n in (*VITAL_FIELDS, *OPTIONAL_VITALS)):
            errors.append(FieldError(next(iter(artifacts)), "Device sample",
                                     "; ".join(f"{k}={v}" for k, v in artifacts.items()),
                                     "at least one plausible value"))
        sbp, dbp = values["sbp"], values["dbp"]
    o2 = raw.get("o2") or None
    if o2 is not None and o2 not in OXYGEN_CHOICES:
        errors.append(FieldError("o2", "Air or oxygen", str(o2), "air or oxygen"))
    missing_in = raw.get("missing") or {}
    if not isinstance(missing_in, dict):
        errors.append(FieldError("missing", "Missing reasons", str(missing_in),
                                 "a reason per missing field"))
        missing_in = {}
    missing: dict[str, str] = {}
    for name in () if device else VITAL_FIELDS:
        if values[name] is None and not any(e.field == name for e in errors):
            reason = str(missing_in.get(name) or "not measured")
            if reason not in MISSING_REASONS:
                errors.append(FieldError(name, f"{PLAUSIBLE[name].label} missing reason", reason,
                                         "one of: " + ", ".join(MISSING_REASONS)))
            missing[name] = reason
    if not errors and all(values[n] is None for n in (*VITAL_FIELDS, *OPTIONAL_VITALS)):
        errors.append(FieldError("sbp", "Vitals", "", "enter at least one value"))
    if errors:
        raise ValidationError(errors)
    payload: dict[str, object] = {n: values[n] for n in (*VITAL_FIELDS, *OPTIONAL_VITALS)
                                  if values[n] is not None}
    if values["map"] is not None:
        payload["map"] = values["map"]
        payload["map_measured"] = True
    elif sbp is not None and dbp is not None:
        payload["map"] = round((sbp + 2 * dbp) / 3, 1)
        payload["map_measured"] = False
    if o2 is not None:
        payload["o2"] = o2
    if missing:
        payload["missing"] = missing
    if artifacts:
        payload["artifact_values"] = artifacts
    return payload


def below_usual(payload: dict[str, object]) -> list[str]:
    """Readings below the usual range that the nurse must confirm before they are stored."""
    out = []
    for name, low in USUAL_LOW.items():
        value = payload.get(name)
        if isinstance(value, int | float) and value < low:
            rng = PLAUSIBLE[name]
            out.append(f"{rng.label} {value:g}{'' if rng.unit == '%' else ' '}{rng.unit} is "
                       f"below {low:g}: confirm it is a real reading (re-check the probe "
                       "and the patient)")
    return out


def validate_choice(value: object, field: str, label: str, choices: tuple[str, ...],
                    errors: list[FieldError]) -> str | None:
    if value is None or value == "":
        return None
    if value not in choices:
        errors.append(FieldError(field, label, str(value), "one of: " + ", ".join(choices)))
        return None
    return str(value)


def validate_text(value: object, field: str, label: str, errors: list[FieldError],
                  *, required: bool = False, max_len: int = 2000) -> str | None:
    # A pasted Windows or old-Mac line break is a line break.
    text = "" if value is None else str(value).replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        if required:
            errors.append(FieldError(field, label, "", "required"))
        return None
    if len(text) > max_len:
        errors.append(FieldError(field, label, text[:20] + "…", f"at most {max_len} characters"))
        return None
    if any((ord(c) < 32 and c not in "\n\t") or c == "\x7f" or "\ud800" <= c <= "\udfff"
           for c in text):
        errors.append(FieldError(field, label, ascii(text)[:30], "printable text only"))
        return None
    return text


def validate_nurse_id(value: object, errors: list[FieldError],
                      field: str = "nurse_id") -> str:
    """A nurse ID as it will be signed: NFKC-normalised, one line, no control or
    format characters (zero-width spaces, bidi overrides), at least one visible one."""
    text = validate_text(None if value is None else unicodedata.normalize("NFKC", str(value)),
                         field, "Nurse ID", errors, required=True, max_len=40)
    if text is None:
        return ""
    bad = [c for c in text if unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co", "Cn",
                                                          "Zl", "Zp")]
    if bad:
        errors.append(FieldError(field, "Nurse ID", ascii(text)[:30],
                                 "letters, digits and punctuation only (no line breaks, "
                                 "invisible or direction-changing characters)"))
        return ""
    if all(unicodedata.category(c).startswith("Z") for c in text):
        errors.append(FieldError(field, "Nurse ID", ascii(text)[:30], "required"))
        return ""
    return text


def validate_observed_at(observed: datetime | None, now: datetime,
                         session_start: datetime | None, errors: list[FieldError]) -> datetime:
    """Observed time defaults to now; back-dating stays within the session."""
    if observed is None:
        return now
    if observed.tzinfo is None:
        errors.append(FieldError("observed_at", "Observed time", str(observed),
                                 "a time with its UTC offset"))
        return now
    if observed > now + MAX_FUTURE:
        errors.append(FieldError("observed_at", "Observed time", observed.isoformat(),
                                 "not more than 1 minute in the future"))
    elif session_start is not None and observed < session_start:
        errors.append(FieldError("observed_at", "Observed time", observed.isoformat(),
                                 f"not before the session opened ({session_start.isoformat()})"))
    return observed


def raise_if(errors: list[FieldError]) -> None:
    if errors:
        raise ValidationError(errors)
