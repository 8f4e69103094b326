"""Live charts: stacked lanes with fixed, familiar scales on one shared time
axis (minutes since infusion start, clock time on top), labelled lines at the
limits that alarm, events with labels that never overlap, a "now" line,
off-scale and artifact markers, a crosshair read-out, span buttons, and live
following that pauses when the nurse scrolls back. Pen width 1, clip-to-view
and peak downsampling keep a 24 h device-fed session smooth."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import partial

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF
from PySide6.QtWidgets import QPushButton, QVBoxLayout, QWidget

from monitor.clinical.protocols import Protocol
from monitor.clinical.rules.conditions import effective_limits
from monitor.courses.course import extreme
from monitor.model.events import Event, EventKind
from monitor.model.parameters import LANES as SCREEN_LANES
from monitor.model.parameters import REGISTRY, fmt, in_lane
from monitor.model.session import Priority, Session
from monitor.record.change import Change
from ui.charts.chart_bar import ChartBar
from ui.charts.clock_ticks import clock_spacing, dated_spacing, spans_days, tick_labels
from ui.charts.envelope import BUCKET_S, Envelope
from ui.charts.event_labels import Box, place, shown_text
from ui.charts.legend import key_html, legend, right_axes
from ui.common import theme
from ui.common.forms import button, label

EVENT_KINDS = (EventKind.INFUSION_STARTED, EventKind.RATE_CHANGED, EventKind.INFUSION_PAUSED,
               EventKind.INFUSION_RESUMED, EventKind.BOLUS, EventKind.INFUSION_STOPPED,
               EventKind.MEDICATION, EventKind.QUICK_EVENT)
EVENT_TEXT = {EventKind.INFUSION_STARTED: "start", EventKind.RATE_CHANGED: "rate",
              EventKind.INFUSION_PAUSED: "pause", EventKind.INFUSION_RESUMED: "resume",
              EventKind.BOLUS: "bolus", EventKind.INFUSION_STOPPED: "end"}
# Short enough to be read whole beside the key at 1280 px; the sentence is on hover.
READOUT_HINT = "↓ minutes since start · ↑ clock"
# ... and shorter forms, the longest that fits whole is shown (never a cut "minut…").
READOUT_HINTS = (READOUT_HINT, "↓ minutes · ↑ clock", "↓ min · ↑ clock", "")
READOUT_HINT_FULL = ("Bottom axis: minutes since the infusion started; top axis: the clock. "
                     "Point at the charts to read the values at a time")
READOUT_STYLE = "font-style: italic; border: 1px dashed; padding: 0 4px;"
LABEL_CHARS = 9  # event labels longer than this are shortened (full text on hover)
LABEL_ROWS = (0.97, 0.83, 0.69, 0.55)  # heights (fraction of the BP lane) for stacked labels
SPANS = (("30 min", 30.0), ("1 h", 60.0), ("2 h", 120.0), ("All", None))
SYMBOLS_UP_TO = 600  # draw point symbols only while a series is this short
ENVELOPE_FROM = 20_000  # longer series draw from a min/max envelope when zoomed out
MAX_OFFSCALE_MARKS = 500
LIMIT_LABEL = {p.key: p.label for p in REGISTRY}
BP_MARKS = ("sbp", "dbp")  # drawn as paired marks joined by a bar, never as a curve


@dataclass(frozen=True)
class LaneSpec:
    key: str
    title: str
    series: tuple[str, ...]
    y_range: tuple[float, float]
    limits_from: tuple[str, ...] = ()
    ticks: tuple[float, ...] = ()       # labelled ticks
    grid: tuple[float, ...] = ()        # extra gridlines (unlabelled)
    stretch: int = 1                    # share of the height


# The registry's lanes: title, scale, limits, ticks and the parameters drawn in each
# (its lane field); here only how the window spaces them (gridlines, share of height).
_SPACING: dict[str, tuple[tuple[float, ...], int]] = {
    "bp": (tuple(range(60, 221, 40)), 7), "hr": ((30, 75, 125, 180), 2),
    "spo2": ((80, 85, 95), 2), "rr": ((0, 40), 2), "sed": ((), 2), "scores": ((), 2)}
LANES = tuple(
    LaneSpec(lane.key, lane.title, in_lane(lane.key), lane.scale, lane.limits_from, lane.ticks,
             *_SPACING.get(lane.key, ((), 2)))
    for lane in SCREEN_LANES)
CHARTED = tuple(name for spec in LANES for name in spec.series)
READOUT_NAME = {p.key: p.short_text for p in REGISTRY}
OVERLAY_COLOUR = "#9A9A9A"  # the previous session: a neutral grey, no series' hue
# A series drawn against a right-hand axis (the registry's right_axis): how it maps.
RIGHT_AXIS = right_axes((spec.y_range, spec.series) for spec in LANES)


@dataclass(frozen=True)
class EventLabel:
    """An event line of the BP lane with its label: the text shown (shortened) and the
    full text with its time (the hover text)."""

    x: float
    seq: int
    short: str
    full: str
    line: pg.InfiniteLine


def _literal(text: str) -> str:
    """A label text as pyqtgraph's label format (it formats "{value}")."""
    return text.replace("{", "{{").replace("}", "}}")


