"""Plausible medication doses by drug and route, as data (monitor/data/medications.toml,
replaced by a site copy ``medications.toml`` in the user config folder).

A dose above the usual range asks for a confirmation; a dose far above it (above
``refuse_above``) is refused as a typing slip, naming the drug, route and ceiling. A
broken file is a ConfigError naming the file and the key.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from monitor.errors import ConfigError, FieldError
from monitor.model.parameters import fmt
from monitor.model.vocabulary import ROUTES
from monitor.paths import config_dir

DEFAULT_FILE = Path(__file__).resolve().parents[1] / "data" / "medications.toml"
SITE_NAME = "medications.toml"
# Mass units a dose may be typed in, in mg.
_MG = {"mg": 1.0, "mcg": 0.001, "g": 1000.0}


@dataclass(frozen=True)
class DoseRange:
    drug: str
    route: str
    unit: str
    usual_max: float
    refuse_above: float


@dataclass(frozen=True)
class Medications:
    source: str
    ranges: dict[tuple[str, str], DoseRange]
    names: dict[str, str]  # any name or alias, lower case -> the drug's key

    def range_for(self, drug: object, route: object) -> DoseRange | None:
        key = self.names.get(str(drug or "").strip().lower())
        return None if key is None else self.ranges.get((key, str(route)))


def _convert(dose: float, unit: str, to: str) -> float | None:
    if unit not in _MG or to not in _MG:
        return None
    return dose * _MG[unit] / _MG[to]


def dose_problem(meds: Medications, payload: dict[str, Any]) -> tuple[str, str] | None:
    """("refuse" | "confirm", text) for a medication payload outside its range."""
    rng = meds.range_for(payload.get("drug"), payload.get("route"))
    dose, unit = payload.get("dose"), payload.get("unit")
    if rng is None or not isinstance(dose, int | float) or not isinstance(unit, str):
        return None
    value = _convert(float(dose), unit, rng.unit)
    if value is None:
        return None
    where = f"{rng.drug} {rng.route}"
    if value > rng.refuse_above + 1e-9:
        return ("refuse", f"at most {fmt(rng.refuse_above)} {rng.unit} for {where} (far "
                          f"above the usual {fmt(rng.usual_max)} {rng.unit}: a typing slip?)")
    if value > rng.usual_max + 1e-9:
        return ("confirm", f"{payload.get('drug')} {fmt(float(dose))} {unit} {rng.route} is "
                           f"above the usual range for {where} (up to {fmt(rng.usual_max)} "
                           f"{rng.unit}): check the dose")
    return None


def medication_warnings(payload: dict[str, Any]) -> list[str]:
    """What a valid medication entry needs confirmed."""
    found = dose_problem(load_medications(), payload)
    return [found[1]] if found is not None and found[0] == "confirm" else []


def check_medication(payload: dict[str, Any], errors: list[FieldError]) -> None:
    """Refuse a dose far above the drug's range (a typing slip such as 5000 mg)."""
    found = dose_problem(load_medications(), payload)
    if found is not None and found[0] == "refuse":
        errors.append(FieldError("dose", "Dose", fmt(float(payload["dose"])), found[1]))


def site_file() -> Path:
    return config_dir() / SITE_NAME


def load_medications(path: Path | None = None) -> Medications:
    """The clinic's file when there is one, else the shipped defaults."""
    if path is None:
        site = site_file()
        path = site if site.is_file() else DEFAULT_FILE
    return _load(path, path.stat().st_mtime_ns if path.is_file() else 0)


@cache
def _load(path: Path, _mtime: int) -> Medications:
    source = str(path)
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{source}: cannot be read ({exc})") from None
    return parse_medications(data, source)


def parse_medications(data: dict[str, Any], source: str) -> Medications:
    def bad(key: str, allowed: str) -> ConfigError:
        return ConfigError(f"{source}: key '{key}': {allowed}")

    if data.get("version") != 1:
        raise bad("version", "must be 1")
    drugs = data.get("drug")
    if not isinstance(drugs, dict) or not drugs:
        raise bad("drug", "a table of drugs, e.g. [drug.midazolam]")
    ranges: dict[tuple[str, str], DoseRange] = {}
    names: dict[str, str] = {}
    for name, table in drugs.items():
        at = f"drug.{name}"
        if not isinstance(table, dict):
            raise bad(at, "a table")
        unit = table.get("unit")
        if unit not in _MG:
            raise bad(f"{at}.unit", "one of: " + ", ".join(_MG))
        aliases = table.get("aliases", [])
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            raise bad(f"{at}.aliases", "a list of names")
        for alias in [name, *aliases]:
            if alias.lower() in names:
                raise bad(f"{at}.aliases", f"{alias!r} names two drugs")
            names[alias.lower()] = name
        for route, limits in table.items():
            if route in ("unit", "aliases"):
                continue
            key = f"{at}.{route}"
            if route not in ROUTES:
                raise bad(key, "a route, one of: " + ", ".join(ROUTES))
            ranges[(name, route)] = _range(name, route, unit, limits, key, bad)
    return Medications(source, ranges, names)


def _range(name: str, route: str, unit: str, limits: object, key: str, bad: Any) -> DoseRange:
    if not isinstance(limits, dict) or set(limits) != {"usual_max", "refuse_above"}:
        raise bad(key, "{ usual_max = N, refuse_above = N }")
    usual, refuse = limits["usual_max"], limits["refuse_above"]
    for which, value in (("usual_max", usual), ("refuse_above", refuse)):
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise bad(f"{key}.{which}", "a number above 0")
    if refuse < usual:
        raise bad(f"{key}.refuse_above", f"at least usual_max ({usual})")
    return DoseRange(name, route, unit, float(usual), float(refuse))
