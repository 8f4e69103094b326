"""The log: every entry in time order with filters. Select one to amend (in a
form of that entry's fields), strike or flag as artifact with a reason;
struck and amended entries stay visible as such."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from monitor.bulk import bulk
from monitor.describe import describe
from monitor.errors import FieldError, ValidationError
from monitor.events import ALARM_KINDS, CORRECTION_KINDS, Event, EventKind
from monitor.recorder import Change, Recorder
from monitor.rules.artifacts import ENDED_REASON, STRUCK_REASON
from monitor.session import Session
from ui.common import theme
from ui.common.forms import InlineErrors, RecorderPanel, button, error_label, hrow, label, line_edit
from ui.common.texts import clock
from ui.session.amend_dialog import AmendDialog
from ui.session.artifact_dialog import ArtifactDialog
from ui.session.limit_editor import LimitEditor

FILTERS = {
    "All": None,
    "Vitals": {EventKind.VITALS},
    "Assessments": {EventKind.ASSESSMENT},
    "Infusion": {EventKind.INFUSION_STARTED, EventKind.RATE_CHANGED, EventKind.INFUSION_PAUSED,
                 EventKind.INFUSION_RESUMED, EventKind.BOLUS, EventKind.INFUSION_STOPPED},
    "Events & notes": {EventKind.MEDICATION, EventKind.QUICK_EVENT, EventKind.NOTE},
    "Alarms": set(ALARM_KINDS) | {EventKind.SOUND_MODE_CHANGED},
    "Corrections": set(CORRECTION_KINDS) | {EventKind.LIMIT_CHANGED},
}
COLUMNS = ("Time", "Kind", "What", "By", "Source", "Status")


def _order(ev: Event) -> tuple[datetime, int]:
    return ev.observed_at, ev.seq


class LogModel(QAbstractTableModel):
    """The session's events as rows, cells computed on demand (a 24 h session has
    ~90,000 events: no per-cell items are kept)."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.wanted: set[EventKind] | None = None
        self.rows: list[Event] = []

    def set_filter(self, wanted: set[EventKind] | None) -> None:
        self.wanted = wanted
        self.reload()

    def _keep(self, ev: Event) -> bool:
        return self.wanted is None or ev.kind in self.wanted

    def reload(self) -> None:
        """Every row again (first show, a filter, a rebuild)."""
        self.beginResetModel()
        with bulk():  # a key per row of a 24 h session: no collector passes meanwhile
            events = [e for e in self.session.events if self._keep(e)]
            events.sort(key=_order)
        self.rows = events
        self.endResetModel()

    def apply(self, change: Change) -> None:
        """Insert the change's new events in time order; reload everything when the
        session was rebuilt (a correction changes earlier rows)."""
        if change.rebuilt:
            self.reload()
            return
        for ev in change.events:
            if self._keep(ev):
                row = bisect_right(self.rows, _order(ev), key=_order)  # back-dated: earlier
                self.beginInsertRows(QModelIndex(), row, row)
                self.rows.insert(row, ev)
                self.endInsertRows()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()  # noqa: B008
                 ) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()  # noqa: B008
                    ) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None

    def cell(self, row: int, col: int) -> str:
        ev = self.rows[row]
        entry = self.session.entries.get(ev.seq)
        if col == 0:
            return clock(ev.observed_at)
        if col == 1:
            return ev.kind.value.replace("_", " ")
        if col == 2:
            what = describe(ev.kind, entry.payload if entry else ev.payload)
            if entry is not None and entry.amended:
                what += f"   [was: {describe(ev.kind, entry.corrections[0].payload['old'])}]"
            return what
        if col == 3:
            return ev.author
        if col == 4:
            return ev.source
        status = entry.status if entry else ""
        return status + (" (addendum)" if entry is not None and entry.addendum else "")

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.cell(index.row(), index.column())
        ev = self.rows[index.row()]
        entry = self.session.entries.get(ev.seq)
        status = entry.status if entry else ""
        if role == Qt.ItemDataRole.ForegroundRole:
            if status == "struck" or (ev.source == "rules" and status == ""):
                return QColor(theme.current().dim)
            if status in ("amended", "artifact"):
                return QColor(theme.PRIORITY_COLOR["medium"])
        if role == Qt.ItemDataRole.FontRole and status in ("struck", "amended", "artifact"):
            font = QFont()
            font.setStrikeOut(status == "struck")
            font.setItalic(status != "struck")
            return font
        return None