class ClockAxis(pg.AxisItem):  # type: ignore[misc]  # pyqtgraph ships no types
    """Top axis: clock time of the minute ticks (dated across midnight)."""

    def __init__(self, chart: ChartsView) -> None:
        super().__init__("top")
        self.chart = chart
        # a dated label near either end may reach over the blank corner of the side
        # axes rather than be dropped (a narrow "All" view has one or two ticks)
        self.setStyle(hideOverlappingLabels=40)

    def tickSpacing(self, minVal: float, maxVal: float, size: float
                    ) -> list[tuple[float, float]]:
        if spans_days(self.chart.ref, minVal, maxVal):  # few ticks, room for their dates
            return dated_spacing(self.chart.ref, minVal, maxVal, size)
        # wide enough apart for the labels, in the font the axis draws them in
        font = self.style.get("tickFont") or self.chart.glw.font()
        return clock_spacing(minVal, maxVal, size,
                             QFontMetricsF(font).horizontalAdvance("00:00"))

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        if spacing < 1:  # ticks closer than a minute would repeat the same hh:mm
            return ["" for _ in values]

        def at(v: float) -> datetime:
            return datetime.fromtimestamp(self.chart.ref + v * 60.0)

        low, high = self.range
        return tick_labels([at(v) for v in values], (at(low), at(high)))


