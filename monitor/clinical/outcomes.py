"""Outcome measures of a course of infusions (pain before and after, hours of
relief, PHQ-9, MADRS total), defined as data in ``data/scales.toml``.

Only totals are taken: the MADRS is licensed, so neither its items nor their
text are stored or shown anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from monitor.clinical.scales import load_scales
from monitor.clinical.validation import Range, parse_optional
from monitor.errors import ConfigError, FieldError, ValidationError


@dataclass(frozen=True)
class Measure:
    key: str
    name: str
    short: str          # label in the entry form
    rater: str          # "patient" or "clinician"
    range: Range


@cache
def measures() -> dict[str, Measure]:
    """The outcome measures in file order."""
    table = load_scales().data.get("outcomes")
    if not isinstance(table, dict) or not table:
        raise ConfigError("scales.toml: missing table [outcomes]")
    out = {}
    for key, spec in table.items():
        try:
            rng = Range(str(spec["name"]), str(spec.get("unit", "")), float(spec["min"]),
                        float(spec["max"]), int(spec["decimals"]))
            rater = str(spec["rater"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ConfigError(f"scales.toml: [outcomes.{key}] needs name, min, max, decimals "
                              f"and rater ({exc})") from exc
        if rater not in ("patient", "clinician"):
            raise ConfigError(f"scales.toml: [outcomes.{key}] rater must be patient or "
                              f"clinician, not {rater!r}")
        out[key] = Measure(key, rng.label, str(spec.get("short", rng.label)), rater, rng)
    return out


def validate_outcomes(fields: dict[str, object]) -> dict[str, float]:
    """Parse the given measures (blank ones are skipped; the result is in file order);
    at least one is required."""
    known = measures()
    errors: list[FieldError] = []
    out: dict[str, float] = {}
    for key, raw in fields.items():
        if key not in known:
            errors.append(FieldError(key, "Outcome measure", key,
                                     "one of: " + ", ".join(known)))
            continue
        value = parse_optional(raw, key, errors, known[key].range)
        if value is not None:
            out[key] = value
    if errors:
        raise ValidationError(errors)
    out = {key: out[key] for key in known if key in out}  # always in file order
    if not out:
        raise ValidationError([FieldError("outcome", "Outcome measures", "",
                                          "give at least one measure")])
    return out
