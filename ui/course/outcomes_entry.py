"""Outcome measures of this session (pain before and after, hours of relief since
the last infusion, PHQ-9, MADRS total), one field each, built from the scales
data. Blank fields are skipped; nothing is saved unless every filled one is valid."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QLineEdit

from monitor.clinical.outcomes import measures
from monitor.model.parameters import fmt
from ui.common.forms import InlineErrors, RecorderPanel, button, error_label, label, line_edit


class OutcomesEntry(RecorderPanel):
    saved = Signal(object)  # Event

    def _setup_ui(self) -> None:
        self.edits: dict[str, QLineEdit] = {}
        self.field_errors = {}
        for key, m in measures().items():
            rng = m.range
            edit = line_edit(m.name, f"{fmt(rng.low)}–{fmt(rng.high)} {rng.unit}".strip(), 90)
            edit.setToolTip(f"{m.name}: {rng.allowed()}")
            edit.returnPressed.connect(self.record)
            self.edits[key] = edit
            self.field_errors[key] = error_label(f"{m.name} error")
        self.record_button = button("Record outcomes", "Record outcome measures",
                                    primary=True, slot=self.record)
        self.saved_label = label("", "saved", name="Outcomes saved")
        self.saved_label.setWordWrap(True)
        self.general = error_label("Outcomes error")
        self.errors = InlineErrors(self.general, {
            k: (self.edits[k], self.field_errors[k]) for k in self.edits})

    def _layout(self) -> None:
        """Two measures a row (label, field), each field's error under it."""
        grid = QGridLayout(self)
        grid.setContentsMargins(4, 2, 4, 2)
        grid.setVerticalSpacing(2)
        grid.addWidget(label("Outcomes of this session", bold=True), 0, 0, 1, 4)
        for i, (key, m) in enumerate(measures().items()):
            row, col = 1 + (i // 2) * 2, (i % 2) * 2
            grid.addWidget(label(m.short, "dim"), row, col)
            grid.addWidget(self.edits[key], row, col + 1)
            grid.addWidget(self.field_errors[key], row + 1, col, 1, 2)
        last = 2 + len(self.edits)
        grid.addWidget(self.record_button, last, 2, 1, 2)
        grid.addWidget(self.saved_label, last, 0, 1, 2)
        grid.addWidget(self.general, last + 1, 0, 1, 4)

    def record(self) -> None:
        fields = {k: e.text() for k, e in self.edits.items() if e.text().strip()}
        event = self.errors.call(lambda: self.recorder.record_outcome(fields, self._nurse()))
        if event is None:
            self.saved_label.clear()
            return
        for edit in self.edits.values():
            edit.clear()
        self.saved_label.setText(f"Saved {event.observed_at.astimezone():%H:%M}")
        self.saved.emit(event)

    def is_half_typed(self) -> bool:
        return any(e.text().strip() for e in self.edits.values())


