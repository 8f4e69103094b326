"""A protocol's tables as frozen dataclasses, parsed once from a checked table.

``parse`` runs after validation (``monitor.clinical.protocols.validate_protocol``), so
it converts without checking again. An optional key absent from the file reads as its
default here, or None where the rule that reads it decides what absence means.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from monitor.model.session import Phase, Priority

Table = Mapping[str, Any]


# Numbers stay as the file wrote them (an int stays an int), so what the rules put in the
# log and the exports reads as before: 180, not 180.0.
def _num(value: Any) -> float | None:
    return None if value is None else _number(value)


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{value!r} is not a number")
    return value


def _nums(value: Any) -> tuple[float, ...] | None:
    return None if value is None else tuple(_number(v) for v in value)


def _words(value: Any) -> tuple[str, ...] | None:
    return None if value is None else tuple(str(v) for v in value)


@dataclass(frozen=True)
class Header:
    """``[protocol]``: what the protocol is and how it doses."""

    id: str
    name: str
    sedation_scale: str          # "moaas" or "rass"
    dose_mode: str               # "infusion" or "single"
    min_observation_min: float
    discharge_band_pct: float = 20.0

    @classmethod
    def parse(cls, t: Table) -> Header:
        return cls(str(t["id"]), str(t["name"]), str(t["sedation_scale"]),
                   str(t["dose_mode"]), _number(t["min_observation_min"]),
                   _number(t.get("discharge_band_pct", 20.0)))


@dataclass(frozen=True)
class DosePlan:
    """``[dose_plan]``: the plan the entries are compared with (None: not planned)."""

    rate: float | None = None
    rate_unit: str | None = None
    duration_min: float | None = None
    dose_mg: float | None = None
    text: str = ""
    rate_max: float | None = None
    total_mg_kg: float | None = None
    max_dose_mg: float | None = None
    anaesthetic_rate_mg_kg_h: float = 1.0   # the low-dose ceiling (CLINICAL §7)
    bolus_ceiling_mg_kg: float = 0.5
    device_mg: float | None = None

    @classmethod
    def parse(cls, t: Table) -> DosePlan:
        return cls(_num(t.get("rate")), t.get("rate_unit"), _num(t.get("duration_min")),
                   _num(t.get("dose_mg")), str(t.get("text", "")), _num(t.get("rate_max")),
                   _num(t.get("total_mg_kg")), _num(t.get("max_dose_mg")),
                   _number(t.get("anaesthetic_rate_mg_kg_h", 1.0)),
                   _number(t.get("bolus_ceiling_mg_kg", 0.5)), _num(t.get("device_mg")))


@dataclass(frozen=True)
class Cadence:
    """``[cadence]``: minutes between observations; sedation may have its own."""

    infusing: float
    recovery: float
    overdue_grace_min: float
    sedation_infusing: float | None = None
    sedation_recovery: float | None = None

    @classmethod
    def parse(cls, t: Table) -> Cadence:
        return cls(_number(t["infusing"]), _number(t["recovery"]),
                   _number(t["overdue_grace_min"]),
                   _num(t.get("sedation_infusing")), _num(t.get("sedation_recovery")))

    def vitals(self, phase: Phase) -> float | None:
        """Minutes between vital signs in ``phase`` (None: no cadence then)."""
        return {Phase.INFUSING: self.infusing, Phase.RECOVERY: self.recovery}.get(phase)

    def sedation(self, phase: Phase) -> float | None:
        """Minutes between sedation scores in ``phase``: its own, else the vitals'."""
        own = {Phase.INFUSING: self.sedation_infusing,
               Phase.RECOVERY: self.sedation_recovery}.get(phase)
        return own if own is not None else self.vitals(phase)


@dataclass(frozen=True)
class RelativeRule:
    """``[relative.<param>]``: a change from this patient's baseline."""

    medium_rise: float | None = None
    medium_rise_pct: float | None = None
    medium_fall: float | None = None
    medium_fall_pct: float | None = None

    @classmethod
    def parse(cls, t: Table) -> RelativeRule:
        return cls(_num(t.get("medium_rise")), _num(t.get("medium_rise_pct")),
                   _num(t.get("medium_fall")), _num(t.get("medium_fall_pct")))


@dataclass(frozen=True)
class RateRule:
    """``[rate_of_change.<param>]``: a rise or fall within a window."""

    window_min: float
    rise: float | None = None
    fall: float | None = None
    priority: Priority = Priority.MEDIUM
    device_only: bool = False

    @classmethod
    def parse(cls, t: Table) -> RateRule:
        return cls(_number(t["window_min"]), _num(t.get("rise")), _num(t.get("fall")),
                   Priority(t.get("priority", Priority.MEDIUM)), bool(t.get("device_only")))


