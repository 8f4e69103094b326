"""The patient's course at a glance: one row per earlier session and one for
this session so far, and the outcome trend across the course (pain before and
after, PHQ-9, MADRS). It stands in the charts' place inside the window, never
over the alarm banner: by itself when a patient with earlier sessions opens a
session not yet dosed, otherwise only on demand from the "Course" button."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from monitor.clinical.rules.engine import Evaluation
from monitor.courses.course import SessionFacts, course_facts, course_table
from monitor.errors import MonitorError
from monitor.export import folder as export_folder
from monitor.export.atomic import TargetExists, write_atomic
from monitor.export.course_out import render_course
from monitor.export.formats import COURSE_FORMATS, SUFFIX
from monitor.model.events import Event
from monitor.model.session import Session
from monitor.record.recorder import Recorder
from monitor.record.service import Service
from ui.common import theme
from ui.common.forms import button, error_label, label, line_edit
from ui.course.outcomes_entry import OutcomesEntry
from ui.session.export_dialog import safe_name

# (outcome key, legend, colour key in the theme, plot)
TRENDS = (("pain_before", "pain before", "sbp", "pain"),
          ("pain_after", "pain after", "hr", "pain"),
          ("phq9", "PHQ-9", "spo2", "mood"),
          ("madrs_before", "MADRS before", "dissociation", "mood"),
          ("madrs_after", "MADRS after", "pain", "mood"))


class CourseView(QWidget):
    closed = Signal()

    def __init__(self, recorder: Recorder, service: Service, nurse: Callable[[], str],
                 parent: QWidget | None = None, *, folder: Path | None = None) -> None:
        super().__init__(parent)
        self.folder = folder or export_folder.default_folder()
        self.recorder = recorder
        self.service = service
        self.protocols = service.protocols
        self.nurse = nurse
        self.facts: list[SessionFacts] = []
        self.header: list[str] = []
        self._earlier: list[Session] | None = None
        patient = recorder.session.opening.get("patient_id", "")
        self.setWindowTitle(f"Course of infusions: {patient}")
        self._setup_ui()
        self._layout()
        self.refresh(recorder.clock.now())

    def _setup_ui(self) -> None:
        self.title = label("", pt=12, name="Course summary")
        self.table = QTableWidget()
        self.table.setAccessibleName("Course table")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(True)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        small = QFont(self.table.font())
        small.setPointSizeF(max(8.0, small.pointSizeF() - 1))
        self.table.setFont(small)
        t = theme.current()
        self.pain_plot = self._plot("Pain NRS", (0, 10), 2)
        self.mood_plot = self._plot("PHQ-9 / MADRS", (0, 60), 2)
        self.curves: dict[str, pg.PlotDataItem] = {}
        for key, legend, colour, plot in TRENDS:
            target = self.pain_plot if plot == "pain" else self.mood_plot
            self.curves[key] = target.plot(
                pen=pg.mkPen(theme.series_color(colour), width=1), symbol="o", symbolSize=7,
                symbolBrush=theme.series_color(colour), name=legend)
        self.outcomes = OutcomesEntry(self.recorder, self.nurse)
        self.outcomes.saved.connect(lambda _ev: self.refresh(self.recorder.clock.now()))
        self.export_format = QComboBox()
        self.export_format.addItems(COURSE_FORMATS)
        self.export_format.setAccessibleName("Course export format")
        self.export_deidentify = QCheckBox("De-identify (no identifier or dates)")
        self.export_deidentify.setAccessibleName("De-identify course export")
        self.export_path = line_edit("Course export destination", "file path")
        self.export_button = button("Export course", "Export the course", slot=self.export)
        self.export_result = label("", "saved", name="Course export result")
        self.export_result.hide()
        self.export_error = error_label("Course export error")
        self.export_format.currentTextChanged.connect(self._suggest)
        self.export_deidentify.toggled.connect(self._suggest)
        self._suggest()
        self.close_button = button("Close", "Close course view", slot=self.close)
        self.setStyleSheet(f"QTableWidget {{ gridline-color: {t.dim}; }}")

    def _plot(self, title: str, y: tuple[float, float], legend_columns: int) -> pg.PlotItem:
        widget = pg.PlotWidget()
        widget.setAccessibleName(f"Outcome trend: {title}")
        widget.setMinimumHeight(150)
        widget.setMaximumHeight(210)
        plot = widget.getPlotItem()
        plot.setMenuEnabled(False)
        plot.hideButtons()
        plot.setMouseEnabled(x=False, y=False)
        plot.setYRange(*y, padding=0.05)
        plot.setLabel("left", title)
        plot.setLabel("bottom", "days since the first session")
        plot.addLegend(offset=(4, 1), colCount=legend_columns, labelTextSize="9pt")
        plot.widget = widget
        return plot

    def _layout(self) -> None:
        box = QVBoxLayout(self)
        box.addWidget(self.title)
        box.addWidget(self.table, 3)
        plots = QHBoxLayout()
        plots.addWidget(self.pain_plot.widget, 1)
        plots.addWidget(self.mood_plot.widget, 1)
        plots.addWidget(self.outcomes)
        box.addLayout(plots, 2)
        foot = QHBoxLayout()
        for widget in (self.export_format, self.export_deidentify):
            foot.addWidget(widget)
        foot.addWidget(self.export_path, 1)
        foot.addWidget(self.export_button)
        foot.addWidget(self.close_button)
        box.addLayout(foot)
        box.addWidget(self.export_result)
        box.addWidget(self.export_error)

    def closeEvent(self, event: QCloseEvent) -> None:
        super().closeEvent(event)
        self.closed.emit()

    # -- data ----------------------------------------------------------------
    def _load_earlier(self) -> list[Session]:
        return self.service.earlier(self.recorder.session)

    def on_recorded(self, events: list[Event], evaluation: Evaluation) -> None:
        """This session's row follows what is recorded while the view is open."""
        if events and self.isVisible():
            self.refresh(evaluation.now)

    def refresh(self, now: datetime) -> None:
        """The earlier sessions are read once; this session's row from its live state."""
        if self._earlier is None:
            self._earlier = self._load_earlier()
        earlier = self._earlier
        current = self.recorder.session
        patient = str(current.opening.get("patient_id", ""))
        self.facts = course_facts([*earlier, current], self.protocols, now)
        header, rows = course_table(self.facts)
        self.title.setText(f"{len(earlier)} earlier session{'s' * (len(earlier) != 1)}"
                           f" of {patient}; the last row is this session so far")
        self.header = header
        self.table.clear()
        self.table.setColumnCount(len(header))
        self.table.setRowCount(len(rows))
        self.table.setHorizontalHeaderLabels([_two_lines(h) for h in header])
        bold = QFont(self.table.font())
        bold.setBold(True)
        highlight = QColor(theme.current().dim)
        highlight.setAlpha(60)
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                item = QTableWidgetItem(text)
                if r == len(rows) - 1:
                    item.setFont(bold)
                    item.setBackground(highlight)
                self.table.setItem(r, c, item)
        head = self.table.horizontalHeader()
        head.setDefaultAlignment(head.defaultAlignment() | Qt.AlignmentFlag.AlignVCenter)
        head.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        head.setStretchLastSection(True)
        self.table.resizeRowsToContents()
        for key, curve in self.curves.items():
            points = [(f.days_since_first, f.outcomes[key]) for f in self.facts
                      if key in f.outcomes]
            curve.setData([p[0] for p in points], [p[1] for p in points])
        last = max((f.days_since_first for f in self.facts), default=0.0)
        for plot in (self.pain_plot, self.mood_plot):
            plot.setXRange(-0.5, last + 0.5, padding=0)

    # -- export ----------------------------------------------------------------
    def _suggest(self) -> None:
        who = "deidentified" if self.export_deidentify.isChecked() else str(
            self.recorder.session.opening.get("patient_id", "patient"))
        suffix = SUFFIX[self.export_format.currentText()]
        self.export_path.setText(str(self.folder / f"ketamine-course-{safe_name(who)}{suffix}"))

    def export(self) -> Path | None:
        """Write the course (the earlier sessions and this one so far) atomically."""
        self.export_error.hide()
        self.export_result.hide()
        text = self.export_path.text().strip()
        if not text:
            self.export_error.setText("Course export destination: give a file path")
            self.export_error.show()
            return None
        session = self.recorder.session
        try:
            data = render_course([*(self._earlier or []), session],
                                 str(session.opening.get("patient_id", "")),
                                 self.export_format.currentText(), self.protocols,
                                 self.recorder.clock.now(),
                                 deidentify=self.export_deidentify.isChecked())
            target = Path(text).expanduser()
            export_folder.prepare(target.parent)
            written = write_atomic(target, data)
        except TargetExists as exc:  # no overwrite box here: a new name is the way
            self.export_error.setText(f"{exc.path.name} already exists in {exc.path.parent}: "
                                      "change the file name (a course export never replaces "
                                      "a file)")
            self.export_error.show()
            return None
        except MonitorError as exc:
            self.export_error.setText(str(exc))
            self.export_error.show()
            return None
        self.export_result.setText(f"✓ Wrote {written} ({len(data):,} bytes)")
        self.export_result.show()
        return written

    def cell(self, row: int, column: str) -> str:
        """The text shown in a row (0 = first session) under a column, lines joined."""
        item = self.table.item(row, self.header.index(column))
        return " ".join(item.text().split("\n")) if item is not None else ""


def _two_lines(title: str) -> str:
    """A long column title on two lines, broken at the space nearest its middle."""
    spaces = [i for i, ch in enumerate(title) if ch == " "]
    if len(title) <= 10 or not spaces:
        return title
    cut = min(spaces, key=lambda i: abs(i - len(title) / 2))
    return title[:cut] + "\n" + title[cut + 1:]
