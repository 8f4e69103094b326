"""One open session: banner, header, charts and current values, the vitals
row, and tabs for the rest. Holds no clinical logic: it shows the recorder's
state and passes the nurse's input to it."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from monitor.events import Event
from monitor.recorder import Recorder
from monitor.rules.engine import Evaluation
from ui.alarm_banner import AlarmBanner
from ui.assessment_panel import AssessmentPanel
from ui.bridge import RecorderBridge
from ui.charts import ChartsView
from ui.discharge_panel import DischargePanel
from ui.events_palette import EventsPalette
from ui.export_dialog import ExportDialog
from ui.header import HeaderView
from ui.infusion_panel import InfusionPanel
from ui.log_view import AlarmHistory, LogView
from ui.value_rail import ValueRail
from ui.vitals_entry import VitalsEntry


class SessionPage(QWidget):
    def __init__(self, recorder: Recorder, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.recorder = recorder
        self.bridge = RecorderBridge(recorder, self)
        self.export_dialog: ExportDialog | None = None
        self.export_folder: Path | None = None
        self._setup_ui()
        self._layout()
        self.bridge.recorded.connect(self._on_recorded)
        self._on_recorded([], recorder.last_evaluation)

    def nurse_id(self) -> str:
        return self.header.nurse_id

    def _setup_ui(self) -> None:
        r = self.recorder
        self.header = HeaderView(r)
        self.banner = AlarmBanner(r, self.nurse_id)
        self.charts = ChartsView(r.session, r.protocol)
        self.rail = ValueRail(r)
        self.vitals = VitalsEntry(r, self.nurse_id)
        self.assessment = AssessmentPanel(r, self.nurse_id)
        self.events = EventsPalette(r, self.nurse_id)
        self.infusion = InfusionPanel(r, self.nurse_id)
        self.log = LogView(r, self.nurse_id)
        self.alarm_history = AlarmHistory(r)
        self.discharge = DischargePanel(r, self.nurse_id)
        self.discharge.export_requested.connect(self.open_export)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Entry tabs")
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

    def _layout(self) -> None:
        box = QVBoxLayout(self)
        box.setContentsMargins(4, 4, 4, 4)
        box.setSpacing(4)
        box.addWidget(self.banner)
        box.addWidget(self.header)
        middle = QWidget()
        row = QHBoxLayout(middle)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.charts, 1)
        row.addWidget(self.rail)
        self.split = split = QSplitter()
        split.setOrientation(split.orientation().Vertical)
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
        if self.export_dialog is None:
            self.export_dialog = ExportDialog(self.recorder, fmt, self.export_folder, self)
        self.export_dialog.format.setCurrentText(fmt)
        self.export_dialog.show()
        return self.export_dialog

    def is_half_typed(self) -> bool:
        return any(w.is_half_typed() for w in (self.vitals, self.assessment, self.events,
                                               self.infusion, self.log))

    def shutdown(self) -> None:
        self.banner.stop()
        self.bridge.detach()
        if self.export_dialog is not None:
            self.export_dialog.close()
