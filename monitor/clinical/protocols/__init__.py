"""Protocol presets: shipped TOML files plus an optional site file.

A preset is read whole or not at all. Every problem names the file and the
key. A broken site file leaves the shipped presets in force, and the problem
is returned so the window can say so.
"""

from __future__ import annotations

import copy
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from monitor.clinical.protocols import sections
from monitor.clinical.protocols.bounds import bound_problem
from monitor.clinical.protocols.sections import (
    Alarms,
    Assessment,
    Cadence,
    DosePlan,
    Header,
    News2,
    RateRule,
    RelativeRule,
    Rems,
)
from monitor.errors import ConfigError
from monitor.model.parameters import PARAMETERS, keys
from monitor.model.session import Priority
from monitor.model.vocabulary import CHECKLIST_ITEMS

LIMIT_PARAMS = keys(limits=True)
LIMIT_KEYS = ("medium_high", "medium_low", "high_high", "high_low")
PRIORITIES = tuple(p.value for p in Priority)  # plain words: errors quote them
# Where a limit may sit: inside what can be recorded, so no limit silently never fires.
LIMIT_RANGE: dict[str, tuple[float, float]] = {
    **{p: (PARAMETERS[p].low, PARAMETERS[p].high) for p in LIMIT_PARAMS},
    "spo2_scale2": (0, 100),
}
# Parameters whose limits may be negative (every other number in a protocol is >= 0).
SIGNED = ("limits.rass", "alarms.resp_depression_rass", "assessment.assumed_rass")
COMBINE_GROUPS = ("bp", "hr", "spo2", "rr", "temp", "etco2")
ACVPU = ("A", "C", "V", "P", "U")

_NUM = (int, float)
# key -> expected type(s); a nested dict is a sub-table.
_SCHEMA: dict[str, Any] = {
    "version": int,
    "protocol": {
        "id": str, "name": str, "sedation_scale": ("moaas", "rass"),
        "dose_mode": ("infusion", "single"), "min_observation_min": _NUM,
        "discharge_band_pct": _NUM,
    },
    "dose_plan": {"rate": _NUM, "rate_unit": ("mg/kg/h", "mg/h"), "duration_min": _NUM,
                  "dose_mg": _NUM, "text": str, "rate_max": _NUM, "total_mg_kg": _NUM,
                  "max_dose_mg": _NUM, "anaesthetic_rate_mg_kg_h": _NUM,
                  "bolus_ceiling_mg_kg": _NUM, "device_mg": _NUM},
    "cadence": {"infusing": _NUM, "recovery": _NUM, "overdue_grace_min": _NUM,
                "sedation_infusing": _NUM, "sedation_recovery": _NUM},
    "limits": {p: dict.fromkeys(LIMIT_KEYS, _NUM) for p in (*LIMIT_PARAMS, "spo2_scale2")},
    "relative": {p: {"medium_rise": _NUM, "medium_rise_pct": _NUM, "medium_fall": _NUM,
                     "medium_fall_pct": _NUM} for p in ("sbp", "dbp", "hr")},
    "rate_of_change": {p: {"rise": _NUM, "fall": _NUM, "window_min": _NUM,
                           "priority": PRIORITIES, "device_only": bool}
                       for p in ("sbp", "dbp", "hr", "spo2", "etco2")},
    "assessment": {"moaas_drop_priority": PRIORITIES, "dissociation_level": _NUM,
                   "rass_drop": _NUM, "rass_drop_priority": PRIORITIES,
                   "assumed_moaas": _NUM, "assumed_rass": _NUM},
    "alarms": {"reannounce_min": _NUM, "escalate_medium_min": _NUM, "audio_pause_s": _NUM,
               "combine_two_medium": bool, "combine_parameters": list, "stale_device_s": _NUM,
               "persistence_s": _NUM,
               "overdue_priority": (Priority.LOW.value, Priority.MEDIUM.value),
               "resp_depression_moaas": _NUM, "resp_depression_rass": _NUM,
               "resp_depression_rr": _NUM},
    "news2": {"window_min": _NUM, "spo2_scale": (1, 2), "moaas_acvpu": list,
              "rass_acvpu": list},
    "rems": {"bp_points_min": list, "predose_bp_max": list, "bp40_window_min": list,
             "form": str, "filing_days": int},
    "checklist": {"items": list},
}
_REQUIRED = ("protocol.id", "protocol.name", "protocol.sedation_scale", "protocol.dose_mode",
             "protocol.min_observation_min", "cadence.infusing", "cadence.recovery",
             "cadence.overdue_grace_min", "alarms.reannounce_min", "alarms.escalate_medium_min",
             "alarms.audio_pause_s", "alarms.stale_device_s", "news2.window_min")


