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
from dataclasses import dataclass
from datetime import datetime, timedelta

from monitor.errors import FieldError, ValidationError


@dataclass(frozen=True)
class Range:
    label: str
    unit: str
    low: float
    high: float
    decimals: int = 0

    def allowed(self) -> str:
        fmt = f"{{:.{self.decimals}f}}"
        whole = "a whole number" if self.decimals == 0 else "a number"
        unit = f" {self.unit}" if self.unit else ""
        return f"{whole} from {fmt.format(self.low)} to {fmt.format(self.high)}{unit}"


# The single plausibility table (docs/validation.md shows it to clinics).
# These bounds refuse typing slips and gateway placeholders (-999, 8388607);
# clinical limits live in the protocol presets, not here.
PLAUSIBLE: dict[str, Range] = {
    "sbp": Range("Systolic BP", "mmHg", 40, 300),
    "dbp": Range("Diastolic BP", "mmHg", 20, 200),
    "map": Range("Mean BP", "mmHg", 25, 250),
    "hr": Range("Heart rate", "/min", 20, 250),
    "spo2": Range("SpO2", "%", 50, 100),
    "rr": Range("Respiratory rate", "/min", 2, 70),
    "temp": Range("Temperature", "°C", 30.0, 43.0, 1),
    "weight": Range("Weight", "kg", 20, 300, 1),
    "rate_mg_kg_h": Range("Infusion rate", "mg/kg/h", 0.01, 3.0, 2),
    "rate_mg_h": Range("Infusion rate", "mg/h", 0.5, 300.0, 1),
    "bolus_mg": Range("Bolus", "mg", 0.5, 200.0, 1),
    "concentration": Range("Concentration", "mg/mL", 0.1, 100.0, 2),
    "med_dose": Range("Dose", "", 0.001, 10000.0, 3),
    "pain": Range("Pain NRS", "", 0, 10),
    "dissociation": Range("Dissociation rating", "", 0, 10),
    "moaas": Range("MOAA/S", "", 0, 5),
    "rass": Range("RASS", "", -5, 4),
    "cadss_item": Range("CADSS-6 item", "", 0, 4),
}

VITAL_FIELDS = ("sbp", "dbp", "hr", "spo2", "rr", "temp")
MISSING_REASONS = ("not measured", "refused", "device error")
OXYGEN_CHOICES = ("air", "oxygen")
SOURCES = ("manual", "device")
MAX_FUTURE = timedelta(seconds=60)

_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")
_BP = re.compile(r"^\s*(?P<sbp>[^/]*)/(?P<dbp>[^/]*)$")


def parse_number(text: str | float | int, field: str,
                 errors: list[FieldError], rng: Range | None = None) -> float | int | None:
    """Parse one number for ``field`` (bounds from ``rng``, else the plausibility table);
    on failure append an error and return None."""
    rng = rng or PLAUSIBLE[field]
    if isinstance(text, bool):
        errors.append(FieldError(field, rng.label, str(text), rng.allowed()))
        return None
    if isinstance(text, int | float):
        value = float(text)
        raw = str(text)
    else:
        raw = str(text).strip().replace("\u2212", "-")
        if not _NUMBER.match(raw):
            errors.append(FieldError(field, rng.label, raw, rng.allowed()))
            return None
        value = float(raw.replace(",", "."))
    if not math.isfinite(value) or not rng.low <= value <= rng.high:
        errors.append(FieldError(field, rng.label, raw, rng.allowed()))
        return None
    if rng.decimals == 0 and value != int(value):
        errors.append(FieldError(field, rng.label, raw, rng.allowed()))
        return None
    return round(value, rng.decimals) if rng.decimals else int(value)


def parse_optional(text: object, field: str, errors: list[FieldError],
                   rng: Range | None = None) -> float | None:
    if text is None or (isinstance(text, str) and text.strip() == ""):
        return None
    return parse_number(text, field, errors, rng)  # type: ignore[arg-type]


def split_bp(text: str) -> tuple[str, str] | None:
    """'128/82' -> ('128', '82'); None when the text has no slash."""
    m = _BP.match(text or "")
    if not m:
        return None
    return m.group("sbp").strip(), m.group("dbp").strip()


def validate_vitals(fields: dict[str, object], source: str = "manual") -> dict[str, object]:
    """Validate a vitals set typed by a nurse or sent by a device.

    ``fields`` may hold sbp, dbp, map, hr, spo2, rr, temp (text or numbers),
    ``o2`` ("air" or "oxygen") and ``missing`` ({field: reason}). SBP may hold
    "128/82", which fills both pressures. A nurse's set defaults to air and
    records why blank fields are blank; a device sample keeps only what the
    device sent (no guessed air/oxygen, no reasons). Returns the clean payload;
    raises ValidationError naming every bad field.
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
    values: dict[str, float | None] = {}
    for name in (*VITAL_FIELDS, "map"):
        values[name] = parse_optional(raw.get(name), name, errors)
    sbp, dbp = values["sbp"], values["dbp"]
    if sbp is not None and dbp is not None and dbp >= sbp:
        errors.append(FieldError("dbp", "Diastolic BP", f"{dbp:g}",
                                 f"must be below systolic ({sbp:g} mmHg)"))
    device = source == "device"
    o2 = raw.get("o2") or (None if device else "air")
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
    if not errors and all(values[n] is None for n in VITAL_FIELDS):
        errors.append(FieldError("sbp", "Vitals", "", "enter at least one value"))
    if errors:
        raise ValidationError(errors)
    payload: dict[str, object] = {n: values[n] for n in VITAL_FIELDS if values[n] is not None}
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
    return payload


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
    text = "" if value is None else str(value).strip()
    if not text:
        if required:
            errors.append(FieldError(field, label, "", "required"))
        return None
    if len(text) > max_len:
        errors.append(FieldError(field, label, text[:20] + "…", f"at most {max_len} characters"))
        return None
    if any(ord(c) < 32 and c not in "\n\t" for c in text):
        errors.append(FieldError(field, label, repr(text)[:30], "printable text only"))
        return None
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
