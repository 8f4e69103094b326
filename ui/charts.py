"""Live charts: stacked lanes on one shared time axis (minutes since infusion
start, with clock time on top), limit bands, events, off-scale and artifact
markers, a crosshair read-out, and live following that pauses when the nurse
scrolls back. Pen width 1, clip-to-view and peak downsampling keep a 24 h
device-fed session smooth."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from monitor.events import EventKind
from monitor.parameters import fmt
from monitor.protocols import Protocol
from monitor.rules.conditions import effective_limits
from monitor.session import Session
from ui import theme
from ui.envelope import BUCKET_S, Envelope
from ui.forms import button, label

EVENT_KINDS = (EventKind.INFUSION_STARTED, EventKind.RATE_CHANGED, EventKind.INFUSION_PAUSED,
               EventKind.INFUSION_RESUMED, EventKind.BOLUS, EventKind.INFUSION_STOPPED,
               EventKind.MEDICATION, EventKind.QUICK_EVENT)
EVENT_TEXT = {EventKind.INFUSION_STARTED: "start", EventKind.RATE_CHANGED: "rate",
              EventKind.INFUSION_PAUSED: "pause", EventKind.INFUSION_RESUMED: "resume",
              EventKind.BOLUS: "bolus", EventKind.INFUSION_STOPPED: "stop"}
SYMBOLS_UP_TO = 600  # draw point symbols only while a series is this short
ENVELOPE_FROM = 20_000  # longer series draw from a min/max envelope when zoomed out
MAX_OFFSCALE_MARKS = 500
LEGEND = {"etco2": "EtCO2", "moaas": "MOAA/S", "rass": "RASS", "dissociation": "dissociation",
          "pain": "pain"}


@dataclass(frozen=True)
class LaneSpec:
    key: str
    title: str
    series: tuple[str, ...]
    y_range: tuple[float, float]
    limits_from: str | None
    ticks: tuple[float, ...] = ()  # a few fixed ticks: short lanes stay legible


LANES = (
    LaneSpec("bp", "BP", ("sbp", "dbp", "map"), (40, 220), "sbp", (90, 140, 180)),
    LaneSpec("hr", "HR", ("hr",), (30, 180), "hr", (50, 100, 150)),
    LaneSpec("spo2", "SpO2", ("spo2",), (80, 100), "spo2", (85, 92, 98)),
    LaneSpec("rr", "RR·EtCO2", ("rr", "etco2"), (0, 60), "rr", (8, 20, 40)),  # capnography
    LaneSpec("sed", "Scores", ("moaas", "rass", "dissociation", "pain"), (-5, 10), None,
             (0, 5, 10)),
    LaneSpec("rate", "mg/h", (), (0, 60), None),
)


class ClockAxis(pg.AxisItem):
    """Top axis: clock time of the minute ticks."""

    def __init__(self, chart: ChartsView) -> None:
        super().__init__("top")
        self.chart = chart

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        out = []
        for v in values:
            t = self.chart.ref + v * 60.0
            out.append(datetime.fromtimestamp(t).strftime("%H:%M"))
        return out


class ChartsView(QWidget):

    def __init__(self, session: Session, protocol: Protocol, parent: QWidget | None = None
                 ) -> None:
        super().__init__(parent)
        self.session = session
        self.protocol = protocol
        self.following = True
        self.window_min = 120.0
        self.ref = 0.0
        self._drawn: dict[str, int] = {}
        self._rebuilds = -1
        self._events_seen = 0
        self._band_key: object = None
        self._rate_top = 0.0
        self._last_now: datetime | None = None
        self._xs: dict[str, np.ndarray] = {}
        self._envelopes: dict[str, Envelope] = {}
        self._coarse: bool | None = None
        self._has_offscale: dict[str, bool] = {}
        self._setup_ui()
        self._layout()

    # -- building ------------------------------------------------------------
    def _setup_ui(self) -> None:
        t = theme.current()
        pg.setConfigOptions(antialias=False, background=t.bg, foreground=t.dim)
        self.glw = pg.GraphicsLayoutWidget()
        self.glw.setAccessibleName("Trend charts")
        self.glw.ci.setSpacing(0)
        self.plots: dict[str, pg.PlotItem] = {}
        self.curves: dict[str, pg.PlotDataItem] = {}
        self.marks: dict[str, pg.ScatterPlotItem] = {}
        self.offscale: dict[str, pg.ScatterPlotItem] = {}
        self.artifacts: dict[str, pg.ScatterPlotItem] = {}
        self.bands: dict[str, list[pg.GraphicsObject]] = {}
        self.event_lines: list[tuple[pg.PlotItem, pg.InfiniteLine]] = []
        self.cursor_lines: list[pg.InfiniteLine] = []
        first: pg.PlotItem | None = None
        for row, spec in enumerate(LANES):
            axis = {"top": ClockAxis(self)} if row == 0 else {}
            plot = self.glw.addPlot(row=row, col=0, axisItems=axis)
            plot.setMenuEnabled(False)
            plot.hideButtons()
            plot.showGrid(x=False, y=False)
            plot.setClipToView(True)
            plot.setDownsampling(auto=True, mode="peak")
            plot.setMouseEnabled(x=True, y=False)
            plot.setYRange(*spec.y_range, padding=0)
            plot.disableAutoRange()  # fixed clinical ranges; X follows explicitly
            plot.getAxis("left").setWidth(62)
            if spec.ticks:
                plot.getAxis("left").setTicks([[(v, f"{v:g}") for v in spec.ticks], []])
            plot.setLabel("left", spec.title)
            if row == 0:
                plot.showAxis("top")
            if row < len(LANES) - 1:
                plot.hideAxis("bottom")  # one time axis at the foot: fewer axes to paint
            else:
                plot.setLabel("bottom", "minutes since infusion start")
            if first is None:
                first = plot
            else:
                plot.setXLink(first)
            plot.getViewBox().sigRangeChangedManually.connect(self._on_user_scrolled)
            line = pg.InfiniteLine(angle=90, pen=pg.mkPen(t.dim, width=1))
            line.setVisible(False)
            plot.addItem(line, ignoreBounds=True)
            self.cursor_lines.append(line)
            self.plots[spec.key] = plot
            if spec.key == "sed":
                plot.addLegend(offset=(4, 1), colCount=4, labelTextSize="9pt",
                               labelTextColor=t.text, brush=pg.mkBrush(t.bg))
            for name in self._lane_series(spec):
                self._add_series(plot, name)
            self.offscale[spec.key] = self._scatter(plot, brush=None)
        self.rate_curve = self.plots["rate"].plot(pen=pg.mkPen(theme.SERIES_COLOR["rate"], width=1))
        self.bp_bars = self.plots["bp"].plot(pen=pg.mkPen(theme.SERIES_COLOR["sbp"], width=1),
                                             connect="pairs")
        # Downsampling and clipping would re-pair the systolic/diastolic points; BP is
        # episodic (a few hundred readings at most), so draw its bars whole.
        self.bp_bars.setDownsampling(ds=1, auto=False)
        self.bp_bars.setClipToView(False)
        self.glw.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self.readout = label("", "dim", name="Crosshair read-out")
        self.live_button = button("Back to live ▶", "Back to live", slot=self.go_live)
        self.live_button.hide()
        self.overlay: list[tuple[pg.PlotItem, pg.PlotDataItem]] = []
        self.overlay_button = button("Last session", "Overlay the previous session",
                                     slot=self._on_overlay_toggled)
        self.overlay_button.setCheckable(True)
        self.overlay_button.setToolTip("The previous session's BP, HR and dissociation, "
                                       "aligned on infusion start, drawn faint and dashed")
        self.overlay_button.hide()

    def _lane_series(self, spec: LaneSpec) -> tuple[str, ...]:
        """The lane's series, with only the sedation scale this protocol uses."""
        unused = "rass" if self.protocol.sedation_scale == "moaas" else "moaas"
        return tuple(n for n in spec.series if n != unused)

    def _scatter(self, plot: pg.PlotItem, *, brush: object = "auto", color: str = "#999999",
                 symbol: str = "o") -> pg.ScatterPlotItem:
        item = pg.ScatterPlotItem(size=9, pen=pg.mkPen(color, width=1),
                                  brush=None if brush is None else pg.mkBrush(color),
                                  symbol=symbol)
        item.setVisible(False)
        plot.addItem(item)
        return item

    def _add_series(self, plot: pg.PlotItem, name: str) -> None:
        color = theme.SERIES_COLOR[name]
        style = Qt.PenStyle.DashLine if name == "map" else Qt.PenStyle.SolidLine
        if name not in ("sbp", "dbp"):
            self.curves[name] = plot.plot(pen=pg.mkPen(color, width=1, style=style),
                                          name=LEGEND.get(name))
        symbol = {"sbp": "t", "dbp": "t1"}.get(name, "o")
        self.marks[name] = self._scatter(plot, color=color, symbol=symbol)
        self.artifacts[name] = self._scatter(plot, color="#8C97A3", symbol="x")

    def _layout(self) -> None:
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        top.addWidget(self.readout, 1)
        top.addWidget(self.overlay_button)
        top.addWidget(self.live_button)
        box.addLayout(top)
        box.addWidget(self.glw, 1)

    # -- data ----------------------------------------------------------------
    def _x(self, t: np.ndarray | float) -> np.ndarray | float:
        return (t - self.ref) / 60.0

    def refresh(self, now: datetime) -> None:
        s = self.session
        ref_dt = s.infusion_started_at or s.opened_at
        ref = ref_dt.timestamp() if ref_dt else now.timestamp()
        coarse = self._coarse_view()
        full = ref != self.ref or s.rebuilds != self._rebuilds or coarse != self._coarse
        self._coarse = coarse
        self.ref = ref
        self._rebuilds = s.rebuilds
        if full:
            self._drawn.clear()
            self._clear_events()
        band_key = (tuple(sorted(s.limit_overrides.items())), tuple(sorted(s.baseline().items())))
        if full or band_key != self._band_key:
            self._band_key = band_key
            self._draw_bands()
        for spec in LANES:
            names = [n for n in self._lane_series(spec)
                     if len(s.series[n]) != self._drawn.get(n, -1)]
            if names:
                new_offscale = False
                for n in names:
                    new_offscale |= self._draw_series(n, spec)
                if new_offscale or full:
                    self._draw_offscale(spec)
                if spec.key == "bp":
                    self._draw_bp_bars()
        self._add_new_events()
        self._draw_rate(now)
        if self.following:
            self._follow(now)

    def _draw_series(self, name: str, spec: LaneSpec) -> bool:
        """Update one series' items; True when its new points include off-scale ones.

        Only the points added since the last draw are examined, so a 1 Hz sample
        on a 24 h curve costs little beyond handing the arrays to pyqtgraph."""
        series = self.session.series[name]
        before = self._drawn.get(name, 0)
        self._drawn[name] = len(series)
        lo, hi = spec.y_range
        x = self._x_of(name, before)
        v = series.v
        fresh = v[before:]
        fresh_out = bool(((fresh < lo) | (fresh > hi)).any())
        if before == 0:
            self._has_offscale[name] = False
        self._has_offscale[name] = self._has_offscale.get(name, False) or fresh_out
        art = series.artifact
        n_art = int(art.sum())
        if name in self.curves:
            self._draw_curve(name, x, v, art, before, lo, hi)
        if len(series) <= SYMBOLS_UP_TO:
            inside = ~art & (v >= lo) & (v <= hi)
            self.marks[name].setData(x[inside], v[inside])
            self.marks[name].setVisible(True)
        elif before <= SYMBOLS_UP_TO:
            self.marks[name].clear()
            self.marks[name].setVisible(False)  # an empty scatter still costs a paint
        if n_art or self.artifacts[name].data.size:
            self.artifacts[name].setData(x[art], np.clip(v[art], lo, hi))
        self.artifacts[name].setVisible(n_art > 0)
        return fresh_out

    def _draw_curve(self, name: str, x: np.ndarray, v: np.ndarray, art: np.ndarray,
                    before: int, lo: float, hi: float) -> None:
        ok = ~art
        env = self._envelopes.get(name)
        if before == 0 or env is None or env.count != int(ok[:before].sum()):
            env = self._envelopes[name] = Envelope()
            before = 0
        env.extend(x[before:][ok[before:]] * 60.0, v[before:][ok[before:]])
        if len(x) > ENVELOPE_FROM and self._coarse_view():
            ex, ey = env.points()
            x_draw, y_draw = ex / 60.0, ey
        elif art.any():
            x_draw, y_draw = x[ok], v[ok]
        else:
            x_draw, y_draw = x, v
        if self._has_offscale[name]:
            y_draw = np.clip(y_draw, lo, hi)
        # Values are validated finite in the core: skip pyqtgraph's per-call check.
        self.curves[name].setData(x_draw, y_draw, skipFiniteCheck=True)

    def _coarse_view(self) -> bool:
        """True when one pixel spans more than half an envelope bucket."""
        vb = self.plots["bp"].getViewBox()
        (left, right), _ = vb.viewRange()
        width = max(1.0, vb.width())
        return (right - left) * 60.0 / width > BUCKET_S / 2

    def _x_of(self, name: str, before: int) -> np.ndarray:
        """Minutes since the reference for a series, extended only by its new points."""
        t = self.session.series[name].t
        cached = self._xs.get(name)
        if before == 0 or cached is None or len(cached) != before:
            xs = np.asarray(self._x(t))
        else:
            xs = np.concatenate([cached, np.asarray(self._x(t[before:]))])
        self._xs[name] = xs
        return xs

    def _draw_offscale(self, spec: LaneSpec) -> None:
        lo, hi = spec.y_range
        xs, ys = [], []
        for name in self._lane_series(spec):
            series = self.session.series[name]
            ok = ~series.artifact
            out = ok & ((series.v < lo) | (series.v > hi))
            xs.append(self._x(series.t[out]))
            ys.append(np.clip(series.v[out], lo, hi))
        x_all = np.concatenate(xs) if xs else np.empty(0)
        y_all = np.concatenate(ys) if ys else np.empty(0)
        # A device stuck off-scale for hours would make this layer huge; the clipped
        # curve already hugs the edge, so mark only the most recent points.
        x_all, y_all = x_all[-MAX_OFFSCALE_MARKS:], y_all[-MAX_OFFSCALE_MARKS:]
        self.offscale[spec.key].setData(x_all, y_all)
        self.offscale[spec.key].setVisible(len(x_all) > 0)

    def _draw_bp_bars(self) -> None:
        sbp, dbp = self.session.series["sbp"], self.session.series["dbp"]
        _common, i, j = np.intersect1d(sbp.seq, dbp.seq, return_indices=True)
        keep = ~sbp.artifact[i] & ~dbp.artifact[j]
        i, j = i[keep], j[keep]
        x = np.repeat(self._x(sbp.t[i]), 2)
        y = np.empty(len(i) * 2)
        y[0::2] = np.clip(sbp.v[i], 40, 220)
        y[1::2] = np.clip(dbp.v[j], 40, 220)
        self.bp_bars.setData(x, y, connect="pairs")

    def _draw_rate(self, now: datetime) -> None:
        points = self.session.timeline.points
        if not points:
            self.rate_curve.clear()
            return
        end = (self.session.infusion_stopped_at or now).timestamp()
        xs, ys = [], []
        for (t0, rate), nxt in zip(points, [*points[1:], None], strict=False):
            t1 = nxt[0] if nxt else max(end, t0)
            xs += [t0, t1]
            ys += [rate, rate]
        self.rate_curve.setData(self._x(np.array(xs)), np.array(ys))
        top = max(60.0, max(ys) * 1.25)
        if top != self._rate_top:
            self._rate_top = top
            self.plots["rate"].setYRange(0, top, padding=0)

    def _draw_bands(self) -> None:
        for items in self.bands.values():
            for plot_item, item in items:
                plot_item.removeItem(item)
        self.bands.clear()
        high = QColor(theme.PRIORITY_COLOR["high"])
        high.setAlpha(28)
        medium = QColor(theme.PRIORITY_COLOR["medium"])
        medium.setAlpha(14)
        for spec in LANES:
            if spec.limits_from is None:
                continue
            plot = self.plots[spec.key]
            lim = effective_limits(self.session, self.protocol, spec.limits_from)
            lo, hi = spec.y_range
            zones = []
            if "high_high" in lim:
                zones.append((lim["high_high"], hi, high))
            if "medium_high" in lim:
                zones.append((lim["medium_high"], lim.get("high_high", hi), medium))
            if "high_low" in lim:
                zones.append((lo, lim["high_low"], high))
            if "medium_low" in lim:
                zones.append((lim.get("high_low", lo), lim["medium_low"], medium))
            items = []
            for a, b, color in zones:
                region = pg.LinearRegionItem((a, b), orientation="horizontal", movable=False,
                                             brush=pg.mkBrush(color), pen=pg.mkPen(None))
                region.setZValue(-10)
                plot.addItem(region, ignoreBounds=True)
                items.append((plot, region))
            rel = (self.protocol.get("relative") or {}).get(spec.limits_from, {})
            base = self.session.baseline().get(spec.limits_from)
            if base is not None and rel.get("medium_rise") is not None:
                line = pg.InfiniteLine(pos=base + rel["medium_rise"], angle=0, pen=pg.mkPen(
                    theme.PRIORITY_COLOR["medium"], width=1, style=Qt.PenStyle.DashLine),
                    label=f"baseline {fmt(base)} +{fmt(rel['medium_rise'])}",
                    labelOpts={"position": 0.1, "color": theme.PRIORITY_COLOR["medium"]})
                plot.addItem(line, ignoreBounds=True)
                items.append((plot, line))
            self.bands[spec.key] = items

    def _clear_events(self) -> None:
        for plot, line in self.event_lines:
            plot.removeItem(line)
        self.event_lines.clear()
        self._events_seen = 0

    def _add_new_events(self) -> None:
        """Add lines for event entries appended since the last refresh (a correction
        triggers a rebuild, which clears and redraws them all)."""
        events = self.session.events
        pen = pg.mkPen(theme.current().dim, width=1, style=Qt.PenStyle.DotLine)
        for ev in events[self._events_seen:]:
            if ev.kind not in EVENT_KINDS:
                continue
            entry = self.session.entries.get(ev.seq)
            if entry is None or entry.struck:
                continue
            x = self._x(entry.observed_at.timestamp())
            text = EVENT_TEXT.get(entry.kind) or str(entry.payload.get("label")
                                                     or entry.payload.get("drug", ""))
            for row, plot in enumerate(self.plots.values()):
                line = pg.InfiniteLine(pos=x, angle=90, pen=pen, label=text if row == 0 else None,
                                       labelOpts={"position": 0.88, "color": theme.current().text,
                                                  "anchors": [(0, 0.5), (0, 0.5)]})
                plot.addItem(line, ignoreBounds=True)
                self.event_lines.append((plot, line))
        self._events_seen = len(events)

    # -- the previous session, faint, for comparison ----------------------------
    def set_previous(self, previous: Session | None) -> None:
        """Overlay the previous session's BP, HR and dissociation, aligned on its infusion
        start (x = minutes since that start), faint and dashed, behind today's curves."""
        for plot, item in self.overlay:
            plot.removeItem(item)
        self.overlay = []
        if previous is None or previous.opened_at is None:
            self.overlay_button.hide()
            return
        ref = (previous.infusion_started_at or previous.opened_at).timestamp()
        for lane, name in (("bp", "sbp"), ("bp", "dbp"), ("hr", "hr"),
                           ("sed", "dissociation")):
            series = previous.series[name]
            keep = ~series.artifact
            colour = QColor(theme.SERIES_COLOR[name])
            colour.setAlpha(150)
            x, v = (series.t[keep] - ref) / 60.0, series.v[keep]
            marks = {"symbol": "o", "symbolSize": 5, "symbolPen": None,
                     "symbolBrush": colour} if len(x) <= SYMBOLS_UP_TO else {}
            item = pg.PlotDataItem(x, v, pen=pg.mkPen(colour, width=1,
                                                      style=Qt.PenStyle.DashLine), **marks)
            item.setZValue(-5)
            self.plots[lane].addItem(item)
            self.overlay.append((self.plots[lane], item))
        from monitor.patient_series import extreme
        peak = extreme(previous, "sbp")
        when = previous.opened_at.astimezone().strftime("%Y-%m-%d")
        self.overlay_button.setText(f"Last session {when}" + (
            "" if peak is None else f": SBP peak {fmt(peak.value)} at {fmt(peak.minute)} min"))
        self.overlay_button.setChecked(True)
        self.overlay_button.show()

    def _on_overlay_toggled(self, checked: bool = False) -> None:
        for _plot, item in self.overlay:
            item.setVisible(checked)

    # -- following and crosshair -----------------------------------------------
    def _follow(self, now: datetime) -> None:
        """Keep the newest data in view with headroom on the right, so the six linked
        lanes are re-ranged every few minutes rather than on every sample."""
        self._last_now = now
        x_now = float(self._x(now.timestamp()))
        opened = self.session.opened_at.timestamp() if self.session.opened_at else self.ref
        x_start = float(self._x(opened))
        (left, right), _ = self.plots["bp"].getViewBox().viewRange()
        follow_left = max(x_start, right - self.window_min)
        if abs(left - follow_left) < 1e-6 and left <= x_now <= right - 0.25:
            return  # already a live view, newest point inside it
        headroom = max(2.0, 0.04 * min(self.window_min, x_now - x_start + 2.0))
        new_right = x_now + headroom
        self.plots["bp"].setXRange(max(x_start, new_right - self.window_min), new_right,
                                   padding=0)

    def _on_user_scrolled(self, *_: object) -> None:
        if self.following:
            self.following = False
            self.live_button.show()

    def go_live(self) -> None:
        self.following = True
        self.live_button.hide()
        if self._last_now is not None:
            self._follow(self._last_now)

    def _on_mouse_moved(self, pos: object) -> None:
        plot = next((p for p in self.plots.values() if p.sceneBoundingRect().contains(pos)),
                    None)
        if plot is None:
            for line in self.cursor_lines:
                line.setVisible(False)
            return
        x = plot.getViewBox().mapSceneToView(pos).x()
        self.show_crosshair(x)

    def show_crosshair(self, x: float) -> str:
        for line in self.cursor_lines:
            line.setPos(x)
            line.setVisible(True)
        t = self.ref + x * 60.0
        parts = [f"{datetime.fromtimestamp(t):%H:%M} ({x:+.0f} min)"]
        for name in ("sbp", "dbp", "map", "hr", "spo2", "rr", "etco2", "moaas", "rass",
                     "dissociation", "pain"):
            series = self.session.series[name]
            i = int(np.searchsorted(series.t, t, side="right")) - 1
            if i >= 0 and t - series.t[i] <= 15 * 60:
                mark = " (artifact)" if series.artifact[i] else ""
                parts.append(f"{name.upper()} {fmt(float(series.v[i]))}{mark}")
        text = "  ".join(parts)
        self.readout.setText(text)
        return text