class ChartsView(QWidget):

    def __init__(self, session: Session, protocol: Protocol, parent: QWidget | None = None
                 ) -> None:
        super().__init__(parent)
        self.session = session
        self.protocol = protocol
        self.following = True
        self.window_min: float | None = 120.0
        self.ref = 0.0
        self._band_key: object = None
        self._last_now: datetime | None = None
        self._now_x = -1e9
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
        self.now_lines: list[pg.InfiniteLine] = []
        self.event_labels: list[EventLabel] = []
        first: pg.PlotItem | None = None
        for row, spec in enumerate(LANES):
            axis = {"top": ClockAxis(self)} if row == 0 else {}
            # No context menus (built per lane, never used at the bedside: ~25 ms).
            plot = self.glw.addPlot(row=row, col=0, axisItems=axis, enableMenu=False)
            self.glw.ci.layout.setRowStretchFactor(row, spec.stretch)
            plot.hideButtons()
            plot.setClipToView(True)
            plot.setDownsampling(auto=True, mode="peak")
            plot.setMouseEnabled(x=True, y=False)
            lo, hi = self._y_range(spec)
            ticks = self._ticks(spec)
            # the top and bottom lines stay inside the lane; in a short lane a tick label
            # at the scale's end needs half a line of room, or the axis drops it
            # (MOAA/S 0 and 5). With the banner's room kept, a short lane is about 52 px
            # at 1366x768: a 0.3 pad puts an end tick 9-10 px inside it, which its label
            # needs (the grid makes the axis clip labels to the view, so pyqtgraph's
            # hideOverlappingLabels allowance does not apply).
            short = spec.stretch <= 2 and bool({lo, hi} & set(ticks))
            pad = (hi - lo) * (0.3 if short else 0.04)
            plot.setYRange(lo - pad, hi + pad, padding=0)
            plot.disableAutoRange()  # fixed clinical ranges; X follows explicitly
            # Preferred heights in the lanes' proportions: when the window is short the
            # grid shrinks every lane alike, so BP keeps its share.
            plot.setMinimumHeight(8)
            plot.setPreferredHeight(40 * spec.stretch)
            left = plot.getAxis("left")
            left.setWidth(74)
            left.setTicks([[(v, f"{v:g}") for v in ticks],
                           [(v, "") for v in spec.grid]])
            left.setGrid(70 if spec.key == "bp" else 40)
            left.setLabel(self._title(spec), **{"font-size": "9pt"})
            if row == 0:
                plot.showAxis("top")
            if row < len(LANES) - 1:
                plot.hideAxis("bottom")  # one time axis at the foot: fewer axes to paint
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
            # Every lane keeps a right axis of the same width, so the linked time axes line
            # up; it is labelled only in a lane that draws a series against it.
            plot.showAxis("right")
            right = plot.getAxis("right")
            right.setWidth(34)
            right_name = next((n for n in spec.series if n in RIGHT_AXIS), None)
            if right_name is None:
                right.setTicks([[], []])
                right.setStyle(showValues=False)
            else:
                scale = RIGHT_AXIS[right_name]
                right.setTicks([[(float(scale.to_left(v)), f"{v:g}") for v in scale.ticks], []])
                right.setLabel(scale.title, **{"font-size": "9pt"})
            for name in self._lane_series(spec):
                self._add_series(plot, name)
            self.offscale[spec.key] = self._scatter(plot, brush=None)
            now = pg.InfiniteLine(angle=90, pen=pg.mkPen(t.text, width=1,
                                                         style=Qt.PenStyle.DashLine),
                                  label="now" if row == 0 else None,
                                  labelOpts={"position": 0.06, "color": t.text,
                                             "anchors": [(1, 1), (1, 1)]})
            plot.addItem(now, ignoreBounds=True)
            self.now_lines.append(now)
        self.bp_bars = self.plots["bp"].plot(pen=pg.mkPen(theme.current().dim, width=1),
                                             connect="pairs")
        # Downsampling and clipping would re-pair the systolic/diastolic points; BP is
        # episodic (a few hundred readings at most), so draw its bars whole.
        self.bp_bars.setDownsampling(ds=1, auto=False)
        self.bp_bars.setClipToView(False)
        self.glw.scene().sigMouseMoved.connect(self._on_mouse_moved)
        bp_box = self.plots["bp"].getViewBox()
        bp_box.sigXRangeChanged.connect(lambda *_: self._on_span_changed())
        bp_box.sigResized.connect(lambda *_: self._on_span_changed())
        self.readout = label("", "dim", name="Crosshair read-out", fit=True)
        self.readout.installEventFilter(self)  # the hint is fitted to its width
        self.hide_crosshair()
        # The read-out goes when the pointer leaves the charts (it is never left to
        # look like a current value).
        self.glw.installEventFilter(self)
        self.glw.viewport().installEventFilter(self)
        # The key to the colours of each lane that draws several curves (a legend inside
        # a short lane hides its data).
        self.key = label(key_html(self.keyed(), RIGHT_AXIS), name="Chart key")
        self.key.setMinimumWidth(1)  # cut rather than widen the charts when a panel is open
        self.key.setToolTip(self.key.text())  # ... and whole on hover
        self.live_button = button("Back to live ▶", "Back to live", slot=self.go_live)
        self.live_button.hide()
        self.overlay: list[tuple[pg.PlotItem, pg.PlotDataItem]] = []
        self.overlay_button = button("Last session", "Overlay the previous session",
                                     slot=self._on_overlay_toggled)
        self.overlay_button.setCheckable(True)
        self.overlay_button.setToolTip("The previous session's BP, HR and dissociation, "
                                       "aligned on infusion start, drawn faint and dashed")
        self.overlay_button.hide()
        self.span_buttons: dict[str, QPushButton] = {}
        for text, minutes in SPANS:
            b = button(text, f"Show {'the whole session' if minutes is None else text}",
                       slot=partial(self.set_span, minutes, text))
            b.setToolTip("The whole session" if minutes is None else f"The last {text}")
            b.setCheckable(True)
            self.span_buttons[text] = b
        self.span_chosen = False
        self.span_buttons["2 h"].setChecked(True)

    def keyed(self) -> dict[str, tuple[str, ...]]:
        """Each lane's title and its curves, for the lanes where colour alone tells two
        curves apart (the registry's parameters drawn there; BP's marks are told apart
        by their shape)."""
        lanes = {}
        for spec in LANES:
            curves = tuple(n for n in self._lane_series(spec) if n not in BP_MARKS)
            if len(curves) > 1:
                lanes[self._title(spec)] = curves
        return lanes

    def _lane_series(self, spec: LaneSpec | str) -> tuple[str, ...]:
        """The lane's series (or limits), with only the sedation scale this protocol uses."""
        unused = "rass" if self.protocol.sedation_scale == "moaas" else "moaas"
        names = spec.series if isinstance(spec, LaneSpec) else ()
        return tuple(n for n in names if n != unused)

    def _small_font(self) -> QFont:
        font = QFont(self.font())
        font.setPointSize(8)
        return font

    def _rass(self) -> bool:
        return self.protocol.sedation_scale == "rass"

    def _y_range(self, spec: LaneSpec) -> tuple[float, float]:
        return (-5, 4) if spec.key == "sed" and self._rass() else spec.y_range

    def _ticks(self, spec: LaneSpec) -> tuple[float, ...]:
        return (-5, 0, 4) if spec.key == "sed" and self._rass() else spec.ticks

    def _title(self, spec: LaneSpec) -> str:
        if spec.key == "sed":
            return "RASS" if self._rass() else "MOAA/S"
        return spec.title

    def _scatter(self, plot: pg.PlotItem, *, brush: object = "auto", color: str = "#999999",
                 symbol: str = "o") -> pg.ScatterPlotItem:
        item = pg.ScatterPlotItem(size=9, pen=pg.mkPen(color, width=1),
                                  brush=None if brush is None else pg.mkBrush(color),
                                  symbol=symbol)
        item.setVisible(False)
        plot.addItem(item)
        return item

    def _add_series(self, plot: pg.PlotItem, name: str) -> None:
        color = theme.series_color(name)
        style = Qt.PenStyle.DashLine if name == "map" else Qt.PenStyle.SolidLine
        if name not in BP_MARKS:
            self.curves[name] = plot.plot(pen=pg.mkPen(color, width=1, style=style),
                                          name=legend(name, RIGHT_AXIS))
        symbol = {"sbp": "t", "dbp": "t1"}.get(name, "o")
        self.marks[name] = self._scatter(plot, color=color, symbol=symbol)
        self.artifacts[name] = self._scatter(plot, color="#8C97A3", symbol="x")

    def _layout(self) -> None:
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(0)
        for b in self.span_buttons.values():
            b.setStyleSheet("padding: 1px 6px; min-height: 18px;")
        self.bar = ChartBar(self.readout, self.key, self.overlay_button, self.live_button,
                            list(self.span_buttons.values()))
        box.addWidget(self.bar)
        box.addWidget(self.glw, 1)

    # -- data ----------------------------------------------------------------
    def _x(self, t: np.ndarray | float) -> np.ndarray | float:
        return (t - self.ref) / 60.0

    def _reference(self, now: datetime) -> float:
        """x = 0: the infusion start (before it, the session's opening)."""
        ref_dt = self.session.infusion_started_at or self.session.opened_at
        return ref_dt.timestamp() if ref_dt else now.timestamp()

    def redraw(self, now: datetime) -> None:
        """Draw everything from the session: on first show, after a rebuild, and when
        the infusion start moves every x."""
        self.ref = self._reference(now)
        self._coarse = None  # the range moves first: decimation follows the new one
        self.show_now(now)
        self._coarse = self._coarse_view()
        self._clear_events()
        self._draw_bands()
        for spec in LANES:
            for name in self._lane_series(spec):
                self._draw_series(name, spec, 0)
            self._draw_offscale(spec)
        self._draw_bp_bars()
        self._add_events(self.session.events)

    def apply(self, change: Change) -> None:
        """Draw what one notification changed: the new points and event lines only,
        everything when the session was rebuilt. A change with no events (a tick)
        only moves "now"."""
        now = change.evaluation.now
        if change.rebuilt or self._reference(now) != self.ref:
            self.redraw(now)
            return
        if change.events:
            self._draw_new(change)
        self.show_now(now)

    def _draw_new(self, change: Change) -> None:
        s = self.session
        if self._limits_shown() != self._band_key:
            self._draw_bands()
        added = change.points()
        for spec in LANES:
            names = [n for n in self._lane_series(spec) if added[n]]
            if not names:
                continue
            new_offscale = False
            for n in names:
                new_offscale |= self._draw_series(n, spec, len(s.series[n]) - added[n])
            if new_offscale:
                self._draw_offscale(spec)
            if spec.key == "bp":
                self._draw_bp_bars()
        self._add_events(change.events)

    def show_now(self, now: datetime) -> None:
        """Move the "now" line and keep following the newest data."""
        self._move_now_line(float(self._x(now.timestamp())))
        if not self.span_chosen and self.session.infusion_stopped_at is not None:
            self._select_span(None, "All")  # after dosing: the whole session
        if self.following:
            self._follow(now)

    def _on_span_changed(self) -> None:
        """A new span or width: labels restack; the curves are drawn again when one
        pixel now spans more (or less) than half an envelope bucket."""
        self._stack_event_labels()
        self._place_now_label()
        if self._coarse is None or self._coarse_view() == self._coarse:
            return
        self._coarse = not self._coarse
        for spec in LANES:
            for name in self._lane_series(spec):
                if name in self.curves and len(self.session.series[name]) > ENVELOPE_FROM:
                    self._draw_series(name, spec, 0)

    def _draw_series(self, name: str, spec: LaneSpec, before: int) -> bool:
        """Update one series' items; True when its new points (from index ``before``)
        include off-scale ones.

        Only the new points are examined, so a 1 Hz sample on a 24 h curve costs
        little beyond handing the arrays to pyqtgraph."""
        series = self.session.series[name]
        lo, hi = self._y_range(spec)
        x = self._x_of(name, before)
        v = self._values(name)
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
        return bool((right - left) * 60.0 / width > BUCKET_S / 2)

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

    def _values(self, name: str) -> np.ndarray:
        """The series in its lane's (left-axis) units."""
        v = self.session.series[name].v
        return np.asarray(RIGHT_AXIS[name].to_left(v)) if name in RIGHT_AXIS else v

    def _draw_offscale(self, spec: LaneSpec) -> None:
        lo, hi = self._y_range(spec)
        xs, ys = [], []
        for name in self._lane_series(spec):
            series = self.session.series[name]
            ok = ~series.artifact
            v = self._values(name)
            out = ok & ((v < lo) | (v > hi))
            xs.append(self._x(series.t[out]))
            ys.append(np.clip(v[out], lo, hi))
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

    def _limits_shown(self) -> object:
        """What the limit lines depend on: the session's own limits and its baseline."""
        s = self.session
        return tuple(sorted(s.limit_overrides.items())), tuple(sorted(s.baseline().items()))

    def _draw_bands(self) -> None:
        """A labelled line at every limit that alarms (high red, medium amber; DBP's
        dotted, so systolic and diastolic limits are told apart), and the baseline
        rise limits dashed."""
        self._band_key = self._limits_shown()
        for items in self.bands.values():
            for plot_item, item in items:
                plot_item.removeItem(item)
        self.bands.clear()
        for spec in LANES:
            plot = self.plots[spec.key]
            items = []
            for param in self._lane_series(spec) if spec.key == "sed" else spec.limits_from:
                lim = effective_limits(self.session, self.protocol, param)
                style = Qt.PenStyle.DotLine if param == "dbp" else Qt.PenStyle.SolidLine
                for side, sym in (("high", "≥"), ("low", "≤")):
                    tiers = [(tier, lim[f"{tier}_{side}"])
                             for tier in (Priority.MEDIUM, Priority.HIGH)
                             if f"{tier}_{side}" in lim]
                    if not tiers:
                        continue
                    # One label per side: both thresholds, on the outermost line.
                    text = f"{LIMIT_LABEL.get(param, param)} " + " ".join(
                        f"{sym}{fmt(v)}" for _t, v in tiers)
                    for i, (tier, value) in enumerate(tiers):
                        last = i == len(tiers) - 1
                        line = pg.InfiniteLine(
                            pos=value, angle=0,
                            pen=pg.mkPen(theme.alarm_text(tier), width=1, style=style),
                            label=text if last else None,
                            labelOpts={"position": 0.1 if param == "dbp" else 0.0,
                                       "color": theme.current().text,
                                       "anchors": [(0, 1), (0, 1)] if side == "high"
                                       else [(0, 0), (0, 0)]})
                        line.setZValue(-5)
                        if last:
                            line.label.setFont(self._small_font())
                        plot.addItem(line, ignoreBounds=True)
                        items.append((plot, line))
                rise = getattr(self.protocol.relative.get(param), "medium_rise", None)
                base = self.session.baseline().get(param)
                if base is not None and rise is not None:
                    color = theme.alarm_text(Priority.MEDIUM)
                    line = pg.InfiniteLine(
                        pos=base + rise, angle=0,
                        pen=pg.mkPen(color, width=1, style=Qt.PenStyle.DashLine),
                        label=f"{LIMIT_LABEL.get(param, param)} baseline {fmt(base)} "
                              f"+{fmt(rise)}",
                        labelOpts={"position": 0.3, "color": color,
                                   "anchors": [(0, 1), (0, 1)]})
                    line.label.setFont(self._small_font())
                    plot.addItem(line, ignoreBounds=True)
                    items.append((plot, line))
            self.bands[spec.key] = items

    def _clear_events(self) -> None:
        for plot, line in self.event_lines:
            plot.removeItem(line)
        self.event_lines.clear()
        self.event_labels.clear()

    def _add_events(self, events: list[Event]) -> None:
        """Add a line for each event entry among ``events`` (a correction rebuilds the
        session, and the redraw clears and adds them all)."""
        pen = pg.mkPen(theme.current().dim, width=1, style=Qt.PenStyle.DotLine)
        for ev in events:
            if ev.kind not in EVENT_KINDS:
                continue
            entry = self.session.entries.get(ev.seq)
            if entry is None or entry.struck:
                continue
            x = float(self._x(entry.observed_at.timestamp()))
            text = EVENT_TEXT.get(entry.kind) or str(entry.payload.get("label")
                                                     or entry.payload.get("drug", ""))
            short = text if len(text) <= LABEL_CHARS else text[:LABEL_CHARS - 1] + "…"
            for row, plot in enumerate(self.plots.values()):
                line = pg.InfiniteLine(pos=x, angle=90, pen=pen,
                                       label=_literal(short) if row == 0 else None,
                                       labelOpts={"position": LABEL_ROWS[0],
                                                  "color": theme.current().text,
                                                  "anchors": [(0, 0), (0, 0)]})
                if row == 0:
                    full = f"{entry.observed_at.astimezone():%H:%M} {text}"
                    self.event_labels.append(EventLabel(x, ev.seq, short, full, line))
                plot.addItem(line, ignoreBounds=True)
                self.event_lines.append((plot, line))
        self.event_labels.sort(key=lambda e: (e.x, e.seq))
        self._stack_event_labels()

    def _stack_event_labels(self) -> None:
        """Put each label on the first row where it does not touch the one before it
        (in pixels at the current zoom); a label with no room is counted into the
        shown label before it ("Nausea +2", every event on hover)."""
        if not self.event_labels:
            return
        vb = self.plots["bp"].getViewBox()
        (left, right), _ = vb.viewRange()
        px_per_min = max(vb.width(), 1.0) / max(right - left, 1e-6)
        taken = self._rows_taken_by_limit_labels(vb, px_per_min)
        font = self.event_labels[0].line.label.textItem.font()
        mark = QFontMetricsF(font).horizontalAdvance(" +99")
        boxes = [Box(e.x * px_per_min, QFontMetricsF(font).horizontalAdvance(e.short) + 8)
                 for e in self.event_labels]
        placed = place(boxes, len(LABEL_ROWS), taken, right * px_per_min, mark)
        for e, p in zip(self.event_labels, placed, strict=True):
            label = e.line.label
            label.setVisible(p.row is not None)
            label.setToolTip(e.full)
            if p.row is None:  # counted into the label of p.group
                continue
            members = [self.event_labels[i] for i in p.members]
            text = shown_text(e.short, len(members) - 1)
            label.setFormat(_literal(text))
            label.setText(text)  # now, even while the window is not yet shown
            label.setToolTip("\n".join(m.full for m in members))
            label.anchors = [(1, 0), (1, 0)] if p.flip else [(0, 0), (0, 0)]
            label.setPosition(LABEL_ROWS[p.row])

    def event_marks(self) -> list[tuple[str, str]]:
        """Each event line's text (with its time) and the label that shows it: its own
        or the one it is counted into ("Nausea +2"); what a nurse reads off the chart."""
        shown: dict[str, str] = {}
        for e in self.event_labels:
            label = e.line.label
            if label.isVisible():
                for full in label.toolTip().split("\n"):
                    shown.setdefault(full, label.textItem.toPlainText())
        return [(e.full, shown.get(e.full, "")) for e in self.event_labels]

    def _rows_taken_by_limit_labels(self, vb: pg.ViewBox, px_per_min: float
                                     ) -> list[list[tuple[float, float]]]:
        """The stretches of each label row (in the stacking's pixels) that a BP limit
        label crosses: an event label is not put over one. Computed from where the
        limit labels are anchored, so it holds before they are laid out."""
        taken: list[list[tuple[float, float]]] = [[] for _ in LABEL_ROWS]
        height, width = max(vb.height(), 1.0), max(vb.width(), 1.0)
        (left, _right), (bottom, top) = vb.viewRange()
        text_h = QFontMetricsF(self._small_font()).height()
        # An event label's box (text and margin) hangs from its row's height; its text
        # is in the event labels' own font, not the limits' small one. Both from the
        # font, never from a label's current box (which lags while it is hidden, so the
        # rows taken would depend on what was shown before).
        event_h, box_h = text_h, text_h
        if self.event_labels:
            item = self.event_labels[0].line.label.textItem
            event_h = QFontMetricsF(item.font()).height()
            box_h = event_h + 2 * item.document().documentMargin()
        for _plot, item in self.bands.get("bp", []):
            label = getattr(item, "label", None)
            if label is None:
                continue
            box = label.textItem.boundingRect()
            x0 = left * px_per_min + label.orthoPos * width
            line_y = (top - item.value()) / max(top - bottom, 1e-6) * height
            above = label.anchors[0][1] == 1  # anchored at its foot: drawn above the line
            middle = line_y - box.height() / 2 if above else line_y + box.height() / 2
            glyphs = QFontMetricsF(label.textItem.font()).height()
            for row, frac in enumerate(LABEL_ROWS):
                centre = (1.0 - frac) * height + box_h / 2  # the row's text, mid-height
                if abs(centre - middle) < (event_h + glyphs) / 2:
                    taken[row].append((x0, x0 + box.width()))
        return taken

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
                           ("scores", "dissociation")):
            series = previous.series[name]
            keep = ~series.artifact
            # Not today's hue, and not dashed like the baseline and limit lines: grey,
            # dotted, with hollow marks (what the previous session looked like)
            colour = QColor(OVERLAY_COLOUR)
            x, v = (series.t[keep] - ref) / 60.0, series.v[keep]
            marks = {"symbol": "o", "symbolSize": 6, "symbolBrush": None,
                     "symbolPen": pg.mkPen(colour, width=1)} if len(x) <= SYMBOLS_UP_TO else {}
            item = pg.PlotDataItem(x, v, pen=pg.mkPen(colour, width=1,
                                                      style=Qt.PenStyle.DotLine), **marks)
            item.setZValue(-5)
            self.plots[lane].addItem(item)
            self.overlay.append((self.plots[lane], item))
        peak = extreme(previous, "sbp")
        when = previous.opened_at.astimezone().strftime("%Y-%m-%d")
        self.bar.set_overlay_text(f"Last session {when}", "" if peak is None else
                                  f"SBP peak {fmt(peak.value)} at {fmt(peak.minute)} min")
        self.overlay_button.setChecked(True)
        self.overlay_button.show()

    def _on_overlay_toggled(self) -> None:
        checked = self.overlay_button.isChecked()
        for _plot, item in self.overlay:
            item.setVisible(checked)

    # -- following and crosshair -----------------------------------------------
    def _move_now_line(self, x_now: float) -> None:
        """Move "now" only when it moves by a pixel: moving an item repaints its lane,
        and at a 24 h span a second is a fraction of a pixel."""
        vb = self.plots["bp"].getViewBox()
        (left, right), _ = vb.viewRange()
        px_per_min = max(vb.width(), 1.0) / max(right - left, 1e-6)
        if abs(x_now - self._now_x) * px_per_min < 1.0:
            return
        self._now_x = x_now
        for line in self.now_lines:
            line.setPos(x_now)
        self._place_now_label()

    def _place_now_label(self) -> None:
        """The "now" label on the side of its line that has room (left of it when
        following, right of it near the view's left edge: never cut to "ow")."""
        label = self.now_lines[0].label
        vb = self.plots["bp"].getViewBox()
        x_px = vb.mapViewToScene(pg.Point(self._now_x, 0)).x() - vb.sceneBoundingRect().left()
        anchor = (1, 1) if x_px > label.boundingRect().width() + 4 else (0, 1)
        if label.anchors[0] != anchor:
            label.anchors = [anchor, anchor]
            label.updatePosition()

    def set_span(self, minutes: float | None, text: str) -> None:
        """A span button: the last 30 min, 1 h, 2 h, or the whole session."""
        self.span_chosen = True
        self._select_span(minutes, text)

    def _select_span(self, minutes: float | None, text: str) -> None:
        self.window_min = minutes
        for name, b in self.span_buttons.items():
            b.setChecked(name == text)
        self.following = True
        self.live_button.hide()
        if self._last_now is not None:
            self._follow(self._last_now, force=True)

    def _follow(self, now: datetime, force: bool = False) -> None:
        """Keep the newest data in view with headroom on the right, so the linked
        lanes are re-ranged every few minutes rather than on every sample."""
        self._last_now = now
        x_now = float(self._x(now.timestamp()))
        opened = self.session.opened_at.timestamp() if self.session.opened_at else self.ref
        x_start = float(self._x(opened))
        (left, right), _ = self.plots["bp"].getViewBox().viewRange()
        if self.window_min is None:  # whole session, re-ranged only when "now" nears the edge
            if not force and abs(left - x_start) < 1e-6 and x_now <= right - 0.25:
                return
            end = x_now + max(2.0, 0.05 * (x_now - x_start))
            self.plots["bp"].setXRange(x_start, max(end, x_start + 10), padding=0)
            return
        follow_left = max(x_start, right - self.window_min)
        if force:
            left = follow_left - 1  # re-range now
        if (abs(left - follow_left) < 1e-6 and left <= x_now <= right - 0.25
                and right - left >= 10.0):
            return  # already a live view, newest point inside it
        headroom = max(2.0, 0.04 * min(self.window_min, x_now - x_start + 2.0))
        new_right = max(x_now + headroom, x_start + 10.0)  # at least 10 min across
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

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Leave:
            self.hide_crosshair()
        elif (watched is self.readout and event.type() == QEvent.Type.Resize
              and not self._crosshair_shown):
            self._fit_hint()
        return super().eventFilter(watched, event)

    def hide_crosshair(self) -> None:
        """No read-out: the hint of what the time axis means, in the plain dim style."""
        for line in self.cursor_lines:
            line.setVisible(False)
        self._crosshair_shown = False
        self.readout.setStyleSheet("")
        self._fit_hint()

    def _fit_hint(self) -> None:
        """The longest hint that the read-out shows whole (its sentence on hover)."""
        metrics, room = self.readout.fontMetrics(), self.readout.contentsRect().width()
        hint = next(h for h in READOUT_HINTS if metrics.horizontalAdvance(h) <= room)
        if hint != self.readout.text():
            self.readout.setText(hint)
        self.readout.setToolTip(READOUT_HINT_FULL)

    def _on_mouse_moved(self, pos: object) -> None:
        plot = next((p for p in self.plots.values() if p.sceneBoundingRect().contains(pos)),
                    None)
        if plot is None:
            self.hide_crosshair()
            return
        x = plot.getViewBox().mapSceneToView(pos).x()
        self.show_crosshair(x)

    def show_crosshair(self, x: float) -> str:
        for line in self.cursor_lines:
            line.setPos(x)
            line.setVisible(True)
        t = self.ref + x * 60.0
        # The time first and in words, boxed and in italics: a value from the past,
        # never to be read as the current one (those are on the rail).
        parts = [f"⌖ at {datetime.fromtimestamp(t):%H:%M} ({x:+.0f} min):"]
        for name in CHARTED:
            series = self.session.series[name]
            i = int(np.searchsorted(series.t, t, side="right")) - 1
            if i >= 0 and t - series.t[i] <= 15 * 60:
                mark = " (artifact)" if series.artifact[i] else ""
                parts.append(f"{READOUT_NAME[name]} {fmt(float(series.v[i]))}{mark}")
        text = "  ".join(parts)
        self._crosshair_shown = True  # before the label changes: its resize keeps this
        self.readout.setText(text)
        self.readout.setStyleSheet(READOUT_STYLE)
        return text
