"""Vector trend charts for the PDF report (reportlab graphics, no Qt)."""

from __future__ import annotations

import numpy as np
from reportlab.graphics.shapes import Drawing, Line, PolyLine, Rect, String
from reportlab.lib import colors

from monitor.clinical.rules.conditions import effective_limits
from monitor.export.context import ExportContext
from monitor.export.pdf_fonts import BASE, BOLD, fonts
from monitor.model.events import EventKind
from monitor.model.parameters import PARAMETERS, PRINT_LANES, in_lane
from monitor.model.series_colours import SERIES_COLOUR, colour

# Okabe-Ito colour-blind-safe hues, each series as on the screen (paper variant).
VERMILION = colors.HexColor("#D55E00")
ORANGE = colors.HexColor("#E69F00")


def _c(name: str) -> colors.Color:
    """The series' paper colour: the screen's hue, else the registry's print colour."""
    known = name in SERIES_COLOUR
    return colors.HexColor(colour(name, dark=False) if known else PARAMETERS[name].print_colour)


# (title, ((parameter, colour), ...), scale, parameters whose limits are drawn), from
# the registry's print lanes.
LANES = [
    (lane.title, tuple((k, _c(k)) for k in in_lane(lane.key, printed=True)), lane.scale,
     lane.limits_from)
    for lane in PRINT_LANES
]
MAX_POINTS = 600
# Events drawn as vertical lines in every lane.
MARKED = (EventKind.INFUSION_STARTED, EventKind.INFUSION_STOPPED, EventKind.RATE_CHANGED,
          EventKind.BOLUS, EventKind.QUICK_EVENT, EventKind.MEDICATION)


def envelope(t: np.ndarray, v: np.ndarray, n: int = MAX_POINTS) -> tuple[np.ndarray, np.ndarray]:
    """Min/max per bucket so a 24 h 1 Hz series draws as a few hundred points."""
    if len(t) <= n:
        return t, v
    edges = np.linspace(t[0], t[-1], n // 2 + 1)
    idx = np.clip(np.searchsorted(edges, t, side="right") - 1, 0, n // 2 - 1)
    out_t, out_v = [], []
    for b in range(n // 2):
        sel = idx == b
        if not sel.any():
            continue
        bt, bv = t[sel], v[sel]
        lo, hi = int(bv.argmin()), int(bv.argmax())
        for j in sorted({lo, hi}):
            out_t.append(bt[j])
            out_v.append(bv[j])
    return np.array(out_t), np.array(out_v)


def trend_drawing(ctx: ExportContext, width: float, lane_h: float = 95) -> Drawing:
    fonts()  # the embedded fonts its labels use are registered
    s = ctx.session
    times = [float(x) for series in s.series.values() if len(series) for x in (series.t[0],
                                                                              series.t[-1])]
    start = ctx.start.timestamp()
    marked = [e for e in ctx.entries(*MARKED) if not e.struck]
    # The axis runs to the last reading or the last marked event (the stop of an
    # infusion after the last reading is drawn inside the chart, not past its edge).
    end = max([*times, *(e.observed_at.timestamp() for e in marked), start + 60])
    left, right = 40, width - 10
    lanes = LANES
    d = Drawing(width, lane_h * len(lanes) + 30, initialFontName=BASE)

    def x_of(t: float) -> float:
        return left + (t - start) / (end - start) * (right - left)

    for i, (title, series_list, (lo, hi), limit_params) in enumerate(lanes):
        y0 = d.height - (i + 1) * lane_h
        d.add(Rect(left, y0, right - left, lane_h - 14, fillColor=None,
                   strokeColor=colors.lightgrey, strokeWidth=0.5))
        d.add(String(left, y0 + lane_h - 11, title, fontSize=7, fontName=BOLD))
        x_legend = right
        for param, color in reversed(series_list):
            name = PARAMETERS[param].legend_text
            d.add(String(x_legend, y0 + lane_h - 11, name, fontSize=7, fillColor=color,
                         textAnchor="end", fontName=BASE))
            x_legend -= 6 + 4.2 * len(name)

        def y_of(v: float, y0: float = y0, lo: float = lo, hi: float = hi) -> float:
            frac = (min(max(v, lo), hi) - lo) / (hi - lo)
            return y0 + 2 + frac * (lane_h - 18)

        for tick in np.linspace(lo, hi, 3):
            d.add(String(left - 3, y_of(tick) - 2, f"{tick:.0f}", fontSize=6,
                         textAnchor="end", fontName=BASE))
        for param in limit_params:
            for key, value in effective_limits(s, ctx.protocol, param).items():
                color = VERMILION if key.startswith("high") else ORANGE
                d.add(Line(left, y_of(value), right, y_of(value), strokeColor=color,
                           strokeWidth=0.4, strokeDashArray=[2, 2]))
        for param, color in series_list:
            series = s.series[param]
            if not len(series):
                continue
            ok = ~series.artifact
            t, v = envelope(series.t[ok], series.v[ok])
            if len(t) > 1:
                points = [c for a, b in zip(t, v, strict=True) for c in (x_of(a), y_of(b))]
                d.add(PolyLine(points, strokeColor=color, strokeWidth=0.7))
            elif len(t) == 1:
                d.add(Rect(x_of(t[0]) - 1, y_of(v[0]) - 1, 2, 2, fillColor=color,
                           strokeColor=color))
            for a, b in zip(series.t[~ok], series.v[~ok], strict=True):
                d.add(String(x_of(a), y_of(b), "×", fontSize=7, fillColor=_c("map"),
                             fontName=BASE))
        for entry in marked:
            x = x_of(entry.observed_at.timestamp())
            d.add(Line(x, y0, x, y0 + lane_h - 14, strokeColor=colors.darkgrey,
                       strokeWidth=0.3))
    step = tick_step(end - start)
    for offset in time_ticks(end - start):
        d.add(String(x_of(start + offset), 4, tick_label(offset, step, end - start), fontSize=6,
                     textAnchor="middle", fontName=BASE))
    return d


# Steps of the time axis, in seconds: the smallest that gives at most MAX_TICKS spaces.
STEPS = (15, 30, 60, 120, 300, 600, 900, 1800, 3600, 2 * 3600, 4 * 3600, 6 * 3600,
         12 * 3600, 24 * 3600)
MAX_TICKS = 8
MINUTES_UP_TO = 2 * 3600  # a span this long or shorter is labelled in minutes


def tick_step(span: float) -> int:
    """A round step that puts 4 to 8 spaces on any span of a minute or more (the chart
    spans at least a minute), so the start, the middle and the end are labelled."""
    day = STEPS[-1]
    return next((s for s in STEPS if span / s <= MAX_TICKS),
                day * -(-int(span) // (day * MAX_TICKS)))


def time_ticks(span: float) -> list[float]:
    """The ticks' offsets from the start, every ``tick_step`` up to the end."""
    step = tick_step(span)
    return [float(i * step) for i in range(int(span // step) + 1)]


def tick_label(offset: float, step: int, span: float) -> str:
    """One unit per axis: '1:30 min' for steps under a minute, '20 min' up to 2 h,
    else '3 h' and '3 h 30'."""
    seconds = round(offset)
    if step < 60:
        return f"{seconds // 60}:{seconds % 60:02d} min"
    minutes = seconds // 60
    if span <= MINUTES_UP_TO:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    return f"{hours} h" if not rest else f"{hours} h {rest:02d}"
