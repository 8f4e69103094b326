"""Assessment scales as data (monitor/data/scales.toml) and their validation."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from monitor.clinical.validation import parse_optional, validate_choice, validate_text
from monitor.errors import ConfigError, FieldError, ValidationError


@dataclass(frozen=True)
class Scales:
    data: dict[str, Any]

    def levels(self, scale: str) -> list[tuple[int, str]]:
        """(value, descriptor) pairs, highest first, for MOAA/S or RASS."""
        table = self.data[scale]["levels"]
        return sorted(((int(k), v) for k, v in table.items()), reverse=True)

    def choices(self, scale: str) -> tuple[str, ...]:
        return tuple(self.data[scale]["choices"])

    @property
    def cadss_items(self) -> list[str]:
        return list(self.data["cadss6"]["items"])

    @property
    def cadss_anchors(self) -> list[str]:
        return list(self.data["cadss6"]["anchors"])


@cache
def load_scales() -> Scales:
    text = (Path(__file__).resolve().parents[1] / "data" / "scales.toml").read_text("utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"scales.toml: {exc}") from exc
    for key in ("moaas", "rass", "acvpu", "cadss6", "nausea"):
        if key not in data:
            raise ConfigError(f"scales.toml: missing table [{key}]")
    if len(data["cadss6"]["items"]) != 6:
        raise ConfigError("scales.toml: [cadss6] items must list exactly 6 items")
    return Scales(data)


SEVERITY_FIELDS = ("nausea", "anxiety", "perceptual")
# What a nurse may give in an assessment (the CADSS-6 total is computed from its items).
ASSESSMENT_INPUTS = ("moaas", "rass", "pain", "dissociation", "acvpu", *SEVERITY_FIELDS,
                     "cadss6", "comment")


def refuse_unknown(fields: dict[str, object], errors: list[FieldError]) -> None:
    """Name each field an assessment does not have (never dropped silently)."""
    for name in fields:
        if name in ASSESSMENT_INPUTS:
            continue
        text = str(name)[:40]
        allowed = ("computed from the six items: give them as cadss6" if name == "cadss6_total"
                   else "not part of an assessment; one of: " + ", ".join(ASSESSMENT_INPUTS))
        errors.append(FieldError(text, "Assessment field", text, allowed))


def validate_assessment(fields: dict[str, object]) -> dict[str, object]:
    """Validate an assessment; at least one item must be given, and nothing else."""
    scales = load_scales()
    errors: list[FieldError] = []
    refuse_unknown(fields, errors)
    out: dict[str, object] = {}
    for name in ("moaas", "rass", "pain", "dissociation"):
        value = parse_optional(fields.get(name), name, errors)
        if value is not None:
            out[name] = int(value)
    acvpu = validate_choice(fields.get("acvpu"), "acvpu", "Consciousness (ACVPU)",
                            scales.choices("acvpu"), errors)
    if acvpu:
        out["acvpu"] = acvpu
    for name in SEVERITY_FIELDS:
        choice = validate_choice(fields.get(name), name, scales.data[name]["name"],
                                 scales.choices(name), errors)
        if choice:
            out[name] = choice
    items = fields.get("cadss6")
    if items not in (None, [], ()):
        if not isinstance(items, list | tuple) or len(items) != 6:
            errors.append(FieldError("cadss6", "CADSS-6", str(items),
                                     "six items, each a whole number from 0 to 4"))
        else:
            parsed = [parse_optional(v, "cadss_item", errors) for v in items]
            if all(p is not None for p in parsed):
                items_int = [int(p) for p in parsed if p is not None]
                out["cadss6"] = items_int
                out["cadss6_total"] = sum(items_int)
            elif not any(e.field == "cadss_item" for e in errors):
                errors.append(FieldError("cadss6", "CADSS-6", str(items), "rate all six items"))
    comment = validate_text(fields.get("comment"), "comment", "Comment", errors)
    if comment:
        out["comment"] = comment
    if errors:
        raise ValidationError(errors)
    if not out:
        raise ValidationError([FieldError("assessment", "Assessment", "",
                                          "rate at least one item")])
    return out
