"""Ending: the discharge checklist (automatic checks plus the nurse's
confirmations), then close and sign (confirmed in a small modal); export
buttons for each format. A closed record's checklist and signing are off.

With any check unmet, the discharge is a different act (CLINICAL §7): the nurse
chooses a prescriber's decision (name and reason) or "left against advice", and a
modal lists every unmet item before anything is stored. Once discharged, the panel
shows what was saved (Aldrete, ticks, ready time, how the patient left)."""

from __future__ import annotations

from datetime import datetime
from functools import partial

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QGridLayout, QLabel, QSizePolicy, QVBoxLayout

from monitor.clinical.discharge import (
    ALDRETE_NURSE_ITEMS,
    NURSE_CONFIRMS,
    READY_TO_LEAVE,
    automatic_checks,
    saved_checks,
)
from monitor.clinical.discharge_override import OVERRIDES, discharge_text
from monitor.errors import ConfirmationNeeded, FieldError, ValidationError
from monitor.export.formats import FORMATS
from monitor.model.events import Event
from monitor.model.session import Phase, Priority
from ui.common import theme
from ui.common.confirm import ConfirmDialog
from ui.common.forms import InlineErrors, RecorderPanel, button, error_label, hrow, label, line_edit
from ui.common.timefield import parse_clock_time
from ui.session.discharge_confirm import UnmetDialog
from ui.session.discharge_words import concisely, headline