@dataclass(frozen=True)
class Protocol:
    """A checked protocol: its tables parsed once into frozen sections (``data`` is the
    table as read, kept for the session's copy and for site overrides)."""

    id: str
    name: str
    data: dict[str, Any] = field(repr=False)
    origin: str = "shipped"
    header: Header = field(init=False, repr=False, compare=False)
    dose_plan: DosePlan = field(init=False, repr=False, compare=False)
    cadence: Cadence = field(init=False, repr=False, compare=False)
    relative: Mapping[str, RelativeRule] = field(init=False, repr=False, compare=False)
    rate_of_change: Mapping[str, RateRule] = field(init=False, repr=False, compare=False)
    assessment: Assessment = field(init=False, repr=False, compare=False)
    alarms: Alarms = field(init=False, repr=False, compare=False)
    news2: News2 = field(init=False, repr=False, compare=False)
    rems: Rems = field(init=False, repr=False, compare=False)
    checklist: tuple[str, ...] = field(init=False, repr=False, compare=False)
    _limits: Mapping[str, Mapping[str, float]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        parsed = sections.parse(self.data)
        for name in ("header", "dose_plan", "cadence", "relative", "rate_of_change",
                     "assessment", "alarms", "news2", "rems", "checklist"):
            object.__setattr__(self, name, getattr(parsed, name))
        object.__setattr__(self, "_limits", parsed.limits)

    @property
    def sedation_scale(self) -> str:
        return self.header.sedation_scale

    @property
    def dose_mode(self) -> str:
        return self.header.dose_mode

    def limits(self, param: str) -> dict[str, float]:
        return dict(self._limits.get(param, {}))


@dataclass
class ProtocolSet:
    protocols: dict[str, Protocol]
    problems: list[str] = field(default_factory=list)

    def get(self, protocol_id: str) -> Protocol:
        try:
            return self.protocols[protocol_id]
        except KeyError:
            known = ", ".join(sorted(self.protocols))
            raise ConfigError(f"Unknown protocol {protocol_id!r}; known: {known}") from None


def _check(node: Any, schema: Any, path: str, source: str) -> None:
    if isinstance(schema, dict):
        if not isinstance(node, dict):
            raise ConfigError(f"{source}: key '{path}' must be a table")
        for key, value in node.items():
            sub = f"{path}.{key}" if path else key
            if key not in schema:
                raise ConfigError(f"{source}: unknown key '{sub}'")
            _check(value, schema[key], sub, source)
        return
    if isinstance(schema, tuple) and schema and not isinstance(schema[0], type):
        if node not in schema or isinstance(node, bool):
            allowed = ", ".join(repr(s) for s in schema)
            raise ConfigError(f"{source}: key '{path}' is {node!r}; allowed: {allowed}")
        return
    types = schema if isinstance(schema, tuple) else (schema,)
    if isinstance(node, bool) and bool not in types:
        raise ConfigError(f"{source}: key '{path}' must be a number, not {node!r}")
    if not isinstance(node, types):
        want = " or ".join(t.__name__ for t in types)
        raise ConfigError(f"{source}: key '{path}' must be {want}, not {node!r}")


def _dig(data: dict[str, Any], dotted: str) -> Any:
    """The value at a dotted key of a table being checked (None when absent)."""
    node: Any = data
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def validate_protocol(data: dict[str, Any], source: str, recorded: bool = False) -> Protocol:
    """Check a complete protocol table; raise ConfigError naming source and key.
    ``recorded``: a session's own copy, held to the bounds' ceiling only."""
    _check(data, _SCHEMA, "", source)
    for dotted in _REQUIRED:
        if _dig(data, dotted) is None:
            raise ConfigError(f"{source}: missing key '{dotted}'")
    for param, rule in (data.get("rate_of_change") or {}).items():
        if "window_min" not in rule:
            raise ConfigError(f"{source}: missing key 'rate_of_change.{param}.window_min'")
    _check_numbers(data, "", source)
    for param, lim in (data.get("limits") or {}).items():
        problem = limit_problem(param, lim)
        if problem:
            raise ConfigError(f"{source}: key 'limits.{param}': {problem}")
    _check_lists(data, source)
    for dotted in ("cadence.infusing", "cadence.recovery", "alarms.audio_pause_s"):
        if _dig(data, dotted) <= 0:
            raise ConfigError(f"{source}: key '{dotted}' must be above 0")
    problem = bound_problem(data, recorded)
    if problem:
        raise ConfigError(f"{source}: {problem}")
    if _dig(data, "protocol.dose_mode") == "infusion" and _dig(data, "dose_plan.rate") is None:
        raise ConfigError(f"{source}: missing key 'dose_plan.rate' for an infusion protocol")
    try:
        return Protocol(str(data["protocol"]["id"]), str(data["protocol"]["name"]), data, source)
    except (KeyError, TypeError, ValueError) as exc:  # what the checks above did not name
        raise ConfigError(f"{source}: cannot read the protocol: {exc!r}") from exc


def _check_numbers(node: Any, path: str, source: str) -> None:
    """Every number finite; none negative except signed scales (RASS)."""
    if isinstance(node, dict):
        for key, value in node.items():
            _check_numbers(value, f"{path}.{key}" if path else key, source)
        return
    if isinstance(node, list):
        for value in node:
            _check_numbers(value, path, source)
        return
    if isinstance(node, float) and not math.isfinite(node):
        raise ConfigError(f"{source}: key '{path}' is {node}; a finite number is required")
    if (isinstance(node, _NUM) and not isinstance(node, bool) and node < 0
            and not path.startswith(SIGNED)):
        raise ConfigError(f"{source}: key '{path}' is {node}; it must not be negative")


def limit_problem(param: str, lim: dict[str, Any]) -> str | None:
    """Why a set of limits would silently disable or invert alarms (None when sound).

    Each limit must be a finite number inside what can be recorded, and the
    limits must be ordered high_low <= medium_low < medium_high <= high_high.
    """
    low, high = LIMIT_RANGE.get(param, (-math.inf, math.inf))
    for key, value in lim.items():
        if isinstance(value, bool) or not isinstance(value, _NUM) or not math.isfinite(value):
            return f"{key} is {value!r}; a finite number is required"
        if not low <= value <= high:
            return f"{key} is {value:g}; allowed {low:g} to {high:g}"
    order = [(k, lim[k]) for k in ("high_low", "medium_low", "medium_high", "high_high")
             if k in lim]
    for i, (k1, v1) in enumerate(order):
        for k2, v2 in order[i + 1:]:
            same_side = k1.endswith("_low") == k2.endswith("_low")
            if v1 > v2 or (v1 == v2 and not same_side):
                word = "at most" if same_side else "below"
                return f"{k1} {v1:g} must be {word} {k2} {v2:g}"
    return None


def _check_lists(data: dict[str, Any], source: str) -> None:
    """The list-valued keys hold what they must."""
    def bad(key: str, allowed: str) -> ConfigError:
        return ConfigError(f"{source}: key '{key}' is {_dig(data, key)!r}; allowed: {allowed}")

    for key, length, choices in (("news2.moaas_acvpu", 6, ACVPU),
                                 ("news2.rass_acvpu", 10, ACVPU),
                                 ("alarms.combine_parameters", None, COMBINE_GROUPS)):
        value = _dig(data, key)
        if value is not None and (any(v not in choices for v in value)
                                  or (length is not None and len(value) != length)):
            count = f"{length} items, each " if length else "items from "
            raise bad(key, count + ", ".join(choices))
    items = _dig(data, "checklist.items")
    if items is not None and any(i not in CHECKLIST_ITEMS for i in items):
        raise bad("checklist.items", ", ".join(CHECKLIST_ITEMS))
    for key, length in (("rems.bp_points_min", None), ("rems.predose_bp_max", 2),
                        ("rems.bp40_window_min", 2)):
        value = _dig(data, key)
        if value is not None and (any(isinstance(v, bool) or not isinstance(v, _NUM)
                                      for v in value)
                                  or (length is not None and len(value) != length)):
            raise bad(key, f"{length or 'a list of'} numbers")


def _read_toml(text: str, source: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: TOML syntax error: {exc}") from exc


def shipped() -> dict[str, Protocol]:
    out: dict[str, Protocol] = {}
    for item in sorted(Path(__file__).parent.glob("*.toml")):
        source = f"shipped preset {item.name}"
        proto = validate_protocol(_read_toml(item.read_text("utf-8"), source), source)
        out[proto.id] = proto
    return out


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def load_site(path: Path, base: dict[str, Protocol]) -> dict[str, Protocol]:
    """Read a site file: ``[protocols.<id>]`` tables override or add presets."""
    source = str(path)
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{source}: cannot read: {exc}") from exc
    data = _read_toml(text, source)
    unknown = set(data) - {"version", "protocols"}
    if unknown:
        raise ConfigError(f"{source}: unknown key '{sorted(unknown)[0]}'")
    version = data.get("version", 1)
    if isinstance(version, bool) or not isinstance(version, int) or version != 1:
        raise ConfigError(f"{source}: key 'version' is {data.get('version')!r}; allowed: 1")
    tables = data.get("protocols", {})
    if not isinstance(tables, dict):
        raise ConfigError(f"{source}: key 'protocols' must be a table")
    result = dict(base)
    for pid, table in tables.items():
        where = f"{source} [protocols.{pid}]"
        if not isinstance(table, dict):
            raise ConfigError(f"{where}: must be a table")
        for name, value in table.items():
            if name in _SCHEMA and isinstance(_SCHEMA[name], dict) and not isinstance(value, dict):
                raise ConfigError(f"{where}: key '{name}' must be a table")
        merged = _merge(base[pid].data, table) if pid in base else copy.deepcopy(table)
        merged.setdefault("protocol", {})["id"] = pid
        merged.setdefault("version", 1)
        result[pid] = validate_protocol(merged, where)
    return result


def load_protocols(site_file: Path | None = None) -> ProtocolSet:
    """Shipped presets, overridden by the site file when it is valid."""
    base = shipped()
    if site_file is None or not site_file.exists():
        return ProtocolSet(base)
    try:
        return ProtocolSet(load_site(site_file, base))
    except ConfigError as exc:
        return ProtocolSet(base, [f"{exc} — using the shipped presets"])
