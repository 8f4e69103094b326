"""Dose given so far, computed exactly from the rate timeline.

The rate is piecewise constant: started, changed, paused (0), resumed (the
rate before the pause), stopped (0). Boluses add their dose at their instant.
The dose at t is the integral of the rate up to t plus every bolus at or
before t. Rates in mg/kg/h are converted with the session weight, rates in mL/h
with the syringe's concentration.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal

from monitor.model.parameters import fmt


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


def to_mg_per_h(rate: float, unit: str, weight_kg: float,
               concentration: float | None = None) -> float:
    """A rate in mg/h; a rate in mL/h needs the syringe's concentration (mg/mL)."""
    if unit == "mg/kg/h":
        return rate * weight_kg
    if unit == "mg/h":
        return rate
    if unit == "mL/h":
        if not concentration:
            raise ValueError("a rate in mL/h needs the syringe's concentration (mg/mL)")
        return rate * concentration
    raise ValueError(f"unknown rate unit {unit!r}")


def _dec(value: float) -> Decimal:
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


def exact(value: Decimal, places: int = 4) -> str:
    """A figure with every digit it has ("2.45", "0.075"), never rounded; one that does
    not end within ``places`` decimals (a third) is shown rounded and marked "≈"."""
    rounded = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)
    text = format(rounded.normalize(), "f")
    return text if rounded == value else "≈" + text


def rate_figures(rate: float, unit: str, weight_kg: float,
                 concentration: float | None = None) -> dict[str, str]:
    """The rate in every unit the nurse may need, each exact (decimal arithmetic on the
    typed figures): "mg/kg/h", "mg/h" and, with a concentration, "mL/h"."""
    mg_h = _dec(rate) * (_dec(weight_kg) if unit == "mg/kg/h" else
                         _dec(concentration or 0) if unit == "mL/h" else Decimal(1))
    out = {"mg/h": exact(mg_h)}
    if weight_kg:
        out["mg/kg/h"] = exact(mg_h / _dec(weight_kg))
    if concentration:
        out["mL/h"] = exact(mg_h / _dec(concentration))
    out[unit] = fmt(rate)  # what was typed stays as typed
    return out


def rate_text(rate: float, unit: str, weight_kg: float, concentration: float | None = None,
              *, sep: str = " = ") -> str:
    """A rate in every unit a nurse sets a pump in: "0.35 mg/kg/h = 24.5 mg/h = 2.45 mL/h"
    (mL/h only with a concentration in mg/mL; exact, never rounded: the pump is
    programmed with it)."""
    figures = rate_figures(rate, unit, weight_kg, concentration)
    order = [unit, *(u for u in ("mg/kg/h", "mg/h", "mL/h") if u != unit)]
    shown = [u for u in order if u in figures and (u != "mg/kg/h" or u == unit)]
    return sep.join(f"{figures[u]} {u}" for u in shown)
