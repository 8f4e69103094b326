"""One open session: banner, header, charts and current values, the vitals
row, and tabs for the rest. Holds no clinical logic: it shows the recorder's
state and passes the nurse's input to it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from monitor.events import Event
from monitor.recorder import Recorder
from monitor.rules.engine import Evaluation

if TYPE_CHECKING:
    from ui.charts import ChartsView
    from ui.export_dialog import ExportDialog
from ui.alarm_banner import AlarmBanner
from ui.bridge import RecorderBridge
from ui.header import HeaderView
from ui.value_rail import ValueRail
from ui.vitals_entry import VitalsEntry


class SessionPage(QWidget):
    completed = Signal()

    def __init__(self, recorder: Recorder, parent: QWidget | None = None, *,
                 defer: bool = False) -> None:
        """With ``defer`` the charts and tabs (pyqtgraph and the larger forms) are built
        just after the first paint, so the window with the session shows sooner."""
        super().__init__(parent)
        self.recorder = recorder
        self.bridge = RecorderBridge(recorder, self)
        self.export_dialog: ExportDialog | None = None
        self.export_folder: Path | None = None
        self.charts: ChartsView | None = None
        self._completing = False
        self._setup_light()
        self._layout()
        self.bridge.recorded.connect(self._on_recorded)
        if defer:
            # After the first paint (a zero timer would run before it), with a backstop.
            self._backstop = QTimer(self)
            self._backstop.setSingleShot(True)
            self._backstop.timeout.connect(self._complete)
            self._backstop.start(500)
        else:
            self._complete()
        self._on_recorded([], recorder.last_evaluation)

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
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Entry tabs")

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if self.charts is None and not self._completing:
            self._completing = True
            QTimer.singleShot(0, self._complete)

    def _complete(self) -> None:
        if self.charts is not None:
            return
        self._completing = True
        if hasattr(self, "_backstop"):
            self._backstop.stop()
        # Imported here, after the first paint: pyqtgraph and the larger forms.
        # Importing QKeySequence builds its enums: after the paint too.
        from PySide6.QtGui import QKeySequence, QShortcut

        from ui.assessment_panel import AssessmentPanel
        from ui.charts import ChartsView
        from ui.discharge_panel import DischargePanel
        from ui.events_palette import EventsPalette
        from ui.infusion_panel import InfusionPanel
        from ui.log_view import AlarmHistory, LogView
        r = self.recorder
        self.charts = ChartsView(r.session, r.protocol)
        from monitor.patient_series import previous_session
        self.charts.set_previous(previous_session(r.store, r.session))
        self.charts_slot.removeWidget(self.loading)
        self.loading.deleteLater()
        self.charts_slot.addWidget(self.charts, 1)
        self.assessment = AssessmentPanel(r, self.nurse_id)
        self.events = EventsPalette(r, self.nurse_id)
        self.infusion = InfusionPanel(r, self.nurse_id)
        self.log = LogView(r, self.nurse_id)
        self.alarm_history = AlarmHistory(r)
        self.discharge = DischargePanel(r, self.nurse_id)
        self.discharge.export_requested.connect(self.open_export)
        for widget, title in ((self.assessment, "Assessment"), (self.infusion, "Infusion"),
                              (self.events, "Events && notes"), (self.log, "Log"),
                              (self.alarm_history, "Alarms"),
                              (self.discharge, "Discharge && export")):
            scroll = QScrollArea()
            scroll.setWidgetResizable(True)
            scroll.setFrameShape(QScrollArea.Shape.NoFrame)
            scroll.setWidget(widget)
            self.tabs.addTab(scroll, title)
        self.tabs.currentChanged.connect(lambda _i: self._refresh_tab())
        self.shortcuts = []
        for key, slot in (("Ctrl+K", self.banner.acknowledge_top),
                          ("Ctrl+P", self.banner.pause_audio),
                          ("F2", self.vitals.focus_first),
                          ("Ctrl+Return", self.vitals.record),
                          ("Ctrl+L", lambda: self.show_tab(self.log))):
            sc = QShortcut(QKeySequence(key), self)
            sc.activated.connect(slot)
            self.shortcuts.append(sc)
        self._on_recorded([], r.last_evaluation)
        self.completed.emit()

    def _layout(self) -> None:
        box = QVBoxLayout(self)
        box.setContentsMargins(4, 4, 4, 4)
        box.setSpacing(4)
        box.addWidget(self.banner)
        box.addWidget(self.header)
        middle = QWidget()
        row = QHBoxLayout(middle)
        row.setContentsMargins(0, 0, 0, 0)
        row.addLayout(self.charts_slot, 1)
        row.addWidget(self.rail)
        self.split = split = QSplitter()
        # Qt.Orientation.Vertical (2) set by property: touching the Qt namespace here would
        # build all of its Python enums before the first paint (~20 ms).
        split.setProperty("orientation", 2)
        split.addWidget(middle)
        lower = QWidget()
        lower_box = QVBoxLayout(lower)
        lower_box.setContentsMargins(0, 0, 0, 0)
        lower_box.addWidget(self.vitals)
        lower_box.addWidget(self.tabs, 1)
        split.addWidget(lower)
        split.setStretchFactor(0, 5)
        split.setStretchFactor(1, 2)
        split.setSizes([640, 320])
        self.tabs.setMinimumHeight(180)
        box.addWidget(split, 1)

    # -- updates -------------------------------------------------------------
    def _on_recorded(self, _events: list[Event], evaluation: Evaluation) -> None:
        self.header.refresh(evaluation)
        self.banner.refresh(evaluation)
        self.rail.refresh(evaluation)
        if self.charts is None:
            return
        self.charts.refresh(evaluation.now)
        self.infusion.refresh()
        if _events:
            self._refresh_tab()

    def _refresh_tab(self) -> None:
        scroll = self.tabs.currentWidget()
        current = scroll.widget() if isinstance(scroll, QScrollArea) else scroll
        if current is self.log:
            self.log.refresh()
        elif current is self.alarm_history:
            self.alarm_history.refresh()
        elif current is self.discharge:
            self.discharge.refresh()

    def show_tab(self, widget: QWidget) -> None:
        for i in range(self.tabs.count()):
            scroll = self.tabs.widget(i)
            if isinstance(scroll, QScrollArea) and scroll.widget() is widget:
                self.tabs.setCurrentIndex(i)
                return

    def tick(self) -> None:
        self.recorder.tick()

    def open_export(self, fmt: str) -> ExportDialog:
        from ui.export_dialog import ExportDialog
        if self.export_dialog is None:
            self.export_dialog = ExportDialog(self.recorder, fmt, self.export_folder, self)
        self.export_dialog.format.setCurrentText(fmt)
        self.export_dialog.show()
        return self.export_dialog

    def is_half_typed(self) -> bool:
        if self.charts is None:
            return self.vitals.is_half_typed()
        return any(w.is_half_typed() for w in (self.vitals, self.assessment, self.events,
                                               self.infusion, self.log))

    def shutdown(self) -> None:
        self.banner.stop()
        self.bridge.detach()
        if self.export_dialog is not None:
            self.export_dialog.close()
