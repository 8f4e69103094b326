"""The log: every entry in time order with filters. Select one to amend,
strike or flag as artifact with a reason; struck and amended entries stay
visible as such."""

from __future__ import annotations

import re
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from monitor.describe import describe
from monitor.errors import FieldError, ValidationError
from monitor.events import ALARM_KINDS, CORRECTION_KINDS, Event, EventKind
from monitor.recorder import Recorder
from ui import theme
from ui.forms import InlineErrors, button, error_label, label, line_edit

FILTERS = {
    "All": None,
    "Vitals": {EventKind.VITALS},
    "Assessments": {EventKind.ASSESSMENT},
    "Infusion": {EventKind.INFUSION_STARTED, EventKind.RATE_CHANGED, EventKind.INFUSION_PAUSED,
                 EventKind.INFUSION_RESUMED, EventKind.BOLUS, EventKind.INFUSION_STOPPED},
    "Events & notes": {EventKind.MEDICATION, EventKind.QUICK_EVENT, EventKind.NOTE},
    "Alarms": set(ALARM_KINDS),
    "Corrections": set(CORRECTION_KINDS) | {EventKind.LIMIT_CHANGED},
}
COLUMNS = ("Time", "Kind", "What", "By", "Source", "Status")
_PAIR = re.compile(r"^\s*([a-z0-9_]+)\s*=\s*(\S+)\s*$")


def parse_amendment(text: str) -> dict[str, str]:
    """'sbp=152 dbp=80' → {'sbp': '152', 'dbp': '80'}."""
    out = {}
    for chunk in text.replace(",", " ").split():
        m = _PAIR.match(chunk)
        if not m:
            raise ValidationError([FieldError("values", "New values", chunk,
                                              "name=value pairs, e.g. sbp=152 hr=80")])
        out[m.group(1)] = m.group(2)
    if not out:
        raise ValidationError([FieldError("values", "New values", "",
                                          "name=value pairs, e.g. sbp=152 hr=80")])
    return out


