"""Quick events with one click or Alt+1…9 (window-wide), medications and
free-text notes; every entry may carry the time it happened. A medication dose above
the clinic's usual range for the drug and route is asked about in a modal (always on
screen); one far above it is refused next to the dose field (monitor/clinical/medications.py)."""

from __future__ import annotations

from datetime import datetime
from functools import partial

from PySide6.QtWidgets import QComboBox, QGridLayout, QVBoxLayout

from monitor.clinical.describe import describe
from monitor.model.events import Event, EventKind
from monitor.model.session import Phase
from monitor.record.recorder import DRUG_EVENTS, QUICK_EVENTS, ROUTES
from ui.common.confirm import ConfirmDialog, check_then_ask
from ui.common.forms import InlineErrors, RecorderPanel, button, error_label, hrow, label, line_edit
from ui.common.texts import clock
from ui.common.timefield import observed_at


class EventsPalette(RecorderPanel):

    def _setup_ui(self) -> None:
        self.quick_buttons = {}
        for i, (code, text) in enumerate(QUICK_EVENTS.items()):
            # The number is the Alt+number shortcut, which works anywhere in the window.
            short = _short(text)
            b = button(f"{i + 1}  {short}" if i < 9 else short, f"Quick event {text}",
                       slot=partial(self.quick, code))
            b.setToolTip(text + (f" (Alt+{i + 1})" if i < 9 else ""))
            b.setStyleSheet("text-align: left; padding: 2px 6px; min-height: 22px;")
            self.quick_buttons[code] = b
        self.drug_dose = line_edit("Drug event dose mg", "dose mg", 90)
        self.med_drug = line_edit("Medication", "drug", 150)
        self.med_dose = line_edit("Medication dose", "dose", 70)
        self.med_unit = QComboBox()
        self.med_unit.addItems(["mg", "mcg", "g", "mL", "units"])
        self.med_unit.setAccessibleName("Medication unit")
        self.med_route = QComboBox()
        self.med_route.addItems(ROUTES)
        self.med_route.setAccessibleName("Medication route")
        self.med_reason = line_edit("Medication reason", "reason", 150)
        self.med_button = button("Give medication", slot=self.medication)
        # Enter in the row's last field gives it (check first, ask after), as in vitals.
        self.med_reason.returnPressed.connect(self.medication)
        self.note = line_edit("Note", "free-text note")
        self.note.returnPressed.connect(self.add_note)
        self.note_button = button("Add note", slot=self.add_note)
        self.time = line_edit("Event time", "now", 80)
        self.time_error = error_label("Event time error")
        self.last = label("", "saved", name="Last event")
        self.last.setWordWrap(True)  # a long drug name wraps, never widens the panel
        self.general = error_label("Event error")
        self.med_error = error_label("Medication dose error")
        self.errors = InlineErrors(self.general, {"observed_at": (self.time, self.time_error),
                                                  "med_dose": (self.med_dose, self.med_error),
                                                  "dose": (self.med_dose, self.med_error)})
        self.dialog = ConfirmDialog(self, title="Confirm medication")

    def _layout(self) -> None:
        outer = QVBoxLayout(self)
        # Short rows: with two alarm rows at 1366×768 every control shows without scrolling.
        outer.setSpacing(4)
        time_row = hrow(label("Time (blank = now)", "dim"), self.time, self.time_error)
        time_row.addWidget(label("Alt+1…9: from anywhere", "dim"))
        outer.addLayout(time_row)
        grid = QGridLayout()
        grid.setVerticalSpacing(2)
        columns = 4  # 23 quick events in 6 short rows: medication and note stay on screen
        for i, b in enumerate(self.quick_buttons.values()):
            grid.addWidget(b, i // columns, i % columns)
        outer.addLayout(grid)
        outer.addLayout(hrow(label("Dose for a drug given above (mg)", "dim"), self.drug_dose))
        outer.addWidget(label("Medication", bold=True))
        outer.addLayout(hrow(self.med_drug, self.med_dose, self.med_unit, self.med_route))
        outer.addLayout(hrow(self.med_reason, self.med_button))
        outer.addWidget(self.med_error)
        outer.addLayout(hrow(label("Note", bold=True), self.note, self.note_button,
                             stretch=False))
        outer.addWidget(self.last)
        outer.addWidget(self.general)
        outer.addStretch(1)

    def _when(self) -> datetime | None:
        return observed_at(self.time.text(), self.recorder.clock.now())

    def _done(self, event: Event | None) -> Event | None:
        """Say what was recorded, as the log names it: "✓ Ondansetron 4 mg IV at 04:54"."""
        if event is not None:
            self.last.setText(f"✓ {self._named(event)} at {clock(event.observed_at)}")
            self.time.clear()
        return event

    def _named(self, event: Event) -> str:
        if event.kind is EventKind.NOTE:  # its text stays in the log, not in this line
            return "Addendum note" if self.recorder.session.phase is Phase.CLOSED else "Note"
        what = describe(event.kind, event.payload)
        return what[:1].upper() + what[1:]

    def quick(self, code: str) -> Event | None:
        dose = self.drug_dose.text().strip() if code in DRUG_EVENTS else ""
        event = self.errors.call(lambda: self.recorder.quick_event(
            self._nurse(), code, dose=dose or None, observed_at=self._when()))
        if event is not None and dose:
            self.drug_dose.clear()
        return self._done(event)

    def medication(self) -> None:
        def attempt() -> Event:
            return self.recorder.give_medication(
                self._nurse(), self.med_drug.text(), self.med_dose.text(),
                self.med_unit.currentText(), self.med_route.currentText(),
                self.med_reason.text(), observed_at=self._when())

        def question() -> str:
            return (f"Record {self.med_drug.text().strip()} {self.med_dose.text().strip()} "
                    f"{self.med_unit.currentText()} {self.med_route.currentText()}?")

        check_then_ask(self.dialog, self.errors, attempt, question, self._medication_done)

    def _medication_done(self, event: Event | None) -> None:
        if event is not None:
            for w in (self.med_drug, self.med_dose, self.med_reason):
                w.clear()
        self._done(event)

    def add_note(self) -> Event | None:
        event = self.errors.call(lambda: self.recorder.add_note(
            self._nurse(), self.note.text(), observed_at=self._when()))
        if event is not None:
            self.note.clear()
        return self._done(event)

    def set_closed(self, closed: bool) -> None:
        """A closed record takes only notes (addenda)."""
        for w in (*self.quick_buttons.values(), self.drug_dose, self.med_drug, self.med_dose,
                  self.med_unit, self.med_route, self.med_reason, self.med_button):
            w.setEnabled(not closed)
        self.note_button.setText("Add addendum" if closed else "Add note")

    def is_half_typed(self) -> bool:
        return self.dialog.pending() or any(
            w.text().strip() for w in (self.note, self.med_drug, self.med_dose))


def _short(text: str) -> str:
    """A button's text: "Antiemetic given" → "Antiemetic", "Diplopia / nystagmus" →
    "Diplopia"; the whole name is the button's tooltip and what is recorded."""
    return text.removesuffix(" given").split(" / ")[0]


def quick_keys() -> list[tuple[str, str]]:
    """Alt+1…9 and the quick event each records (the first nine, in the palette's order)."""
    return [(f"Alt+{i + 1}", code) for i, code in enumerate(list(QUICK_EVENTS)[:9])]
