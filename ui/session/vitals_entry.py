"""Vitals in one row, keyboard first: Tab moves on, Enter in a value records (on a
list it moves on to the next field), "128/82" in SBP fills both (an unfinished "120/"
does not: Tab goes on to DBP). Nothing is saved until every field is valid; the row
clears and the saved time shows only after the store has committed. A refused value is
said on one line reserved under the row (one message whole, the others named): nothing
moves while the nurse types. An unusual reading is asked about under the alarm banner.
The air/oxygen box shows the session's own air/oxygen (the last set, or "Oxygen
started" / "Oxygen stopped", newest by observed time) whenever that changes."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QGridLayout, QLineEdit, QSizePolicy, QWidget

from monitor.clinical.validation import MISSING_REASONS, split_bp, validate_vitals
from monitor.errors import ValidationError
from monitor.model.events import Event
from monitor.model.parameters import PARAMETERS, VITAL, keys
from ui.common.enter_chain import enter_moves_on
from ui.common.forms import (
    InlineErrors,
    RecorderPanel,
    button,
    label,
    line_edit,
)
from ui.common.texts import clock
from ui.common.timefield import observed_at
from ui.session.message_line import MessageLine
from ui.session.reading_confirm import ReadingConfirm

# The registry's typed vitals in display order: (key, title, placeholder). SBP takes
# "128/82" (both pressures in one field), so its placeholder says so and it is wider.
BP_HINT = "or 128/82"
FIELDS = tuple((k, PARAMETERS[k].label, BP_HINT if k == "sbp" else PARAMETERS[k].unit)
               for k in keys(group=VITAL, manual=True))


def holds_pair(text: object) -> bool:
    """SBP holds both pressures ("128/82"), not an unfinished "120/": only then is the
    DBP field filled by it (and skipped by Tab)."""
    parts = split_bp(text) if isinstance(text, str) else None
    return parts is not None and all(parts)


class VitalsEntry(RecorderPanel):
    saved = Signal(object)  # Event


    def _setup_ui(self) -> None:
        self.edits: dict[str, QLineEdit] = {}
        for key, title, hint in FIELDS:
            edit = line_edit(title, hint, 130 if key == "sbp" else 90)
            edit.returnPressed.connect(self.record)
            self.edits[key] = edit
        self.edits["sbp"].textChanged.connect(self._on_sbp_text)
        self.o2 = QComboBox()
        self.o2.addItems(["air", "oxygen"])
        self.o2.setAccessibleName("Air or oxygen")
        # Sent only when the nurse chose it: otherwise the record's own air/oxygen carries
        # forward ("oxygen started" must not be undone by a stale "air" in this box).
        self._o2_chosen = False
        self._o2_shown: tuple[str, int] | None = None  # (value, seq) of the session's choice
        self.o2.activated.connect(self._on_o2_chosen)
        self.missing = QComboBox()
        self.missing.addItems(MISSING_REASONS)
        self.missing.setAccessibleName("Reason for blank fields")
        self.time = line_edit("Observed time", "now", 90)
        # Enter on a closed list moves on to the next field; in Time it records.
        enter_moves_on([self.o2, self.missing, self.time], then=self.record)
        self.record_button = button("Record  ⏎", "Record vitals", primary=True, slot=self.record)
        self.saved_label = label("", "saved", name="Vitals saved")
        self.line = MessageLine()
        self.field_errors = {key: self.line.add(f"{title} error", title, field=self.edits[key])
                             for key, title, _ in FIELDS}
        self.time_error = self.line.add("Observed time error", "Time", field=self.time)
        self.general = self.line.add("Vitals error")
        fields: dict[str, tuple[QWidget | None, object]] = {
            k: (self.edits[k], self.field_errors[k]) for k in self.edits}
        fields["observed_at"] = (self.time, self.time_error)
        self.errors = InlineErrors(self.general, fields)  # type: ignore[arg-type]
        for edit in self.edits.values():  # after the edited field's own message went
            edit.textEdited.connect(lambda _t: self._on_edited())
        self.confirm_bar = ReadingConfirm(  # RR 0, SBP 35: confirm
            self.errors, "vitals", self, home=self.focus_first)
        self.confirm_bar.after(self._saved)
        self.follow_session()

    def _layout(self) -> None:
        grid = QGridLayout(self)
        grid.setContentsMargins(8, 0, 8, 0)
        grid.setVerticalSpacing(1)
        col = 0
        for key, title, _ in FIELDS:
            grid.addWidget(label(title, "dim"), 0, col)
            grid.addWidget(self.edits[key], 1, col)
            col += 1
        for title, widget in (("Air/O2", self.o2), ("Blank fields", self.missing),
                              ("Time", self.time)):
            grid.addWidget(label(title, "dim"), 0, col)
            grid.addWidget(widget, 1, col)
            col += 1
        grid.addWidget(self.record_button, 1, col)
        # "✓ Saved 08:40" never widens the Record button's column (the button holds still).
        self.saved_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        grid.addWidget(self.saved_label, 0, col, 1, 2)
        grid.addWidget(self.line, 2, 0, 1, col + 2)
        grid.setColumnStretch(col + 1, 1)
        order = [*self.edits.values(), self.o2, self.missing, self.time, self.record_button]
        for a, b in itertools.pairwise(order):
            QWidget.setTabOrder(a, b)

    def focus_first(self) -> None:
        self.edits["sbp"].setFocus()

    def _on_sbp_text(self, text: str) -> None:
        """"128/82" in SBP holds the DBP too: Tab then skips the DBP field. An unfinished
        "120/" does not: the cursor goes on to DBP, so no later value lands one field off."""
        from PySide6.QtCore import Qt  # on typing, after the first paint (~18 ms)
        dbp = self.edits["dbp"]
        both = holds_pair(text)
        dbp.setFocusPolicy(Qt.FocusPolicy.NoFocus if both else Qt.FocusPolicy.StrongFocus)
        dbp.setPlaceholderText("in SBP" if both else PARAMETERS["dbp"].unit)

    def _on_o2_chosen(self, _index: int) -> None:
        self._o2_chosen = True

    def follow_session(self, *, again: bool = False) -> None:
        """Show the session's air/oxygen when it changed (a set, "Oxygen started" or
        "Oxygen stopped", a strike of one): the newer act wins over a choice made in the
        box before it. Any other change leaves the nurse's choice alone; ``again`` shows
        the session's value whatever was chosen (after a set is saved)."""
        latest = self.recorder.session.choice("o2")
        shown = None if latest is None else (str(latest[1]), latest[2])
        if shown == self._o2_shown and not again:
            return
        self._o2_shown = shown
        self._o2_chosen = False
        if latest is None:
            self.o2.setCurrentIndex(0)
            self.o2.setToolTip("Air until a set or an event says oxygen")
            return
        value = str(latest[1])
        self.o2.setCurrentIndex(self.o2.findText(value))
        since = clock(datetime.fromtimestamp(latest[0], UTC))
        self.o2.setToolTip(f"{value.capitalize()} since {since}: the next set carries it "
                           "unless you change it here")

    def is_half_typed(self) -> bool:
        return any(e.text().strip() for e in self.edits.values())

    def fields(self) -> dict[str, object]:
        """The row as the core reads it: each value as typed, air/oxygen when chosen,
        the reason for each blank field."""
        fields: dict[str, object] = {k: e.text() for k, e in self.edits.items()}
        if self._o2_chosen:
            fields["o2"] = self.o2.currentText()
        reason = self.missing.currentText()
        missing = {k: reason for k, e in self.edits.items() if not e.text().strip()}
        if holds_pair(fields["sbp"]):
            missing.pop("dbp", None)
        fields["missing"] = missing
        return fields

    def _on_edited(self) -> None:
        """A message goes once the field it names is valid, whichever field was edited:
        "enter at least one value" once any value is typed, "DBP must be below
        systolic" once SBP is raised. New messages wait for Enter."""
        shown = [k for k, lab in self.field_errors.items() if lab.text()]
        if not shown:
            return
        try:
            validate_vitals(self.fields(), "manual")
            refused: set[str] = set()
        except ValidationError as exc:
            refused = {e.field for e in exc.errors}
        for key in shown:
            if key not in refused:
                self.errors.clear_field(key)

    def record(self) -> Event | None:
        fields = self.fields()
        event = self.errors.call(lambda: self.recorder.record_vitals(
            fields, self._nurse(),
            observed_at=observed_at(self.time.text(), self.recorder.clock.now())))
        if event is None:
            return None
        return self._saved(event)

    def _saved(self, event: Event) -> Event:
        for e in self.edits.values():
            e.clear()
        self.time.clear()
        self.follow_session(again=True)
        local = event.recorded_at.astimezone().strftime("%H:%M:%S")
        self.saved_label.setText(f"✓ Saved {local}")
        self.focus_first()
        self.saved.emit(event)
        return event