class DischargePanel(RecorderPanel):
    export_requested = Signal(str)


    def _setup_ui(self) -> None:
        self.state = label("", pt=13, bold=True, name="Discharge state")
        self.check_labels: dict[str, QLabel] = {}
        self.escort = QCheckBox(NURSE_CONFIRMS["escort_present"])
        self.advice = QCheckBox(NURSE_CONFIRMS["no_driving_advice"])
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
        self.ready = line_edit(READY_TO_LEAVE, "HH:MM (blank = now)", 140)
        # Only when a check is not met: who decided, or that the patient left against advice.
        self.override_kind = QComboBox()
        self.override_kind.addItem("All criteria met", None)
        for key, text in OVERRIDES.items():
            self.override_kind.addItem(text[0].upper() + text[1:], key)
        self.override_kind.setAccessibleName("Discharge before the criteria are met")
        # Short: the row must keep the reason field inside the panel at 1280×800.
        self.override_kind.setPlaceholderText("Choose…")
        self.override_kind.currentIndexChanged.connect(lambda _i: self._on_basis())
        self.prescriber = line_edit("Prescriber", "prescriber's name", 160)
        self.override = line_edit("Reason to discharge before the criteria are met",
                                  "the prescriber's reason (at least 3 words)")
        self.override.setMinimumWidth(200)
        self.ended = label("", bold=True, name="How the patient left")
        self.ended.setWordWrap(True)
        self.unmet_dialog = UnmetDialog(self)
        self._shown: list[str] | None = None  # the unmet list the nurse was last shown
        self._refused = False  # a discharge refusal is shown: it follows the panel
        self._minute: datetime | None = None  # the minute of the last refresh
        self.discharge_button = button("Discharge", primary=True, slot=self.discharge)
        self.sign_nurse = line_edit("Signing nurse ID", "nurse ID to sign", 140)
        self.sign_nurse.returnPressed.connect(self.ask_close)  # Enter presses Close and sign
        self.close_button = button("Close and sign…", "Close and sign", primary=True,
                                   slot=self.ask_close)
        self.dialog = ConfirmDialog(self, title="Close and sign")
        self.general = error_label("Discharge error")
        self.errors = InlineErrors(self.general, {})
        self.errors.on_confirm = self._ask_unmet
        self.sign_nurse.textEdited.connect(lambda _t: self.errors.clear())  # no stale refusal
        for box in (self.escort, self.advice):
            box.toggled.connect(lambda _on: self._follow_refusal())
        for field in (self.ready, self.prescriber, self.override):
            field.textEdited.connect(lambda _t: self._follow_refusal())
        self.export_buttons = [button(f"Export {fmt.upper()}", f"Export {fmt}",
                                      slot=partial(self.export_requested.emit, fmt))
                               for fmt in FORMATS if fmt != "vital"]  # .vital: series view

    def _layout(self) -> None:
        """The checks read from the top; the nurse's controls sit at the bottom, so a
        check that wraps to a second line (an Aldrete score chosen) or a refusal that
        appears grows into the room between them and moves no control she is about
        to click."""
        box = QVBoxLayout(self)
        box.setContentsMargins(6, 4, 6, 4)  # the panel must fit with the banner at its max
        self.state.setWordWrap(True)
        box.addWidget(self.state)
        box.setSpacing(3)
        self.checks_grid = QGridLayout()
        self.checks_grid.setVerticalSpacing(0)
        box.addLayout(self.checks_grid)
        box.addStretch(1)
        box.addWidget(self.general)
        box.addWidget(self.ended)
        box.addLayout(hrow(*self.aldrete.values()))
        box.addLayout(hrow(self.escort, self.advice, label(READY_TO_LEAVE, "dim"),
                           self.ready))
        basis = hrow(self.override_kind, self.prescriber, self.override, stretch=False)
        # As wide alone as beside the reason field, as tall: choosing moves nothing.
        self.override_kind.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        basis.setAlignment(self.override_kind, Qt.AlignmentFlag.AlignLeft)
        basis.addStrut(max(self.override_kind.sizeHint().height(),
                           self.override.sizeHint().height()))
        box.addLayout(basis)
        box.addLayout(hrow(self.discharge_button, self.sign_nurse, self.close_button))
        box.addLayout(hrow(label("Export", bold=True), *self.export_buttons))

    def set_closed(self, closed: bool) -> None:
        """Its own buttons follow the phase (``refresh``); export stays on a signed record."""

    def follow_clock(self, now: datetime) -> None:
        """Refreshed when the minute turns (the minimum observation's "1 of 60 min"),
        not only when something is recorded."""
        if now.replace(second=0, microsecond=0) != self._minute:
            self.refresh()

    def refresh(self) -> None:
        s = self.recorder.session
        now = self.recorder.clock.now()
        self._minute = now.replace(second=0, microsecond=0)
        phase = s.phase
        self.state.setText({
            Phase.BASELINE: "Discharge comes after dosing and recovery.",
            Phase.INFUSING: "End the infusion first (Infusion tab); recovery follows.",
            Phase.RECOVERY: "",  # the checks say it; their room is needed at 1366×768
            Phase.DISCHARGED: "Discharged. Close and sign to lock the record.",
            Phase.CLOSED: f"Closed and signed by {s.closed_by}; later entries are addenda.",
        }[phase])
        self.state.setVisible(bool(self.state.text()))
        if s.discharge:  # what was saved, as it was at discharge
            checks = saved_checks(s.discharge)
        else:
            checks = [headline(c, s, self.recorder.protocol, now)
                      for c in automatic_checks(s, self.recorder.protocol, now, self._aldrete())]
        for row, check in enumerate(checks):
            lab = self.check_labels.get(check.key)
            if lab is None:
                lab = label("", name=check.label)
                lab.setWordWrap(True)
                self.check_labels[check.key] = lab
                self.checks_grid.addWidget(lab, row, 0)
            mark, color = ("✓", theme.current().ok) if check.ok else (
                "✗", theme.PRIORITY_COLOR[Priority.MEDIUM])
            lab.setText(f"{mark} {check.label}: {check.detail}")
            lab.setStyleSheet(f"color: {color};")
        in_recovery = phase is Phase.RECOVERY
        if in_recovery:
            self._preselect_basis(all(c.ok for c in checks))
        for w in (self.escort, self.advice, self.ready, self.override_kind, self.prescriber,
                  self.override, self.discharge_button, *self.aldrete.values()):
            w.setEnabled(in_recovery)
        if not in_recovery:
            self._show_saved()
        else:
            self.ended.hide()  # an empty line would take the refusal's room
        self._show_override()
        self.close_button.setEnabled(phase is Phase.DISCHARGED)
        self.sign_nurse.setEnabled(phase is Phase.DISCHARGED)
        self._follow_refusal()

    def _on_basis(self) -> None:
        self._show_override()
        self._follow_refusal()

    def _follow_refusal(self) -> None:
        """A discharge refusal on screen is checked again on each change of the panel or
        the record: it says what is still missing, and goes once nothing is."""
        if not self._refused:
            return
        if self.recorder.session.phase is not Phase.RECOVERY or not self.general.isVisible():
            self._refused = False
            return
        self.errors.call(concisely(
            lambda: self.recorder.check_discharge(self._nurse(), self._checklist())))
        self._refused = self.general.isVisible()

    def _preselect_basis(self, all_met: bool) -> None:
        """The basis starts on the choice that matches: "All criteria met" only when they
        are; with any unmet, none (the nurse chooses). A choice she made stays."""
        if self.override_kind.currentData() is None:
            self.override_kind.setCurrentIndex(0 if all_met else -1)

    def _show_override(self) -> None:
        kind = self.override_kind.currentData()
        self.prescriber.setVisible(kind == "prescriber")
        self.override.setVisible(kind is not None)
        self.override.setPlaceholderText("the prescriber's reason (at least 3 words)"
                                         if kind == "prescriber" else "what happened (optional)")

    def _show_saved(self) -> None:
        """What the discharge recorded, in the controls that recorded it (a reopened
        session shows it too); the automatic checks are re-read above."""
        s = self.recorder.session
        d = s.discharge
        if not d:
            self.ended.hide()
            return
        for key, combo in self.aldrete.items():
            index = combo.findData(d.get("aldrete", {}).get(key))
            with QSignalBlocker(combo):  # no refresh from inside refresh
                combo.setCurrentIndex(max(index, 0))
        self.escort.setChecked(bool(d.get("escort_present")))
        self.advice.setChecked(bool(d.get("no_driving_advice")))
        ready = d.get("ready_to_leave_at")
        self.ready.setText(datetime.fromisoformat(ready).astimezone().strftime("%H:%M")
                           if ready else "")
        self.override_kind.setCurrentIndex(max(self.override_kind.findData(d.get("override")),
                                               0))
        self.prescriber.setText(d.get("prescriber") or "")
        self.override.setText(d.get("override_reason") or "")
        for field in (self.prescriber, self.override):
            field.setCursorPosition(0)  # a locked field shows the start of what was saved
        self.ended.setText(discharge_text(d))
        self.ended.show()

    def _checklist(self) -> dict[str, object]:
        """The panel's answers as the core takes them (a bad ready time: refused)."""
        try:
            ready = parse_clock_time(self.ready.text(), self.recorder.clock.now())
        except ValueError as exc:
            raise ValidationError([FieldError("ready_to_leave_at", "Ready to leave at",
                                              self.ready.text(), str(exc))]) from exc
        return {"escort_present": self.escort.isChecked(),
                "no_driving_advice": self.advice.isChecked(),
                "ready_to_leave_at": ready or self.recorder.clock.now(),
                "override": self.override_kind.currentData(),
                "prescriber": self.prescriber.text(),
                "override_reason": self.override.text(), **self._aldrete()}

    def discharge(self) -> Event | None:
        # Unmet items come back as ConfirmationNeeded: the modal lists them (_ask_unmet).
        self._shown = None
        event = self.errors.call(concisely(
            lambda: self.recorder.discharge(self._nurse(), self._checklist())))
        self._refused = self.general.isVisible()
        return self._discharged(event)

    def _ask_unmet(self, exc: ConfirmationNeeded) -> None:
        """Ask about the unmet items; asked again when they changed before the answer
        (the core compares the list the nurse confirmed with the list now)."""
        act = OVERRIDES.get(self.override_kind.currentData() or "", "")
        before, self._shown = self._shown, list(exc.warnings)
        self.unmet_dialog.ask_unmet(act, exc.warnings, lambda: self._confirmed(exc), before)

    def _confirmed(self, exc: ConfirmationNeeded) -> Event | None:
        return self._discharged(self.errors.call(exc.retry))

    def _discharged(self, event: Event | None) -> Event | None:
        """After a discharge the next step is the signature: the focus goes to its ID
        (Enter there presses Close and sign), not to the export button after the
        Discharge button that just locked."""
        self.refresh()
        if event is not None:
            self.sign_nurse.setFocus()
        return event

    def _aldrete(self) -> dict[str, int]:
        return {k: c.currentData() for k, c in self.aldrete.items() if c.currentData() is not None}

    def ask_close(self) -> None:
        """Check the signing nurse's ID first; only a valid one is asked about."""
        who = self.errors.call(lambda: self.recorder.check_close(self.sign_nurse.text()))
        if who is None:
            return
        self.dialog.ask(f"Close and sign this session as {who}? The record is then locked: "
                        "later entries are addenda.", self.close_session,
                        confirm_text="Close and sign")

    def close_session(self) -> Event | None:
        event = self.errors.call(lambda: self.recorder.close(self.sign_nurse.text()))
        self.refresh()
        return event