class LogView(RecorderPanel):
    def __init__(self, recorder: Recorder, nurse: Callable[[], str],
                 parent: QWidget | None = None) -> None:
        super().__init__(recorder, nurse, parent)
        self.model.reload()

    def _setup_ui(self) -> None:
        self.filter = QComboBox()
        self.filter.addItems(list(FILTERS))
        self.filter.setAccessibleName("Log filter")
        self.model = LogModel(self.recorder.session, self)
        self.filter.currentIndexChanged.connect(
            lambda _i: self.model.set_filter(FILTERS[self.filter.currentText()]))
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName("Session log")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(26)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setColumnWidth(0, 60)
        self.table.setColumnWidth(1, 130)
        self.table.setColumnWidth(2, 360)
        self.table.setMinimumHeight(26 * 9 + 30)  # at least 8 rows and the header
        self.amend_dialog: AmendDialog | None = None
        self.artifact_dialog: ArtifactDialog | None = None
        self.reason = line_edit("Correction reason", "reason to strike or flag (required)",
                                260)
        self.amend_button = button("Amend…", "Amend", slot=self.amend)
        self.strike_button = button("Strike", slot=self.strike)
        self.artifact_button = button("Flag artifact…", "Flag artifact", slot=self.flag_artifact)
        self.general = error_label("Correction error")
        self.errors = InlineErrors(self.general, {})
        self.selected_text = label("", "dim", name="Selected entry", fit=True)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._on_selection())

    def _layout(self) -> None:
        box = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(label("Show", "dim"))
        top.addWidget(self.filter)
        top.addWidget(self.selected_text, 1)
        box.addLayout(top)
        box.addWidget(self.table, 1)
        box.addLayout(hrow(self.amend_button, self.reason, self.strike_button,
                           self.artifact_button))
        box.addWidget(self.general)

    def apply(self, change: Change) -> None:
        """Show what a notification changed; the selected entry stays selected."""
        selected = self.selected_event() if change.rebuilt else None
        self.model.apply(change)
        if selected is not None:
            self.select_seq(selected.seq)

    @property
    def _rows(self) -> list[Event]:
        return self.model.rows

    def selected_event(self) -> Event | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.model.rows):
            return None
        return self.model.rows[rows[0].row()]

    def select_seq(self, seq: int) -> bool:
        for row, ev in enumerate(self.model.rows):
            if ev.seq == seq:
                self.table.selectRow(row)
                self.table.scrollTo(self.model.index(row, 0))
                return True
        return False

    def _on_selection(self) -> None:
        ev = self.selected_event()
        if ev is None:
            self.selected_text.setText("")
            return
        entry = self.recorder.session.entries.get(ev.seq)
        what = describe(ev.kind, entry.payload if entry else ev.payload)
        self.selected_text.setText(f"Selected: {ev.kind.value.replace('_', ' ')} "
                                   f"{clock(ev.observed_at)} · {what}")

    def _target(self) -> int:
        ev = self.selected_event()
        if ev is None:
            raise ValidationError([FieldError("target", "Entry", "", "select an entry first")])
        return ev.seq

    def _after(self, done: object) -> None:
        if done is not None:
            self.reason.clear()

    def amend(self) -> AmendDialog | None:
        """Open the form for the selected entry's kind, prefilled."""
        seq = self.errors.call(self._target)
        if seq is None:
            return None
        entry = self.recorder.session.entries.get(seq)
        if entry is None:
            return None
        self.amend_dialog = AmendDialog(self.recorder, entry, self._nurse(), self)
        self.amend_dialog.open()
        return self.amend_dialog

    def strike(self) -> None:
        self._after(self.errors.call(lambda: self.recorder.strike(
            self._nurse(), self._target(), self.reason.text())))

    def flag_artifact(self) -> ArtifactDialog | None:
        """Ask which values of the selected reading are wrong, show which alarms the
        flag ends, then confirm (a non-reading is refused by the core, with why)."""
        seq = self.errors.call(self._target)
        entry = self.recorder.session.entries.get(seq) if seq is not None else None
        if seq is None or entry is None:
            return None
        if entry.kind not in (EventKind.VITALS, EventKind.ASSESSMENT) or entry.struck:
            self.errors.call(lambda: self.recorder.check_flag(
                self._nurse(), seq, self.reason.text(), None))
            return None
        self.artifact_dialog = ArtifactDialog(self.recorder, entry, self._nurse(),
                                              self.reason.text(), self)
        self.artifact_dialog.accepted.connect(self.reason.clear)
        self.artifact_dialog.open()
        return self.artifact_dialog

    def set_closed(self, closed: bool) -> None:
        """A signed record is read, not corrected: the log stays, its corrections go."""
        for w in (self.amend_button, self.reason, self.strike_button, self.artifact_button):
            w.setEnabled(not closed)

    def is_half_typed(self) -> bool:
        return bool(self.reason.text().strip()) or bool(
            self.amend_dialog is not None and self.amend_dialog.isVisible()
            and self.amend_dialog.changed())


class AlarmHistory(QWidget):
    """Every alarm of the session with its acknowledgement and resolution, and
    the session's alarm limits."""

    COLUMNS = ("Raised", "Priority", "Message", "Acknowledged", "Action", "Resolved")

    def __init__(self, recorder: Recorder, nurse: Callable[[], str],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.recorder = recorder
        self.limits = LimitEditor(recorder, nurse)
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setHorizontalHeaderLabels(self.COLUMNS)
        self.table.setAccessibleName("Alarm history")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setColumnWidth(0, 60)
        self.table.setColumnWidth(1, 90)
        self.table.setColumnWidth(2, 300)
        self.table.setMinimumHeight(26 * 5 + 30)
        box = QVBoxLayout(self)
        box.addWidget(self.table, 1)
        box.addWidget(self.limits)

    def set_closed(self, closed: bool) -> None:
        """A signed record's limits no longer change; its history stays readable."""
        self.limits.set_closed(closed)

    def refresh(self) -> None:
        self.limits.refresh_offer()
        alarms = sorted(self.recorder.session.alarms.values(), key=lambda a: a.raised_at,
                        reverse=True)
        ev = self.recorder.last_evaluation  # an active alarm reads as in the banner
        self.table.setRowCount(len(alarms))
        for row, a in enumerate(alarms):
            cells = (clock(a.raised_at),
                     f"{theme.PRIORITY_SYMBOL[a.priority]} {theme.PRIORITY_WORD[a.priority]}",
                     ev.alarm_text(a) if a.active else a.message,
                     f"{a.acknowledged_by} {clock(a.acknowledged_at)}"
                     if a.acknowledged_at else "", a.action or "",
                     (f"{clock(a.resolved_at)} ({a.resolved_reason})"
                      if a.resolved_reason in (ENDED_REASON, STRUCK_REASON)
                      else clock(a.resolved_at))
                     if a.resolved_at else "ACTIVE")
            for col, text in enumerate(cells):
                self.table.setItem(row, col, QTableWidgetItem(text))
