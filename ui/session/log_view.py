"""The log: every entry in time order with filters. Select one to amend (in a
form of that entry's fields), strike or flag as artifact with a reason;
struck and amended entries stay visible as such. A long session's log opens at
its newest row, dates its times once it crosses midnight, and shows a minute of
1 Hz device samples as one row unless the nurse asks for every sample."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from datetime import datetime
from operator import attrgetter

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from monitor.clinical.describe import REFERRING, AlarmNames, describe
from monitor.clinical.rules.artifacts import ENDED_REASON, STRUCK_REASON
from monitor.errors import FieldError, ValidationError
from monitor.model.bulk import bulk
from monitor.model.events import ALARM_KINDS, CORRECTION_KINDS, Event, EventKind
from monitor.model.session import Priority, Session
from monitor.record.recorder import Change, Recorder
from ui.common import theme
from ui.common.forms import InlineErrors, RecorderPanel, button, error_label, hrow, label, line_edit
from ui.common.texts import clock
from ui.session.amend_dialog import AmendDialog
from ui.session.artifact_dialog import ArtifactDialog
from ui.session.limit_editor import LimitEditor
from ui.session.log_heights import RowHeights
from ui.session.log_rows import (
    DeviceMinute,
    Row,
    build_rows,
    is_device_sample,
    is_manual,
    minute_of,
    row_key,
    spans_days,
    time_text,
)
from ui.session.log_table import STRETCH, LogTable, WideTable, fit_columns, fit_to_width

MANUAL = "Manual entries"
# Kinds that come in any session sooner or later: the Kind column has room for them
PROBABLE_KINDS = (EventKind.ALARM_ACKNOWLEDGED, EventKind.ASSESSMENT, EventKind.AMENDED)
FILTERS: dict[str, set[EventKind] | None] = {
    "All": None,
    "Vitals": {EventKind.VITALS},
    "Assessments": {EventKind.ASSESSMENT},
    "Infusion": {EventKind.INFUSION_STARTED, EventKind.RATE_CHANGED, EventKind.INFUSION_PAUSED,
                 EventKind.INFUSION_RESUMED, EventKind.BOLUS, EventKind.INFUSION_STOPPED},
    "Events & notes": {EventKind.MEDICATION, EventKind.QUICK_EVENT, EventKind.NOTE},
    "Alarms": set(ALARM_KINDS) | {EventKind.SOUND_MODE_CHANGED},
    "Corrections": set(CORRECTION_KINDS) | {EventKind.LIMIT_CHANGED},
    MANUAL: None,  # every kind, typed or picked by a person (no device or rule rows)
}
COLUMNS = ("Time", "Kind", "What", "By", "Source", "Status")


class LogModel(QAbstractTableModel):
    """The session's events as rows, cells computed on demand (a 24 h session has
    ~90,000 events: no per-cell items are kept)."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.wanted: set[EventKind] | None = None
        self.manual_only = False
        self.fold = False  # a minute of device samples as one row
        self.dated = False  # the session spans more than one day: times carry the date
        self.rows: list[Row] = []
        self._minutes: dict[datetime, DeviceMinute] = {}
        self._names: AlarmNames | None = None  # built when an alarm's event is first shown
        self._what: dict[int, str] = {}  # seq -> What, until a correction folds again

    def set_filter(self, wanted: set[EventKind] | None, *, manual_only: bool = False) -> None:
        self.wanted = wanted
        self.manual_only = manual_only
        self.reload()

    def set_fold(self, fold: bool) -> None:
        self.fold = fold
        self.reload()

    def _keep(self, ev: Event) -> bool:
        return (self.wanted is None or ev.kind in self.wanted) and (
            not self.manual_only or is_manual(ev))

    def _spans_days(self) -> bool:
        events = self.session.events
        return bool(events) and spans_days(events[0].observed_at, events[-1].observed_at)

    def reload(self) -> None:
        """Every row again (first show, a filter, a rebuild)."""
        self.beginResetModel()
        with bulk():  # a key per row of a 24 h session: no collector passes meanwhile
            everything = self.wanted is None and not self.manual_only
            events = (self.session.events if everything
                      else [e for e in self.session.events if self._keep(e)])
            self.rows, self._minutes = build_rows(events, self.fold)
        self.dated = self._spans_days()
        self.endResetModel()

    def apply(self, change: Change) -> None:
        """Insert the change's new events in time order; reload everything when the
        session was rebuilt (a correction changes earlier rows)."""
        if change.rebuilt:
            self._names = None
            self._what.clear()
        elif self._names is not None:
            self._names.add(change.events)
        if change.rebuilt or self._spans_days() != self.dated:  # midnight: dates on
            self.reload()
            return
        for ev in change.events:
            if not self._keep(ev):
                continue
            group = self._minutes.get(minute_of(ev)) if is_device_sample(ev) else None
            if group is not None:  # one more sample of a minute already shown
                group.add(ev)
                at = self._row_of(group)
                self.dataChanged.emit(self.index(at, 0), self.index(at, len(COLUMNS) - 1))
                continue
            item: Row = ev
            if self.fold and is_device_sample(ev):
                item = self._minutes[minute_of(ev)] = DeviceMinute(minute_of(ev), [ev])
            row = bisect_right(self.rows, row_key(item), key=row_key)  # back-dated: earlier
            self.beginInsertRows(QModelIndex(), row, row)
            self.rows.insert(row, item)
            self.endInsertRows()

    def column_texts(self) -> dict[int, set[str]]:
        """What each fixed column may show in this session (its widest sizes it)."""
        events = self.session.events
        last = events[-1].observed_at if events else datetime.now().astimezone()
        kinds = set(map(attrgetter("kind"), events)) | set(PROBABLE_KINDS)  # (C speed)
        return {
            0: {time_text(last.replace(day=28, hour=20), dated=self.dated,
                          seconds=not self.fold)},
            1: {k.value.replace("_", " ") for k in kinds} | {"vitals 1 min ×60"},
            3: set(map(attrgetter("author"), events)),
            4: set(map(attrgetter("source"), events)),
            5: {"valid", "amended", "struck", "artifact"},
        }

    def _row_of(self, item: Row) -> int:
        """The row of an item, searched from the newest (where new samples land)."""
        for at in range(len(self.rows) - 1, -1, -1):
            if self.rows[at] is item:
                return at
        raise LookupError(item)

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
        item = self.rows[row]
        if isinstance(item, DeviceMinute):
            if len(item.events) > 1:
                return self._minute_cell(item, col)
            item = item.events[0]  # a minute of one sample is that sample
        return self._event_cell(item, col)

    def _event_cell(self, ev: Event, col: int) -> str:
        entry = self.session.entries.get(ev.seq)
        if col == 0:
            return time_text(ev.observed_at, dated=self.dated, seconds=is_device_sample(ev))
        if col == 1:
            return ev.kind.value.replace("_", " ")
        if col == 2:
            return self.what(ev)
        if col == 3:
            return ev.author
        if col == 4:
            return ev.source
        status = entry.status if entry else ""
        return status + (" (addendum)" if entry is not None and entry.addendum else "")

    def what(self, ev: Event) -> str:
        """An entry in words, an amended one with what it was; an alarm's acknowledgement
        or resolution names the alarm."""
        what = self._what.get(ev.seq)
        if what is None:
            what = self._what[ev.seq] = self._describe(ev)
        return what

    def _describe(self, ev: Event) -> str:
        if ev.kind in REFERRING:
            if self._names is None:
                self._names = AlarmNames(self.session.events)
            return describe(ev.kind, ev.payload, alarm=self._names.about(ev))
        entry = self.session.entries.get(ev.seq)
        what = describe(ev.kind, entry.payload if entry else ev.payload)
        if entry is not None and entry.amended:
            what += f"   [was: {describe(ev.kind, entry.corrections[0].payload['old'])}]"
        return what

    def _minute_cell(self, group: DeviceMinute, col: int) -> str:
        if col == 0:
            return time_text(group.minute, dated=self.dated)
        if col == 1:
            return group.kind()
        if col == 2:
            return group.summary()
        if col == 3:
            return ", ".join(sorted({e.author for e in group.events}))
        if col == 4:
            return "device"
        statuses = [s for e in group.events if (entry := self.session.entries.get(e.seq))
                    and (s := entry.status) and s != "valid"]
        return ", ".join(f"{statuses.count(s)} {s}" for s in sorted(set(statuses))) or "valid"

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self.cell(index.row(), index.column())
        item = self.rows[index.row()]
        ev = item if isinstance(item, Event) else item.events[-1]
        entry = self.session.entries.get(ev.seq)
        status = entry.status if entry else ""
        if role == Qt.ItemDataRole.ForegroundRole:
            if status == "struck" or (ev.source == "rules" and status == ""):
                return QColor(theme.current().dim)
            if status in ("amended", "artifact"):
                return QColor(theme.PRIORITY_COLOR[Priority.MEDIUM])
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
        self.model.fold = True
        self.filter.currentIndexChanged.connect(lambda _i: self._on_filter())
        self.every_sample = QCheckBox("Every device sample")
        self.every_sample.setAccessibleName("Every device sample")
        self.every_sample.setToolTip("Off: a minute of 1 Hz monitor samples is one row")
        self.every_sample.toggled.connect(lambda on: self._keep_place(
            lambda: self.model.set_fold(not on)))
        self.table = LogTable()
        self.table.setModel(self.model)
        self.model.modelReset.connect(self._fit)
        self.heights = RowHeights(self.table, self.model, STRETCH)  # after the widths
        self.table.setAccessibleName("Session log")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(26)
        self.table.setMinimumHeight(26 * 9 + 30)  # at least 8 rows and the header
        self._opened = False
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
        top.addWidget(self.every_sample)
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

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._opened:  # the log opens at its newest row
            self._opened = True
            self.table.scrollToBottom()
        self.heights.shown()

    def _fit(self) -> None:
        fit_columns(self.table, self.model.column_texts())

    def _on_filter(self) -> None:
        name = self.filter.currentText()
        self._keep_place(lambda: self.model.set_filter(FILTERS[name],
                                                       manual_only=name == MANUAL))

    def _keep_place(self, reload: Callable[[], None]) -> None:
        """Reload; the selected entry stays selected, else the newest row shows."""
        selected = self.selected_event()
        reload()
        if selected is None or not self.select_seq(selected.seq):
            self.table.scrollToBottom()

    @property
    def _rows(self) -> list[Row]:
        return self.model.rows

    def _selected_row(self) -> Row | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.model.rows):
            return None
        return self.model.rows[rows[0].row()]

    def selected_event(self) -> Event | None:
        """The selected entry; a folded minute of samples is none (unless it holds one)."""
        row = self._selected_row()
        if isinstance(row, DeviceMinute):
            return row.events[0] if len(row.events) == 1 else None
        return row

    def select_seq(self, seq: int) -> bool:
        for row, item in enumerate(self.model.rows):
            if item.seq == seq or (isinstance(item, DeviceMinute)
                                   and any(e.seq == seq for e in item.events)):
                self.table.selectRow(row)
                self.table.scrollTo(self.model.index(row, 0))
                return True
        return False

    def _on_selection(self) -> None:
        ev = self.selected_event()
        if ev is None:
            row = self._selected_row()
            self.selected_text.setText(
                f"Selected: {len(row.events)} device samples of "
                f"{time_text(row.minute, dated=self.model.dated)} · tick "
                "\"Every device sample\" to correct one" if isinstance(row, DeviceMinute) else "")
            return
        self.selected_text.setText(f"Selected: {ev.kind.value.replace('_', ' ')} "
                                   f"{time_text(ev.observed_at, dated=self.model.dated)} · "
                                   f"{self.model.what(ev)}")

    def _target(self) -> int:
        ev = self.selected_event()
        if ev is None:
            folded = isinstance(self._selected_row(), DeviceMinute)
            raise ValidationError([FieldError(
                "target", "Entry", "",
                "a row of one minute's device samples: tick \"Every device sample\" and "
                "select one" if folded else "select an entry first")])
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
        self.table = WideTable(0, len(self.COLUMNS), wanted=820)
        self.table.setHorizontalHeaderLabels(self.COLUMNS)
        self.table.setAccessibleName("Alarm history")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        fit_to_width(self.table, stretch=2)  # no sideways scrolling: Message wraps
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
        self.table.resizeRowsToContents()
