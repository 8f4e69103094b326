"""IEEE 11073 MDC codes and units that map onto the session's parameters.

Codes are matched by number, never by label: gateways spell labels
differently but agree on numbers. Philips MDIL notation ("0002-4bb8") is the
same code written as partition and term in hex, so it is converted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from monitor.model.parameters import REGISTRY


@dataclass(frozen=True)
class Mapping:
    param: str
    rank: int              # lower wins when two codes give the same parameter at one time
    episodic: bool = False  # NIBP: one reading per cuff cycle, repeated in every message


# From the parameter registry. Invasive arterial pressure (150033...) is
# deliberately absent: it is not NIBP.
CODES: dict[int, Mapping] = {m.code: Mapping(p.key, m.rank, m.episodic)
                             for p in REGISTRY for m in p.mdc}

# Units accepted per parameter: MDC unit codes (numbers) and UCUM strings.
UNITS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    p.key: (p.mdc_units, p.ucum_units) for p in REGISTRY if p.device}
FAHRENHEIT = (frozenset({"266560"}), frozenset({"[degF]"}))
# kPa (MDC_DIM_KILO_PA 3843, UCUM kPa): European capnographs and some NIBP modules.
KILOPASCAL = (frozenset({"3843"}), frozenset({"kPa"}))
# 1 standard atmosphere is 101.325 kPa and 760 mmHg by definition: an exact ratio.
MMHG_PER_KPA = Fraction(760_000, 101_325)
_MMHG_PARAMS = frozenset(p.key for p in REGISTRY if p.device and p.unit == "mmHg")
UNIT_NAMES = {p.key: p.unit for p in REGISTRY if p.device}

# "No reading" values: gateways' own placeholders and the IEEE 11073 FLOAT
# special values (NaN 0x7FFFFF, NRes, ±INF) written out as numbers.
PLACEHOLDERS = frozenset({-999.0, -100.0})
SPECIAL_MAGNITUDE = 8_388_606

_MDIL = re.compile(r"^([0-9A-Fa-f]{4})-([0-9A-Fa-f]{4})$")


def code_number(text: str) -> int | None:
    """The numeric MDC code of OBX-3.1: '150456' or MDIL '0002-4bb8' -> 150456."""
    text = text.strip()
    if text.isdigit():
        return int(text)
    m = _MDIL.match(text)
    if m:
        return (int(m.group(1), 16) << 16) + int(m.group(2), 16)
    return None


def is_placeholder(value: float) -> bool:
    return value in PLACEHOLDERS or abs(value) >= SPECIAL_MAGNITUDE


def unit_kind(param: str, unit: str) -> str | None:
    """'ok', 'fahrenheit', 'kpa', or None when ``unit`` (MDC number or UCUM) is not allowed."""
    mdc, ucum = UNITS[param]
    if unit in mdc or unit in ucum:
        return "ok"
    if param == "temp" and (unit in FAHRENHEIT[0] or unit in FAHRENHEIT[1]):
        return "fahrenheit"
    if param in _MMHG_PARAMS and (unit in KILOPASCAL[0] or unit in KILOPASCAL[1]):
        return "kpa"
    return None


def convert(kind: str, text: str) -> float:
    """The value written as ``text`` in a unit of ``kind`` in the parameter's own unit,
    computed exactly (decimal text times an exact ratio) before the one rounding to float."""
    if kind == "kpa":
        return float(Fraction(text) * MMHG_PER_KPA)
    if kind == "fahrenheit":
        return float((Fraction(text) - 32) * Fraction(5, 9))
    return float(text)
