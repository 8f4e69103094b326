"""What names the charts' curves, all from the parameter registry: the key to the
colours of a lane that draws several curves, the curves' legend names, and the
right-hand axes some parameters are drawn against (``right_axis`` in the registry)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from monitor.model.parameters import PARAMETERS
from ui.common import theme


@dataclass(frozen=True)
class RightAxis:
    """A series drawn against its lane's right-hand axis (the registry's ``right_axis``
    ticks): its values are mapped into the lane's left scale to be drawn."""

    ticks: tuple[float, ...]
    title: str
    low: float      # the lane's left scale starts here ...
    factor: float   # ... and one unit of the right axis is this many of the left

    def to_left(self, v: np.ndarray | float) -> np.ndarray | float:
        return self.low + (v - self.ticks[0]) * self.factor


def right_axes(lanes: Iterable[tuple[tuple[float, float], tuple[str, ...]]]
               ) -> dict[str, RightAxis]:
    """The right-hand axis of each series that has one, given each lane's (left scale,
    series)."""
    out = {}
    for (lo, hi), series in lanes:
        for name in series:
            ticks = PARAMETERS[name].right_axis
            if ticks:
                out[name] = RightAxis(ticks, PARAMETERS[name].label, lo,
                                      (hi - lo) / (ticks[-1] - ticks[0]))
    return out


def legend(name: str, right: Mapping[str, RightAxis]) -> str:
    """A curve's name in the key and its legend: its short label, and the axis it reads on."""
    return PARAMETERS[name].short_text + (" (right)" if name in right else "")


def key_html(lanes: Mapping[str, tuple[str, ...]], right: Mapping[str, RightAxis]) -> str:
    """'RR: ━ RR ━ EtCO2 (right) · 0–10: ━ Pain …': each lane by its axis title, each
    name in its colour."""
    def entry(n: str) -> str:
        return f'<span style="color:{theme.series_color(n)}">━ {legend(n, right)}</span>'
    return " · ".join(f"{title}: " + " ".join(entry(n) for n in curves)
                      for title, curves in lanes.items())
