"""Start: resume an open session, or open a new one with inline validation.
Nothing is chosen for the nurse: indication and protocol start empty, the
indication suggests its protocol, Enter in a field moves to the next one and
only the button (or Enter on it) opens the session."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from monitor.clinical.patient_details import SEXES
from monitor.model.session import Phase
from monitor.record.recorder import INDICATIONS, Recorder
from monitor.record.service import Service
from ui.common import theme
from ui.common.enter_chain import enter_moves_on
from ui.common.forms import InlineErrors, button, error_label, label, line_edit
from ui.common.input_filter import quiet_wheel
from ui.session.background import Left
from ui.start.session_look import session_look

FORM = (("patient_id", "Patient identifier (MRN or pseudonym)"), ("display_name", "Display name"),
        ("weight_kg", "Weight kg"), ("nurse_id", "Nurse ID"))
CHOOSE = "— choose —"
# The protocol an indication usually follows; the nurse can still pick another.
SUGGESTED_PROTOCOL = {"CRPS": "chronic-pain-iv", "fibromyalgia": "chronic-pain-iv",
                      "neuropathic pain": "chronic-pain-iv", "depression": "depression-iv"}


class StartPage(QWidget):
    session_opened = Signal(object)  # Recorder
    # Alarms right after the patient: never behind a horizontal scroll bar.
    COLUMNS = ("Session", "Patient", "Active alarms", "Phase", "Started", "Entries",
               "REMS form due")
    KEYS = ("session_id", "patient_id", "active_alarms", "phase", "started", "entries",
            "rems_due")

    def __init__(self, service: Service, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        # The recorder of a session still watched in the background, if any (reopened
        # as it is: never a second recorder on one session).
        self.reuse: Callable[[str], Recorder | None] = lambda _sid: None
        self.rows: list[dict[str, Any]] = []
        self.protocols = service.protocols
        self._setup_ui()
        self._layout()
        quiet_wheel(self)
        self.refresh()

    def _setup_ui(self) -> None:
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setHorizontalHeaderLabels(self.COLUMNS)
        self.table.setAccessibleName("Recent sessions")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)  # the rest as wide as their text: never "2026-…"
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.doubleClicked.connect(lambda _i: self.resume_selected())
        # A choice made answers "Select a session in the list first" (no stale refusal).
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.resume_button = button("Open selected session", slot=self.resume_selected)
        self.edits = {key: line_edit(title, title) for key, title in FORM}
        self.indication = QComboBox()
        self.indication.addItem(CHOOSE, None)
        for indication in INDICATIONS:
            self.indication.addItem(indication, indication)
        self.indication.setAccessibleName("Indication")
        self.indication.currentIndexChanged.connect(lambda _i: self._suggest_protocol())
        self.indication_text = line_edit("Indication (other)", "describe when 'other'")
        self.protocol = QComboBox()
        self.protocol.addItem(CHOOSE, None)
        for pid, proto in sorted(self.protocols.protocols.items()):
            self.protocol.addItem(proto.name, pid)
        self.protocol.setAccessibleName("Protocol")
        # The REMS form asks for date of birth and sex: optional, shown for a REMS protocol.
        self.dob = line_edit("Date of birth", "YYYY-MM-DD (optional, REMS form)", 220)
        self.sex = QComboBox()
        self.sex.addItem("Sex: not given", None)
        for sex in SEXES:
            self.sex.addItem(sex, sex)
        self.sex.setAccessibleName("Sex")
        self.protocol.currentIndexChanged.connect(lambda _i: self._show_rems_fields())
        self.spo2_scale2 = QCheckBox("SpO2 scale 2 (prescribed 88–92 % target)")
        self.spo2_scale2.setAccessibleName("SpO2 scale 2")
        self.start_button = button("Open new session", primary=True, slot=self.open_new)
        # Enter in a field or on a closed list moves to the next one (never opens the
        # session): the "other" text only when shown, the REMS fields only for REMS.
        enter_moves_on([*self.edits.values(), self.indication, self.indication_text,
                        self.protocol, self.dob, self.sex, self.spo2_scale2,
                        self.start_button])
        self.field_errors = {key: error_label(f"{title} error") for key, title in FORM}
        self.field_errors["indication_text"] = error_label("Indication error")
        self.field_errors["protocol"] = error_label("Protocol error")
        self.field_errors["date_of_birth"] = error_label("Date of birth error")
        self.field_errors["sex"] = error_label("Sex error")
        self.indication_text.hide()  # shown for "other"
        self.general = error_label("Start error")
        widgets = {**self.edits, "indication_text": self.indication_text,
                   "protocol": self.protocol, "date_of_birth": self.dob, "sex": self.sex}
        fields = {k: (widgets.get(k), lab) for k, lab in self.field_errors.items()}
        fields["weight"] = (self.edits["weight_kg"], self.field_errors["weight_kg"])
        # The indication's own message shows under it (the row its "other" text uses).
        fields["indication"] = (self.indication, self.field_errors["indication_text"])
        self.errors = InlineErrors(self.general, fields)
        titles = sorted(p.name for p in self.protocols.protocols.values())
        self.errors.allowed["protocol"] = "choose one from the list: " + "; ".join(titles)

    def _layout(self) -> None:
        box = QHBoxLayout(self)
        left = QVBoxLayout()
        left.addWidget(label("Sessions", pt=16, bold=True))
        left.addWidget(self.table, 1)
        left.addWidget(self.resume_button)
        box.addLayout(left, 3)
        form = QGridLayout()
        form.addWidget(label("New session", pt=16, bold=True), 0, 0, 1, 2)
        row = 1
        for key, title in FORM:
            form.addWidget(label(title, "dim"), row, 0)
            form.addWidget(self.edits[key], row, 1)
            form.addWidget(self.field_errors[key], row + 1, 1)
            row += 2
        form.addWidget(label("Indication", "dim"), row, 0)
        form.addWidget(self.indication, row, 1)
        form.addWidget(self.indication_text, row + 1, 1)
        form.addWidget(self.field_errors["indication_text"], row + 2, 1)
        form.addWidget(label("Protocol", "dim"), row + 3, 0)
        form.addWidget(self.protocol, row + 3, 1)
        form.addWidget(self.field_errors["protocol"], row + 4, 1)
        self.rems_row = QWidget()
        rems = QGridLayout(self.rems_row)
        rems.setContentsMargins(0, 0, 0, 0)
        rems.addWidget(self.dob, 0, 0)
        rems.addWidget(self.sex, 0, 1)
        rems.addWidget(self.field_errors["date_of_birth"], 1, 0)
        rems.addWidget(self.field_errors["sex"], 1, 1)
        self.rems_row.hide()
        form.addWidget(self.rems_row, row + 5, 1)
        form.addWidget(self.spo2_scale2, row + 6, 1)
        form.addWidget(self.start_button, row + 7, 1)
        form.addWidget(self.general, row + 8, 0, 1, 2)
        form.setRowStretch(row + 9, 1)
        box.addLayout(form, 2)

    def refresh(self, left: Mapping[str, Left] | None = None) -> None:
        """The sessions; ``left`` holds how the sessions left from this window stand:
        a session still dosing or alarming stands out by word and colour."""
        rows = self.service.sessions()
        rows.sort(key=lambda r: (r["phase"] == Phase.CLOSED, r["started"]), reverse=False)
        self.rows = rows
        self.table.setRowCount(len(rows))
        for i, r in enumerate(rows):
            for j, key in enumerate(self.KEYS):
                self.table.setItem(i, j, QTableWidgetItem(str(r[key])))
        self.show_alarms(left or {})
        self.table.resizeColumnsToContents()
        if rows and not self.table.selectionModel().selectedRows():
            # The highlighted row is the selection: the first when none was chosen.
            self.table.selectRow(max(self.table.currentRow(), 0))

    def show_alarms(self, left: Mapping[str, Left]) -> None:
        """Colour each row by its session's worst alarm (live for the sessions still
        watched in the background), in place: the selection stays."""
        for i, r in enumerate(self.rows):
            look = session_look(r, left.get(str(r["session_id"])))
            for j in range(len(self.KEYS)):
                item = self.table.item(i, j)
                if item is None:
                    continue
                if j == self.KEYS.index("active_alarms"):
                    item.setText(look.text)
                bold = item.font()
                bold.setBold(look.priority is not None)
                item.setFont(bold)
                if look.priority:
                    item.setBackground(QColor(theme.PRIORITY_COLOR[look.priority]))
                    item.setForeground(QColor(theme.PRIORITY_TEXT[look.priority]))
                else:
                    item.setBackground(QBrush())
                    item.setForeground(QBrush())

    def _selection_changed(self) -> None:
        if self.table.selectionModel().selectedRows():
            self.errors.clear()

    def resume_selected(self) -> Recorder | None:
        rows = [r.row() for r in self.table.selectionModel().selectedRows()]
        row = rows[0] if rows else self.table.currentRow()   # the row shown highlighted
        if row < 0:
            self.general.setText("Select a session in the list first")
            self.general.show()
            return None
        item = self.table.item(row, 0)
        if item is None:
            return None
        sid = item.text()
        rec = self.reuse(sid) or self.errors.call(lambda: self.service.resume(sid))
        if rec is not None:
            self.session_opened.emit(rec)
        return rec

    def open_new(self) -> Recorder | None:
        fields: dict[str, Any] = {k: e.text() for k, e in self.edits.items()}
        fields["indication"] = self.indication.currentData()
        fields["indication_text"] = self.indication_text.text()
        fields["protocol"] = self.protocol.currentData()
        if self.spo2_scale2.isChecked():
            fields["spo2_scale"] = 2
        if self.rems_row.isVisibleTo(self):
            fields["date_of_birth"] = self.dob.text()
            fields["sex"] = self.sex.currentData()
        rec = self.errors.call(lambda: self.service.open_new(fields))
        if rec is not None:
            self.clear_form()
            self.session_opened.emit(rec)
        return rec

    def clear_form(self) -> None:
        for e in (*self.edits.values(), self.indication_text, self.dob):
            e.clear()
        self.sex.setCurrentIndex(0)
        self.spo2_scale2.setChecked(False)
        self.indication.setCurrentIndex(0)
        self.protocol.setCurrentIndex(0)
        self.errors.clear()

    def _suggest_protocol(self) -> None:
        pid = SUGGESTED_PROTOCOL.get(str(self.indication.currentData()))
        index = self.protocol.findData(pid) if pid else -1
        if index >= 0:
            self.protocol.setCurrentIndex(index)
        self.indication_text.setVisible(self.indication.currentData() == "other")

    def _show_rems_fields(self) -> None:
        proto = self.protocols.protocols.get(str(self.protocol.currentData()))
        self.rems_row.setVisible(proto is not None and proto.rems.applies)

    def focus_first(self) -> None:
        self.edits["patient_id"].setFocus()
