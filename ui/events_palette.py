"""Quick events with one click or a shortcut; medications; free-text notes."""

from __future__ import annotations

from functools import partial

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QComboBox, QGridLayout, QHBoxLayout, QVBoxLayout

from monitor.events import Event
from monitor.protocols import LIMIT_KEYS
from monitor.recorder import DRUG_EVENTS, QUICK_EVENTS, ROUTES
from monitor.rules.conditions import effective_limits
from ui.forms import InlineErrors, RecorderPanel, button, error_label, hrow, label, line_edit


class EventsPalette(RecorderPanel):

    def _setup_ui(self) -> None:
        self.quick_buttons = {}
        self.shortcuts: list[QShortcut] = []
        for i, (code, text) in enumerate(QUICK_EVENTS.items()):
            key = f"Alt+{i + 1}" if i < 9 else None
            b = button(f"{text}" + (f"  [{key}]" if key else ""), f"Quick event {text}",
                       slot=partial(self.quick, code))
            self.quick_buttons[code] = b
            if key:
                sc = QShortcut(QKeySequence(key), self)
                sc.activated.connect(lambda c=code: self.quick(c))
                self.shortcuts.append(sc)
        self.drug_dose = line_edit("Drug event dose mg", "dose mg (drug events)", 170)
        self.med_drug = line_edit("Medication", "drug", 160)
        self.med_dose = line_edit("Medication dose", "dose", 80)
        self.med_unit = QComboBox()
        self.med_unit.addItems(["mg", "mcg", "g", "mL", "units"])
        self.med_unit.setAccessibleName("Medication unit")
        self.med_route = QComboBox()
        self.med_route.addItems(ROUTES)
        self.med_route.setAccessibleName("Medication route")
        self.med_reason = line_edit("Medication reason", "reason", 160)
        self.med_button = button("Give medication", slot=self.medication)
        self.note = line_edit("Note", "free-text note")
        self.note.returnPressed.connect(self.add_note)
        self.note_button = button("Add note", slot=self.add_note)
        self.limit = QComboBox()
        self.limit.setAccessibleName("Limit to change")
        for param in ("sbp", "dbp", "hr", "spo2", "rr", "moaas", "rass"):
            for key in LIMIT_KEYS:
                self.limit.addItem(f"{param}.{key}")
        self.limit.currentTextChanged.connect(self._show_limit)
        self.limit_value = line_edit("New limit", "new value (blank: none)", 150)
        self.limit_reason = line_edit("Limit change reason", "reason, e.g. physician order", 240)
        self.limit_button = button("Change limit", slot=self.change_limit)
        self.limit_now = label("", "dim", name="Current limit")
        self._show_limit(self.limit.currentText())
        self.last = label("", "saved", name="Last event")
        self.general = error_label("Event error")
        self.errors = InlineErrors(self.general, {})

    def _layout(self) -> None:
        outer = QVBoxLayout(self)
        grid = QGridLayout()
        for i, b in enumerate(self.quick_buttons.values()):
            grid.addWidget(b, i // 4, i % 4)
        outer.addLayout(grid)
        row = QHBoxLayout()
        row.addWidget(self.drug_dose)
        row.addWidget(label("applies to antiemetic, benzodiazepine, antihypertensive", "dim"))
        row.addStretch(1)
        outer.addLayout(row)
        outer.addLayout(hrow(self.med_drug, self.med_dose, self.med_unit, self.med_route,
                             self.med_reason, self.med_button))
        note = QHBoxLayout()
        note.addWidget(self.note, 1)
        note.addWidget(self.note_button)
        outer.addLayout(note)
        outer.addLayout(hrow(self.limit, self.limit_now, self.limit_value, self.limit_reason,
                             self.limit_button))
        outer.addWidget(self.last)
        outer.addWidget(self.general)
        outer.addStretch(1)

    def _done(self, event: Event | None, text: str) -> Event | None:
        if event is not None:
            self.last.setText(f"✓ {text} at {event.recorded_at.astimezone():%H:%M:%S}")
        return event

    def quick(self, code: str) -> Event | None:
        dose = self.drug_dose.text().strip() if code in DRUG_EVENTS else ""
        event = self.errors.call(lambda: self.recorder.quick_event(
            self._nurse(), code, dose=dose or None))
        if event is not None and dose:
            self.drug_dose.clear()
        return self._done(event, QUICK_EVENTS[code])

    def medication(self) -> Event | None:
        event = self.errors.call(lambda: self.recorder.give_medication(
            self._nurse(), self.med_drug.text(), self.med_dose.text(),
            self.med_unit.currentText(), self.med_route.currentText(), self.med_reason.text()))
        if event is not None:
            for w in (self.med_drug, self.med_dose, self.med_reason):
                w.clear()
        return self._done(event, "Medication")

    def add_note(self) -> Event | None:
        event = self.errors.call(lambda: self.recorder.add_note(self._nurse(), self.note.text()))
        if event is not None:
            self.note.clear()
        return self._done(event, "Note")

    def _show_limit(self, limit: str) -> None:
        param, _, key = limit.partition(".")
        now = effective_limits(self.recorder.session, self.recorder.protocol, param).get(key)
        self.limit_now.setText(f"now: {'none' if now is None else f'{now:g}'}")

    def change_limit(self) -> Event | None:
        event = self.errors.call(lambda: self.recorder.change_limit(
            self._nurse(), self.limit.currentText(), self.limit_value.text(),
            self.limit_reason.text()))
        if event is not None:
            self.limit_value.clear()
            self.limit_reason.clear()
            self._show_limit(self.limit.currentText())
        return self._done(event, f"Limit {event.payload['limit']} changed" if event else "")

    def is_half_typed(self) -> bool:
        return any(w.text().strip() for w in (self.note, self.med_drug, self.med_dose))
