"""Dose given so far, computed exactly from the rate timeline.

The rate is piecewise constant: started, changed, paused (0), resumed (the
rate before the pause), stopped (0). Boluses add their dose at their instant.
The dose at t is the integral of the rate up to t plus every bolus at or
before t. Rates in mg/kg/h are converted with the session weight.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field

from monitor.parameters import fmt


@dataclass
class RateTimeline:
    """Change points (t, mg/h) in time order, and boluses (t, mg)."""

    points: list[tuple[float, float]] = field(default_factory=list)
    boluses: list[tuple[float, float]] = field(default_factory=list)

    def set_rate(self, t: float, mg_per_h: float) -> None:
        self.points.append((t, mg_per_h))

    def add_bolus(self, t: float, mg: float) -> None:
        self.boluses.append((t, mg))

    def last_time(self) -> float:
        """Time of the latest change point or bolus (-inf when empty)."""
        last = self.points[-1][0] if self.points else float("-inf")
        return max(last, self.boluses[-1][0]) if self.boluses else last

    def finish(self) -> None:
        self.points.sort(key=lambda p: p[0])
        self.boluses.sort(key=lambda b: b[0])

    def rate_at(self, t: float) -> float:
        i = bisect_right([p[0] for p in self.points], t)
        return self.points[i - 1][1] if i else 0.0

    def dose_mg(self, t: float) -> float:
        total = 0.0
        for (t0, rate), nxt in zip(self.points, [*self.points[1:], None], strict=False):
            if t0 >= t:
                break
            t1 = min(nxt[0], t) if nxt is not None else t
            total += rate * (t1 - t0) / 3600.0
        total += sum(mg for tb, mg in self.boluses if tb <= t)
        return total


def to_mg_per_h(rate: float, unit: str, weight_kg: float) -> float:
    if unit == "mg/kg/h":
        return rate * weight_kg
    if unit == "mg/h":
        return rate
    raise ValueError(f"unknown rate unit {unit!r}")


def rate_text(rate: float, unit: str, weight_kg: float, concentration: float | None = None,
              *, sep: str = " = ") -> str:
    """A rate in every unit a nurse sets a pump in: "0.35 mg/kg/h = 24.5 mg/h = 4.9 mL/h"
    (mL/h only with a concentration in mg/mL)."""
    mg_h = to_mg_per_h(rate, unit, weight_kg)
    text = f"{fmt(rate)} {unit}" + ("" if unit == "mg/h" else f"{sep}{mg_h:.1f} mg/h")
    if concentration:
        text += f"{sep}{mg_h / concentration:.1f} mL/h"
    return text
