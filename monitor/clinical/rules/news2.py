"""NEWS2 (Royal College of Physicians, 2017), exactly as the chart."""

from __future__ import annotations

from dataclasses import dataclass, field

COMPONENTS = ("rr", "spo2", "o2", "sbp", "hr", "acvpu", "temp")
# Sedation score -> ACVPU (docs/alarms-and-protocols.md), indexed by score (RASS: score + 5).
DEFAULT_ACVPU = {"moaas": ("U", "P", "P", "V", "V", "A"),
                 "rass": ("U", "P", "V", "V", "V", "A", "A", "C", "C", "C")}
COMPONENT_LABELS = {"rr": "respiration rate", "spo2": "SpO2", "o2": "air or oxygen",
                    "sbp": "systolic BP", "hr": "pulse", "acvpu": "consciousness",
                    "temp": "temperature"}


def score_rr(v: float) -> int:
    if v <= 8:
        return 3
    if v <= 11:
        return 1
    if v <= 20:
        return 0
    if v <= 24:
        return 2
    return 3


def score_spo2_scale1(v: float) -> int:
    if v <= 91:
        return 3
    if v <= 93:
        return 2
    if v <= 95:
        return 1
    return 0


def score_spo2_scale2(v: float, on_oxygen: bool) -> int:
    if v <= 83:
        return 3
    if v <= 85:
        return 2
    if v <= 87:
        return 1
    if v <= 92 or not on_oxygen:
        return 0
    if v <= 94:
        return 1
    if v <= 96:
        return 2
    return 3


def score_o2(o2: str) -> int:
    return 2 if o2 == "oxygen" else 0


def score_sbp(v: float) -> int:
    if v <= 90:
        return 3
    if v <= 100:
        return 2
    if v <= 110:
        return 1
    if v <= 219:
        return 0
    return 3


def score_hr(v: float) -> int:
    if v <= 40:
        return 3
    if v <= 50:
        return 1
    if v <= 90:
        return 0
    if v <= 110:
        return 1
    if v <= 130:
        return 2
    return 3


def score_acvpu(level: str) -> int:
    return 0 if level == "A" else 3


def score_temp(v: float) -> int:
    v = round(v, 1)
    if v <= 35.0:
        return 3
    if v <= 36.0:
        return 1
    if v <= 38.0:
        return 0
    if v <= 39.0:
        return 1
    return 2


@dataclass(frozen=True)
class News2Result:
    total: int | None
    scores: dict[str, int] = field(default_factory=dict)
    missing: tuple[str, ...] = ()
    old: dict[str, float] = field(default_factory=dict)  # recorded, but too old (minutes)
    stale: tuple[str, ...] = ()  # a monitor's stream that stopped: its last value drives nothing

    @property
    def complete(self) -> bool:
        return self.total is not None

    @property
    def three_in_one(self) -> bool:
        return any(s == 3 for s in self.scores.values())

    @property
    def band(self) -> str:
        if self.total is None:
            return "incomplete"
        if self.total >= 7:
            return "high"
        if self.total >= 5:
            return "medium"
        if self.three_in_one:
            return "low-medium"
        return "low"

    @property
    def reason(self) -> str:
        """Why NEWS2 is not scored ("" when it is): each missing component, and for one
        recorded earlier its age, so the header can say what to record."""
        if self.total is not None:
            return ""
        never = [COMPONENT_LABELS[m] for m in self.missing
                 if m not in self.old and m not in self.stale]
        parts = [f"missing {', '.join(never)}"] if never else []
        parts += [f"{COMPONENT_LABELS[m]}: no data from the monitor" for m in self.missing
                  if m in self.stale]
        parts += [f"{COMPONENT_LABELS[m]} {self.old[m]:.0f} min old" for m in self.missing
                  if m in self.old]
        return "; ".join(parts)

    @property
    def response(self) -> str:
        if self.total is None:
            return f"NEWS2 not scored: {self.reason}"
        return {
            "high": "Emergency response; continuous monitoring",
            "medium": "Urgent review; at least hourly observations",
            "low-medium": "Urgent ward-based review (3 in one parameter)",
            "low": ("Continue routine monitoring" if self.total == 0
                    else "Nurse to assess; decide on frequency of monitoring"),
        }[self.band]


def component_score(comp: str, value: object, spo2_scale: int = 1,
                    on_oxygen: bool = False) -> int:
    """The chart's score of one component's value."""
    if comp == "o2":
        return score_o2(str(value))
    if comp == "acvpu":
        return score_acvpu(str(value))
    v = float(value)  # type: ignore[arg-type]
    if comp == "spo2":
        return score_spo2_scale2(v, on_oxygen) if spo2_scale == 2 else score_spo2_scale1(v)
    return {"rr": score_rr, "sbp": score_sbp, "hr": score_hr, "temp": score_temp}[comp](v)


def news2(values: dict[str, object], spo2_scale: int = 1,
          old: dict[str, float] | None = None, stale: tuple[str, ...] = ()) -> News2Result:
    """Score a set of values; any missing component makes the total None. ``old``:
    components left out because their last value is too old (minutes), ``stale``:
    because the monitor that streamed it stopped; each said as why."""
    missing = tuple(c for c in COMPONENTS if values.get(c) is None)
    if missing:
        return News2Result(None, {}, missing,
                           {c: m for c, m in (old or {}).items() if c in missing},
                           tuple(c for c in stale if c in missing))
    on_oxygen = values["o2"] == "oxygen"
    scores = {c: component_score(c, values[c], spo2_scale, on_oxygen) for c in COMPONENTS}
    return News2Result(sum(scores.values()), scores, ())