class LogView(QWidget):
    def __init__(self, recorder: Recorder, nurse: Callable[[], str],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.recorder = recorder
        self._nurse = nurse
        self._rows: list[Event] = []
        self._setup_ui()
        self._layout()
        self.refresh()

    def _setup_ui(self) -> None:
        self.filter = QComboBox()
        self.filter.addItems(list(FILTERS))
        self.filter.setAccessibleName("Log filter")
        self.filter.currentIndexChanged.connect(self.refresh)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setAccessibleName("Session log")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setColumnWidth(0, 90)
        self.table.setColumnWidth(1, 150)
        self.table.setColumnWidth(2, 520)
        self.values = line_edit("New values", "amend: e.g. sbp=152 hr=80", 260)
        self.reason = line_edit("Correction reason", "reason (required)", 260)
        self.amend_button = button("Amend", slot=self.amend)
        self.strike_button = button("Strike", slot=self.strike)
        self.artifact_button = button("Flag artifact", slot=self.flag_artifact)
        self.general = error_label("Correction error")
        self.errors = InlineErrors(self.general, {})
        self.selected_text = label("", "dim", name="Selected entry")
        self.table.itemSelectionChanged.connect(self._on_selection)

    def _layout(self) -> None:
        box = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(label("Show", "dim"))
        top.addWidget(self.filter)
        top.addWidget(self.selected_text, 1)
        box.addLayout(top)
        box.addWidget(self.table, 1)
        edit = QHBoxLayout()
        for w in (self.values, self.reason, self.amend_button, self.strike_button,
                  self.artifact_button):
            edit.addWidget(w)
        edit.addStretch(1)
        box.addLayout(edit)
        box.addWidget(self.general)

    def refresh(self) -> None:
        s = self.recorder.session
        wanted = FILTERS[self.filter.currentText()]
        events = [e for e in s.events if wanted is None or e.kind in wanted]
        events.sort(key=lambda e: (e.observed_at, e.seq))
        selected = self.selected_event()
        self._rows = events
        self.table.setRowCount(len(events))
        t = theme.current()
        for row, ev in enumerate(events):
            entry = s.entries.get(ev.seq)
            status = entry.status if entry else ""
            addendum = " (addendum)" if entry is not None and entry.addendum else ""
            what = describe(ev.kind, entry.payload if entry else ev.payload)
            if entry is not None and entry.amended:
                what += f"   [was: {describe(ev.kind, entry.corrections[0].payload['old'])}]"
            cells = (ev.observed_at.astimezone().strftime("%H:%M:%S"),
                     ev.kind.value.replace("_", " "), what, ev.author, ev.source,
                     status + addendum)
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if status == "struck":
                    font = QFont(item.font())
                    font.setStrikeOut(True)
                    item.setFont(font)
                    item.setForeground(QColor(t.dim))
                elif status in ("amended", "artifact"):
                    font = QFont(item.font())
                    font.setItalic(True)
                    item.setFont(font)
                    item.setForeground(QColor(theme.PRIORITY_COLOR["medium"]))
                elif ev.source == "rules":
                    item.setForeground(QColor(t.dim))
                item.setData(Qt.ItemDataRole.UserRole, ev.seq)
                self.table.setItem(row, col, item)
        if selected is not None:
            self.select_seq(selected.seq)

    def selected_event(self) -> Event | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self._rows):
            return None
        return self._rows[rows[0].row()]

    def select_seq(self, seq: int) -> bool:
        for row, ev in enumerate(self._rows):
            if ev.seq == seq:
                self.table.selectRow(row)
                return True
        return False

    def _on_selection(self) -> None:
        ev = self.selected_event()
        self.selected_text.setText("" if ev is None else f"Selected: {ev.entry_id}")

    def _target(self) -> int:
        ev = self.selected_event()
        if ev is None:
            raise ValidationError([FieldError("target", "Entry", "", "select an entry first")])
        return ev.seq

    def _after(self, done: object) -> None:
        if done is not None:
            self.values.clear()
            self.reason.clear()

    def amend(self) -> None:
        self._after(self.errors.call(lambda: self.recorder.amend(
            self._nurse(), self._target(), parse_amendment(self.values.text()),
            self.reason.text())))

    def strike(self) -> None:
        self._after(self.errors.call(lambda: self.recorder.strike(
            self._nurse(), self._target(), self.reason.text())))

    def flag_artifact(self) -> None:
        self._after(self.errors.call(lambda: self.recorder.flag_artifact(
            self._nurse(), self._target(), self.reason.text())))

    def is_half_typed(self) -> bool:
        return bool(self.values.text().strip() or self.reason.text().strip())


class AlarmHistory(QWidget):
    """Every alarm of the session with its acknowledgement and resolution."""

    COLUMNS = ("Raised", "Priority", "Message", "Acknowledged", "Action", "Resolved")

    def __init__(self, recorder: Recorder, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.recorder = recorder
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setHorizontalHeaderLabels(self.COLUMNS)
        self.table.setAccessibleName("Alarm history")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setColumnWidth(2, 420)
        box = QVBoxLayout(self)
        box.addWidget(self.table)

    def refresh(self) -> None:
        alarms = sorted(self.recorder.session.alarms.values(), key=lambda a: a.raised_at,
                        reverse=True)
        self.table.setRowCount(len(alarms))
        for row, a in enumerate(alarms):
            cells = (a.raised_at.astimezone().strftime("%H:%M:%S"),
                     f"{theme.PRIORITY_SYMBOL[a.priority]} {theme.PRIORITY_WORD[a.priority]}",
                     a.message,
                     f"{a.acknowledged_by} {a.acknowledged_at.astimezone():%H:%M:%S}"
                     if a.acknowledged_at else "", a.action or "",
                     a.resolved_at.astimezone().strftime("%H:%M:%S") if a.resolved_at
                     else "ACTIVE")
            for col, text in enumerate(cells):
                self.table.setItem(row, col, QTableWidgetItem(text))