@dataclass(frozen=True)
class Assessment:
    """``[assessment]``: sedation deeper than baseline, dissociation past a level."""

    moaas_drop_priority: Priority = Priority.MEDIUM
    rass_drop: float = 2.0
    rass_drop_priority: Priority = Priority.MEDIUM
    dissociation_level: float = 0.0          # 0: no dissociation alarm
    # With no pre-dose score an alert outpatient is assumed (MOAA/S 5, RASS 0).
    assumed_moaas: float = 5.0
    assumed_rass: float = 0.0

    @classmethod
    def parse(cls, t: Table) -> Assessment:
        return cls(Priority(t.get("moaas_drop_priority", Priority.MEDIUM)),
                   _number(t.get("rass_drop", 2.0)),
                   Priority(t.get("rass_drop_priority", Priority.MEDIUM)),
                   _number(t.get("dissociation_level") or 0),
                   _number(t.get("assumed_moaas", 5.0)), _number(t.get("assumed_rass", 0.0)))

    def drop(self, scale: str) -> float:
        """How far a score must fall below baseline: MOAA/S any drop, RASS the setting."""
        return self.rass_drop if scale == "rass" else 1.0

    def drop_priority(self, scale: str) -> Priority:
        return self.rass_drop_priority if scale == "rass" else self.moaas_drop_priority

    def assumed(self, scale: str) -> float:
        return self.assumed_rass if scale == "rass" else self.assumed_moaas


@dataclass(frozen=True)
class Alarms:
    """``[alarms]``: timing and combination of alarms (CLINICAL §5)."""

    reannounce_min: float
    escalate_medium_min: float
    audio_pause_s: float
    stale_device_s: float
    persistence_s: float = 0.0
    combine_two_medium: bool = True
    combine_parameters: tuple[str, ...] | None = None   # None: the rules' default groups
    overdue_priority: Priority = Priority.MEDIUM          # low or medium, never high
    # Sedation deeper than expected with respiratory depression (CLINICAL §5).
    resp_depression_moaas: float = 3.0
    resp_depression_rass: float = -2.0
    resp_depression_rr: float = 9.0

    @classmethod
    def parse(cls, t: Table) -> Alarms:
        return cls(_number(t["reannounce_min"]), _number(t["escalate_medium_min"]),
                   _number(t["audio_pause_s"]), _number(t["stale_device_s"]),
                   _number(t.get("persistence_s") or 0),
                   bool(t.get("combine_two_medium", True)),
                   _words(t.get("combine_parameters")),
                   Priority(t.get("overdue_priority", Priority.MEDIUM)),
                   _number(t.get("resp_depression_moaas", 3.0)),
                   _number(t.get("resp_depression_rass", -2.0)),
                   _number(t.get("resp_depression_rr", 9.0)))


@dataclass(frozen=True)
class News2:
    """``[news2]``: the scoring window, the SpO2 scale, sedation → ACVPU tables."""

    window_min: float
    spo2_scale: int = 1
    moaas_acvpu: tuple[str, ...] | None = None   # None: the chart's default mapping
    rass_acvpu: tuple[str, ...] | None = None

    @classmethod
    def parse(cls, t: Table) -> News2:
        return cls(_number(t["window_min"]), int(t.get("spo2_scale", 1)),
                   _words(t.get("moaas_acvpu")), _words(t.get("rass_acvpu")))

    def acvpu(self, scale: str) -> tuple[str, ...] | None:
        return self.rass_acvpu if scale == "rass" else self.moaas_acvpu


@dataclass(frozen=True)
class Rems:
    """``[rems]``: the REMS form's points and filing (None: no such rule)."""

    bp_points_min: tuple[float, ...] | None = None     # None: no REMS BP points
    predose_bp_max: tuple[float, ...] | None = None     # (SBP, DBP)
    bp40_window_min: tuple[float, ...] | None = None    # (from, to) minutes after dosing
    form: str = ""
    filing_days: int | None = None
    applies: bool = False   # the protocol has a REMS table: doses need their lot number

    @classmethod
    def parse(cls, t: Table) -> Rems:
        days = t.get("filing_days")
        return cls(_nums(t.get("bp_points_min")), _nums(t.get("predose_bp_max")),
                   _nums(t.get("bp40_window_min")), str(t.get("form") or ""),
                   None if days is None else int(days), bool(t))


def _limits(t: Table) -> Mapping[str, Mapping[str, float]]:
    return MappingProxyType({param: MappingProxyType({k: _number(v) for k, v in lim.items()})
                             for param, lim in t.items()})


@dataclass(frozen=True)
class Sections:
    header: Header
    dose_plan: DosePlan
    cadence: Cadence
    limits: Mapping[str, Mapping[str, float]]
    relative: Mapping[str, RelativeRule]
    rate_of_change: Mapping[str, RateRule]
    assessment: Assessment
    alarms: Alarms
    news2: News2
    rems: Rems
    checklist: tuple[str, ...]   # the pre-infusion checklist's items (empty: none)


def parse(data: Table) -> Sections:
    """Every table of a checked protocol, converted once."""
    def table(name: str) -> Table:
        value = data.get(name)
        return value if isinstance(value, Mapping) else {}

    return Sections(
        Header.parse(table("protocol")), DosePlan.parse(table("dose_plan")),
        Cadence.parse(table("cadence")), _limits(table("limits")),
        MappingProxyType({p: RelativeRule.parse(r) for p, r in table("relative").items()}),
        MappingProxyType({p: RateRule.parse(r) for p, r in table("rate_of_change").items()}),
        Assessment.parse(table("assessment")), Alarms.parse(table("alarms")),
        News2.parse(table("news2")), Rems.parse(table("rems")),
        _words(table("checklist").get("items")) or ())
