"""Ending: the discharge checklist (automatic checks plus the nurse's
confirmations), then close and sign (confirmed in a small modal); export
buttons for each format. A closed record's checklist and signing are off."""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QGridLayout, QLabel, QVBoxLayout

from monitor.discharge import ALDRETE_NURSE_ITEMS, automatic_checks
from monitor.errors import FieldError, ValidationError
from monitor.events import Event
from monitor.formats import FORMATS
from ui.common import theme
from ui.common.confirm import ConfirmDialog
from ui.common.forms import InlineErrors, RecorderPanel, button, error_label, hrow, label, line_edit
from ui.common.timefield import parse_clock_time


class DischargePanel(RecorderPanel):
    export_requested = Signal(str)


    def _setup_ui(self) -> None:
        self.state = label("", pt=14, bold=True, name="Discharge state")
        self.check_labels: dict[str, QLabel] = {}
        self.escort = QCheckBox("Escort present")
        self.advice = QCheckBox("No-driving advice given")
        for box in (self.escort, self.advice):
            box.setAccessibleName(box.text())
        # The two modified Aldrete items only the nurse can rate; the others come from the record.
        self.aldrete: dict[str, QComboBox] = {}
        for key, (name, levels) in ALDRETE_NURSE_ITEMS.items():
            combo = QComboBox()
            combo.addItem(f"{name}: not rated", None)
            for score in (2, 1, 0):
                combo.addItem(f"{name} {score}: {levels[score]}", score)
            combo.setAccessibleName(f"Aldrete {name.lower()}")
            combo.currentIndexChanged.connect(self.refresh)
            self.aldrete[key] = combo
        self.ready = line_edit("Ready to leave at", "HH:MM (blank = now)", 140)
        self.override = line_edit("Reason to discharge anyway",
                                  "reason, only if a check is not met", 360)
        self.discharge_button = button("Discharge", primary=True, slot=self.discharge)
        self.sign_nurse = line_edit("Signing nurse ID", "nurse ID to sign", 140)
        self.close_button = button("Close and sign…", "Close and sign", primary=True,
                                   slot=self.ask_close)
        self.dialog = ConfirmDialog(self, title="Close and sign")
        self.general = error_label("Discharge error")
        self.errors = InlineErrors(self.general, {})
        self.export_buttons = [button(f"Export {fmt.upper()}", f"Export {fmt}",
                                      slot=partial(self.export_requested.emit, fmt))
                               for fmt in FORMATS if fmt != "vital"]  # .vital: series view

    def _layout(self) -> None:
        box = QVBoxLayout(self)
        self.state.setWordWrap(True)
        box.addWidget(self.state)
        box.setSpacing(4)
        self.checks_grid = QGridLayout()
        self.checks_grid.setVerticalSpacing(0)
        box.addLayout(self.checks_grid)
        box.addLayout(hrow(*self.aldrete.values()))
        box.addLayout(hrow(self.escort, self.advice, label("Ready to leave at", "dim"),
                           self.ready))
        box.addLayout(hrow(self.override, self.discharge_button))
        box.addLayout(hrow(self.sign_nurse, self.close_button))
        box.addWidget(self.general)
        box.addLayout(hrow(label("Export", bold=True), *self.export_buttons))
        box.addStretch(1)

    def set_closed(self, closed: bool) -> None:
        """Its own buttons follow the phase (``refresh``); export stays on a signed record."""

    def refresh(self) -> None:
        s = self.recorder.session
        now = self.recorder.clock.now()
        phase = s.phase
        self.state.setText({
            "baseline": "Discharge comes after dosing and recovery.",
            "infusing": "End the infusion first (Infusion tab); recovery follows.",
            "recovery": "Recovery: check each item, then discharge.",
            "discharged": "Discharged. Close and sign to lock the record.",
            "closed": f"Closed and signed by {s.closed_by}; later entries are addenda.",
        }[phase])
        checks = automatic_checks(s, self.recorder.protocol, now, self._aldrete())
        for row, check in enumerate(checks):
            lab = self.check_labels.get(check.key)
            if lab is None:
                lab = label("", name=check.label)
                lab.setWordWrap(True)
                self.check_labels[check.key] = lab
                self.checks_grid.addWidget(lab, row, 0)
            mark, color = ("✓", theme.current().ok) if check.ok else (
                "✗", theme.PRIORITY_COLOR["medium"])
            lab.setText(f"{mark} {check.label}: {check.detail}")
            lab.setStyleSheet(f"color: {color};")
        in_recovery = phase == "recovery"
        for w in (self.escort, self.advice, self.ready, self.override, self.discharge_button,
                  *self.aldrete.values()):
            w.setEnabled(in_recovery)
        self.close_button.setEnabled(phase == "discharged")
        self.sign_nurse.setEnabled(phase == "discharged")

    def discharge(self) -> Event | None:
        try:
            ready = parse_clock_time(self.ready.text(), self.recorder.clock.now())
        except ValueError as exc:
            self.errors.show(ValidationError([FieldError("ready_to_leave_at",
                                                         "Ready to leave at", self.ready.text(),
                                                         str(exc))]))
            return None
        checklist = {"escort_present": self.escort.isChecked(),
                     "no_driving_advice": self.advice.isChecked(),
                     "ready_to_leave_at": ready or self.recorder.clock.now(),
                     "override_reason": self.override.text(), **self._aldrete()}
        event = self.errors.call(lambda: self.recorder.discharge(self._nurse(), checklist))
        self.refresh()
        return event

    def _aldrete(self) -> dict[str, int]:
        return {k: c.currentData() for k, c in self.aldrete.items() if c.currentData() is not None}

    def ask_close(self) -> None:
        who = self.sign_nurse.text().strip() or "—"
        self.dialog.ask(f"Close and sign this session as {who}? The record is then locked: "
                        "later entries are addenda.", self.close_session,
                        confirm_text="Close and sign")

    def close_session(self) -> Event | None:
        event = self.errors.call(lambda: self.recorder.close(self.sign_nurse.text()))
        self.refresh()
        return event
