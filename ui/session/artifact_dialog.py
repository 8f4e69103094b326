"""Flag values of a reading as artifact: which values (one box per value the entry
holds, named from the registry; a cuff reading's BP ticked, nothing else), the
reason, and which alarms the flag will end, updated as boxes change. "Flag…"
checks the flag first and then asks a confirmation that names what is flagged,
what ends and what stays (CLINICAL §5)."""

from __future__ import annotations

from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QCheckBox, QDialog, QGridLayout, QHBoxLayout, QVBoxLayout, QWidget

from monitor.clinical.rules.condition import lead_reason
from monitor.model.parameters import PARAMETERS, fmt, rail_row_of
from monitor.model.session import Entry
from monitor.record.recorder import Recorder
from ui.common import theme
from ui.common.confirm import ConfirmDialog
from ui.common.forms import InlineErrors, button, error_label, label, line_edit
from ui.common.texts import clock
from ui.session.below_banner import move_below_banner

CUFF = rail_row_of("sbp")  # the values of one cuff reading share the BP row


class ValueBox(QCheckBox):
    """A box that toggles wherever its cell is clicked (gloves), not only on its text."""

    def hitButton(self, pos: QPoint) -> bool:
        return self.rect().contains(pos)


def _name(key: str) -> str:
    p = PARAMETERS.get(key)
    return p.name if p is not None else key


class ArtifactDialog(QDialog):
    def __init__(self, recorder: Recorder, entry: Entry, nurse: str, reason: str = "",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.recorder = recorder
        self.entry = entry
        self.nurse = nurse
        self.setWindowTitle("Flag artifact")
        self.setModal(True)
        # Boxes big enough to see and hit with gloves at 3 a.m.
        self.setStyleSheet("QCheckBox { spacing: 8px; min-height: 30px; }"
                           " QCheckBox::indicator { width: 22px; height: 22px; }")
        what = " · ".join(f"{PARAMETERS[k].label} {fmt(float(entry.payload[k]))}"
                          for k in entry.measured())
        self.heading = label(f"Flag as artifact: {clock(entry.observed_at)} · {what}", pt=14,
                             bold=True, name="Artifact heading")
        self.heading.setWordWrap(True)
        self.boxes: dict[str, QCheckBox] = {}
        for key in entry.measured():
            box = ValueBox(f"{_name(key)} {fmt(float(entry.payload[key]))}")
            box.setAccessibleName(f"Flag {_name(key)}")
            done = key in entry.flagged
            box.setChecked(not done and rail_row_of(key) == CUFF)  # a cuff reading: BP
            box.setEnabled(not done)
            if done:
                box.setToolTip("already flagged as artifact")
            box.toggled.connect(lambda _on: self._show_ends())
            self.boxes[key] = box
        self.ends = label("", pt=13, bold=True, name="Alarms the flag ends", fit=False)
        self.ends.setWordWrap(True)
        self.reason = line_edit("Artifact reason", "why (required)", 300)
        self.reason.setText(reason)
        self.parameters_error = error_label("Values flagged error")
        self.reason_error = error_label("Artifact reason error")
        self.general = error_label("Artifact error")
        self.errors = InlineErrors(self.general, {
            "parameters": (None, self.parameters_error),
            "reason": (self.reason, self.reason_error)})
        self.flag_button = button("Flag…", "Flag artifact", primary=True, slot=self.ask)
        self.flag_button.setDefault(True)
        self.cancel_button = button("Cancel", "Cancel artifact flag", slot=self.reject)
        self.confirm = ConfirmDialog(self, title="Confirm artifact flag")
        self._layout()
        self._show_ends()

    def _layout(self) -> None:
        box = QVBoxLayout(self)
        box.addWidget(self.heading)
        box.addWidget(label("Which values are wrong?", bold=True))
        grid = QGridLayout()
        for i, check in enumerate(self.boxes.values()):
            grid.addWidget(check, i // 3, i % 3)
        box.addLayout(grid)
        box.addWidget(self.parameters_error)
        box.addWidget(self.ends)
        box.addWidget(label("Reason", bold=True))
        box.addWidget(self.reason)
        box.addWidget(self.reason_error)
        box.addWidget(self.general)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.flag_button)
        row.addWidget(self.cancel_button)
        box.addLayout(row)

    def open(self) -> None:
        """Open under the alarm banner: the alarms the flag ends stay in view."""
        super().open()
        move_below_banner(self)

    def chosen(self) -> list[str]:
        return [k for k, b in self.boxes.items() if b.isChecked() and b.isEnabled()]

    def ending(self) -> list[str]:
        """The alarms the chosen flag ends, as the banner words them."""
        ev = self.recorder.last_evaluation
        return [f"{theme.PRIORITY_WORD[a.priority]} {lead_reason(ev.alarm_text(a))}"
                for a in self.recorder.alarms_ended_by(self.entry.seq, self.chosen())]

    def _show_ends(self) -> None:
        ends = self.ending()
        self.ends.setText("Ends: " + "; ".join(ends) if ends else "Ends no alarm.")

    def ask(self) -> None:
        """Check the flag; only a valid one is put to the nurse for confirmation."""
        chosen = self.chosen()
        checked = self.errors.call(lambda: self.recorder.check_flag(
            self.nurse, self.entry.seq, self.reason.text(), chosen))
        if checked is None:
            return
        kept = [_name(k) for k in self.entry.measured()
                if k not in chosen and k not in self.entry.flagged]
        ends = self.ending()
        question = (f"Flag {', '.join(_name(k) for k in chosen)} of "
                    f"{clock(self.entry.observed_at)} as artifact?\n"
                    + ("Ends: " + "; ".join(ends) + ".\nWhat holds without these values "
                       "is raised again at its own priority." if ends else "Ends no alarm.")
                    + (f"\nStays: {', '.join(kept)}." if kept else ""))
        self.confirm.ask(question, self.flag, confirm_text="Flag as artifact",
                         warned=bool(ends))  # ending an alarm is a warning

    def flag(self) -> None:
        done = self.errors.call(lambda: self.recorder.flag_artifact(
            self.nurse, self.entry.seq, self.reason.text(), self.chosen()))
        if done is not None:
            self.accept()
