"""One open session: banner, header, charts and current values, the vitals
row, and a side drawer for the rest (assessment, infusion, events, log,
alarms, discharge). Holds no clinical logic: it shows the recorder's state
and passes the nurse's input to it."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QKeySequence, QPaintEvent, QResizeEvent, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from monitor.clinical.rules.engine import Evaluation
from monitor.model.events import EventKind
from monitor.model.session import Phase
from monitor.record.recorder import Change, Recorder
from monitor.record.service import Service

if TYPE_CHECKING:
    from ui.charts.charts import ChartsView
    from ui.session.assessment_panel import AssessmentPanel
    from ui.session.discharge_panel import DischargePanel
    from ui.session.events_palette import EventsPalette
    from ui.session.infusion_panel import InfusionPanel
    from ui.session.log_view import AlarmHistory, LogView
from ui.common.bridge import RecorderBridge
from ui.common.forms import RecorderPanel
from ui.common.input_filter import quiet_wheel
from ui.session.alarm_banner import AlarmBanner
from ui.session.drawer import Drawer, focus_into
from ui.session.export_dialog import ExportDialog
from ui.session.header import HeaderView
from ui.session.value_rail import ValueRail
from ui.session.vitals_entry import VitalsEntry

MIN_CHART_WIDTH = 300  # what the charts keep while a panel is open
# The side panels, in the strip's order: name → (title, key).
PANELS = {"assessment": ("Assessment", "F3"), "infusion": ("Infusion", "F4"),
          "events": ("Events", "F5"), "log": ("Log", "F6"),
          "alarm_history": ("Alarms", "F7"), "discharge": ("Discharge", "F8")}


class SessionPage(QWidget):
    completed = Signal()

    def __init__(self, recorder: Recorder, service: Service, parent: QWidget | None = None, *,
                 defer: bool = False) -> None:
        """With ``defer`` the charts and tabs (pyqtgraph and the larger forms) are built
        just after the first paint, so the window with the session shows sooner."""
        super().__init__(parent)
        self.recorder = recorder
        self.service = service
        self.bridge = RecorderBridge(recorder, self)
        self.export_dialog: ExportDialog | None = None
        self.export_folder: Path | None = None
        self.charts: ChartsView | None = None
        self.aside: QWidget | None = None  # a view in the charts' place (the course)
        self._completing = False
        self._setup_light()
        self._layout()
        self.bridge.changed.connect(self._on_changed)
        if defer:
            # After the first paint (a zero timer would run before it), with a backstop.
            self._backstop = QTimer(self)
            self._backstop.setSingleShot(True)
            self._backstop.timeout.connect(self._complete)
            self._backstop.start(500)
        else:
            self._complete()
        self._show_rules(recorder.last_evaluation)

    def nurse_id(self) -> str:
        return self.header.nurse_id

    def _setup_light(self) -> None:
        """What the nurse needs first: banner, header, current values, the vitals row."""
        r = self.recorder
        self.header = HeaderView(r)
        self.banner = AlarmBanner(r, self.nurse_id)
        self.rail = ValueRail(r)
        self.vitals = VitalsEntry(r, self.nurse_id)
        self.charts_slot = QVBoxLayout()
        self.charts_slot.setContentsMargins(0, 0, 0, 0)
        self.loading = QLabel("Loading charts…")
        self.charts_slot.addWidget(self.loading, 1)
        self.drawer = Drawer()
        self.drawer.opened.connect(self._on_drawer_opened)
        self.banner.typing_returns.connect(self.vitals.focus_first)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if self.charts is None and not self._completing:
            self._completing = True
            QTimer.singleShot(0, self, self._complete)

    def _complete(self) -> None:
        if self.charts is not None:
            return
        self._completing = True
        if hasattr(self, "_backstop"):
            self._backstop.stop()
        # Imported here, after the first paint: pyqtgraph (~175 ms of CPU) and, through
        # the events palette, Qt's namespace (~18 ms); measured as in ui/common/startup.py.
        from ui.charts.charts import ChartsView
        from ui.session.events_palette import quick_keys
        r = self.recorder
        self.charts = ChartsView(r.session, r.protocol)
        self.charts.set_previous(self.service.previous(r.session))
        # Hidden now, not when deleted: a view already in the charts' place (the series)
        # would otherwise leave its first letters ("Lo") showing at the window's edge.
        self.loading.hide()
        self.charts_slot.removeWidget(self.loading)
        self.loading.deleteLater()
        self.charts_slot.addWidget(self.charts, 1)
        self.charts.setVisible(self.aside is None or self.aside.isHidden())
        for name, (title, key) in PANELS.items():
            self.drawer.add(title, key, partial(self._build_panel, name))
        self.shortcuts = []
        keys = [("Ctrl+K", self.banner.acknowledge_top), ("Ctrl+P", self.banner.pause_audio),
                ("F2", self.vitals.focus_first), ("Ctrl+Return", self._record_vitals),
                ("Ctrl+L", lambda: self.show_tab(self.log)),
                ("Escape", self.drawer.close_panel)]
        keys += [(key, partial(self.drawer.toggle_title, title))
                 for title, key in PANELS.values()]
        # Alt+1…9: the quick events, whatever is open (they never type into a field).
        keys += [(key, partial(self._quick, code)) for key, code in quick_keys()]
        for key, slot in keys:
            sc = QShortcut(QKeySequence(key), self)
            sc.activated.connect(slot)
            self.shortcuts.append(sc)
        self.banner.more_requested.connect(lambda: self.show_tab(self.alarm_history))
        quiet_wheel(self)  # after the first paint: it builds Qt's enums
        self.charts.redraw(r.last_evaluation.now)
        self._show_rules(r.last_evaluation)
        self._apply_closed()
        self.completed.emit()

    # -- a view in the charts' place ---------------------------------------------------
    def show_aside(self, widget: QWidget) -> None:
        """Show ``widget`` where the charts are: the banner, header, current values and
        vitals row stay in view (nothing of ours ever covers the banner)."""
        if self.aside is not None and self.aside is not widget:
            self.aside.close()
        self.aside = widget
        if self.charts_slot.indexOf(widget) < 0:
            self.charts_slot.addWidget(widget, 1)
        if self.charts is not None:
            self.charts.hide()
        else:
            self.loading.hide()  # the view takes the whole place while the charts load
        widget.show()

    def hide_aside(self) -> None:
        """The charts back in their place."""
        if self.aside is not None:
            self.aside.hide()
        if self.charts is not None:
            self.charts.show()
        else:
            self.loading.show()

    # -- side panels (built when first opened or asked for) ------------------------
    def _build_panel(self, name: str) -> QWidget:
        # A panel's module loads when the panel is first opened: together ~7 ms, and most
        # bring Qt's namespace (~18 ms): none of it before the first paint.
        r = self.recorder
        widget: RecorderPanel | AlarmHistory
        if name == "assessment":
            from ui.session.assessment_panel import AssessmentPanel
            widget = AssessmentPanel(r, self.nurse_id)
        elif name == "infusion":
            from ui.session.infusion_panel import InfusionPanel
            widget = InfusionPanel(r, self.nurse_id)
        elif name == "events":
            from ui.session.events_palette import EventsPalette
            widget = EventsPalette(r, self.nurse_id)
        elif name == "log":
            from ui.session.log_view import LogView
            widget = LogView(r, self.nurse_id)
        elif name == "alarm_history":
            from ui.session.log_view import AlarmHistory
            widget = AlarmHistory(r, self.nurse_id)
        else:
            from ui.session.discharge_panel import DischargePanel
            widget = DischargePanel(r, self.nurse_id)
            widget.export_requested.connect(self.open_export)
        quiet_wheel(widget)
        widget.set_closed(self.recorder.session.phase is Phase.CLOSED)
        return widget

    def _panel(self, name: str) -> Any:
        return self.drawer.widget(PANELS[name][0])

    def _built(self, name: str) -> Any:
        """The panel if it was built (None: it will be built from the session as it is)."""
        return self.drawer.built.get(PANELS[name][0])

    @property
    def assessment(self) -> AssessmentPanel:
        return cast("AssessmentPanel", self._panel("assessment"))

    @property
    def infusion(self) -> InfusionPanel:
        return cast("InfusionPanel", self._panel("infusion"))

    @property
    def events(self) -> EventsPalette:
        return cast("EventsPalette", self._panel("events"))

    @property
    def log(self) -> LogView:
        return cast("LogView", self._panel("log"))

    @property
    def alarm_history(self) -> AlarmHistory:
        return cast("AlarmHistory", self._panel("alarm_history"))

    @property
    def discharge(self) -> DischargePanel:
        return cast("DischargePanel", self._panel("discharge"))

    def _record_vitals(self) -> None:
        if self.vitals.isEnabled():  # a locked row: no key acts on it
            self.vitals.record()

    def _quick(self, code: str) -> None:
        if self.recorder.session.phase is not Phase.CLOSED:  # a signed record: its buttons are off
            self.events.quick(code)

    def _layout(self) -> None:
        box = QVBoxLayout(self)
        box.setContentsMargins(4, 2, 4, 2)
        box.setSpacing(2)
        box.addWidget(self.banner)
        top = self.banner.top
        top.insertWidget(top.indexOf(self.banner.more), self.header.due_widget, 1)
        box.addWidget(self.header)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(4)
        row.addLayout(self.charts_slot, 1)
        row.addWidget(self.rail)
        row.addWidget(self.drawer.panel)
        row.addWidget(self.drawer)
        box.addLayout(row, 1)
        box.addWidget(self.vitals)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_drawer()

    def _fit_drawer(self) -> None:
        """The open panel gets the width its content needs; the charts keep at least
        MIN_CHART_WIDTH, and the current values step aside for a wide panel."""
        widget = self.drawer.current()
        if widget is None:
            self.rail.show()
            return
        room = self.width() - self.drawer.width() - MIN_CHART_WIDTH - 24
        rail = self.rail.sizeHint().width()
        wide = self.drawer.wanted_width() > room - rail
        self.rail.setVisible(not wide)
        self.drawer.fit(room if wide else room - rail)

    def _on_drawer_opened(self, widget: QWidget | None) -> None:
        if widget is None:
            self.rail.show()
            self.vitals.focus_first()
            return
        self._fit_drawer()
        self._refresh_tab()
        focus_into(widget)

    # -- updates -------------------------------------------------------------
    def _on_changed(self, change: Change) -> None:
        """One notification, one repaint: every view draws what it changed."""
        self._show_rules(change.evaluation)
        self.vitals.follow_session()
        if self.charts is None:
            return  # built later, from the session as it then is
        self.charts.apply(change)
        log, infusion = self._built("log"), self._built("infusion")
        if log is not None:
            log.apply(change)
        if infusion is not None:
            infusion.refresh()
            if any(e.kind is EventKind.INFUSION_STOPPED for e in change.events):
                # its buttons went: the vitals row (recovery observations), not whatever
                # widget follows them (it was "Bedside sound")
                QTimer.singleShot(0, self, self.vitals.focus_first)
        self._apply_closed()
        if change.events:
            self._refresh_tab()
        elif self._built("discharge") is not None and (
                self._built("discharge") is self.drawer.current()):
            self.discharge.follow_clock(change.evaluation.now)  # "1 of 60 min" as the header

    def _show_rules(self, evaluation: Evaluation) -> None:
        self.header.refresh(evaluation)
        self.header.show_link(self.service.link_text())
        self.banner.refresh(evaluation)
        self.rail.refresh(evaluation)

    def _apply_closed(self) -> None:
        """A closed, signed record: entry controls off (notes stay, as addenda)."""
        closed = self.recorder.session.phase is Phase.CLOSED
        self.vitals.set_closed(closed)
        for widget in self.drawer.built.values():
            cast("RecorderPanel | AlarmHistory", widget).set_closed(closed)

    def _refresh_tab(self) -> None:
        current = self.drawer.current()
        if current is not None and current in (self._built("alarm_history"),
                                               self._built("discharge")):
            cast("AlarmHistory | DischargePanel", current).refresh()

    def show_tab(self, widget: QWidget) -> None:
        """Open ``widget``'s panel in the drawer."""
        self.drawer.open(widget)

    def tick(self) -> None:
        """Once a second: the rules' timers. A signed record decides nothing more (the
        rules draft nothing for it) but its countdowns and sound status still move."""
        self.recorder.tick()

    def open_export(self, fmt: str) -> ExportDialog:
        if self.export_dialog is None:
            self.export_dialog = ExportDialog(self.recorder, self.service, fmt,
                                              self.export_folder, self)
        self.export_dialog.format.setCurrentText(fmt)
        self.export_dialog.show()
        return self.export_dialog

    def is_half_typed(self) -> bool:
        panels = [self._built(n) for n in ("assessment", "events", "infusion", "log")]
        return any(w.is_half_typed() for w in (self.vitals, *panels) if w is not None)

    def shutdown(self) -> None:
        self.banner.stop()
        self.bridge.detach()
        if self.export_dialog is not None:
            self.export_dialog.close()
