"""IEEE 11073 MDC codes and units that map onto the session's parameters.

Codes are matched by number, never by label: gateways spell labels
differently but agree on numbers. Philips MDIL notation ("0002-4bb8") is the
same code written as partition and term in hex, so it is converted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Mapping:
    param: str
    rank: int              # lower wins when two codes give the same parameter at one time
    episodic: bool = False  # NIBP: one reading per cuff cycle, repeated in every message


# Invasive arterial pressure (150033...) is deliberately absent: it is not NIBP.
CODES: dict[int, Mapping] = {
    150021: Mapping("sbp", 0, True), 150022: Mapping("dbp", 0, True),
    150023: Mapping("map", 0, True),
    150301: Mapping("sbp", 1, True), 150302: Mapping("dbp", 1, True),
    150303: Mapping("map", 1, True),
    147842: Mapping("hr", 0),    # ECG heart rate
    149530: Mapping("hr", 1),    # pulse rate from the oximeter, when there is no ECG
    150456: Mapping("spo2", 0),
    151562: Mapping("rr", 0),
    151578: Mapping("rr", 1),    # thoracic impedance respiration rate
    150344: Mapping("temp", 0),
    188496: Mapping("temp", 1),  # axillary temperature
}

# Units accepted per parameter: MDC unit codes (numbers) and UCUM strings.
UNITS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "sbp": (frozenset({"266016"}), frozenset({"mm[Hg]"})),
    "dbp": (frozenset({"266016"}), frozenset({"mm[Hg]"})),
    "map": (frozenset({"266016"}), frozenset({"mm[Hg]"})),
    "hr": (frozenset({"264864"}), frozenset({"/min", "{beat}/min", "{beats}/min"})),
    "rr": (frozenset({"264928"}),
           frozenset({"/min", "{breath}/min", "{breaths}/min", "{resp}/min"})),
    "spo2": (frozenset({"262688"}), frozenset({"%"})),
    "temp": (frozenset({"268192"}), frozenset({"Cel"})),
}
FAHRENHEIT = (frozenset({"266560"}), frozenset({"[degF]"}))
UNIT_NAMES = {"sbp": "mmHg", "dbp": "mmHg", "map": "mmHg", "hr": "/min", "rr": "/min",
              "spo2": "%", "temp": "°C"}

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
    """'ok', 'fahrenheit', or None when ``unit`` (MDC number or UCUM) is not allowed."""
    mdc, ucum = UNITS[param]
    if unit in mdc or unit in ucum:
        return "ok"
    if param == "temp" and (unit in FAHRENHEIT[0] or unit in FAHRENHEIT[1]):
        return "fahrenheit"
    return None
