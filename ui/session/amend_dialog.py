"""Amend an entry in a form of that entry's own fields, prefilled with what is
recorded now. Only the fields the nurse changes are sent; the reason is
required. The core re-validates the whole entry, and its messages show next to
the field they name.

The opening's weight changed once dosing has started asks which it is (CLINICAL §7):
a typing error (the first weight was wrong: every dose figure is recomputed) or a
re-weigh (the mg already given stay; the rate in mg/h is re-derived from now on)."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QDialog, QGridLayout, QLineEdit, QRadioButton, QWidget

from monitor.errors import FieldError, ValidationError
from monitor.model.events import EventKind
from monitor.model.parameters import REGISTRY, SCORE, VITAL, fmt, keys
from monitor.model.session import Entry
from monitor.record.recorder import Recorder
from ui.common.forms import InlineErrors, button, error_label, label, line_edit
from ui.common.texts import clock

# The registry's typed parameters of each kind (the vitals row's fields, the assessment's
# scores), in display order, then the kind's other fields.
FIELDS_BY_KIND: dict[EventKind, tuple[str, ...]] = {
    EventKind.VITALS: (*keys(group=VITAL, manual=True), "o2"),
    EventKind.ASSESSMENT: (*keys(group=SCORE, manual=True), "acvpu", "nausea", "anxiety",
                           "perceptual", "comment"),
}
# Kept as recorded, not typed: codes, what the registry says no nurse types (a derived
# MAP, the CADSS-6 total), internal flags.
NOT_EDITABLE = {"mode", "code", "label", "map_measured", "missing", "cadss6", "rate_unit",
                "source", *(p.key for p in REGISTRY if not p.manual)}
FIELD_NAMES = {**{p.key: p.name for p in REGISTRY}, "o2": "Air or oxygen",
               "acvpu": "Consciousness (ACVPU)", "rate": "Rate", "dose_mg": "Dose (mg)",
               "drug": "Drug", "dose": "Dose", "unit": "Unit", "route": "Route", "reason": "Reason",
               "text": "Note",
               "comment": "Comment", "nausea": "Nausea", "anxiety": "Anxiety/agitation",
               "perceptual": "Perceptual", "concentration_mg_ml": "Concentration (mg/mL)",
               "lot": "Lot", "weight_kg": "Weight (kg)", "display_name": "Display name",
               "patient_id": "Patient identifier"}


def editable_fields(entry: Entry, scale: str) -> list[str]:
    """The entry's own fields: the standard set of its kind plus what it recorded."""
    wanted = [k for k in FIELDS_BY_KIND.get(entry.kind, ())
              if k not in ("moaas", "rass") or k == scale]
    wanted += [k for k, v in entry.payload.items()
               if k not in wanted and k not in NOT_EDITABLE and not isinstance(v, list | dict)]
    return wanted


def shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float | int) and not isinstance(value, bool):
        return fmt(value)
    return str(value)


class AmendDialog(QDialog):
    def __init__(self, recorder: Recorder, entry: Entry, nurse: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.recorder = recorder
        self.entry = entry
        self.nurse = nurse
        self.setWindowTitle("Amend entry")
        self.setModal(True)
        kind = entry.kind.value.replace("_", " ").replace(" recorded", "")
        self.heading = label(f"Amend {kind} of {clock(entry.event.observed_at)}", pt=14,
                             bold=True, name="Amend heading")
        self.edits: dict[str, QLineEdit] = {}
        self.field_errors = {}
        fields = editable_fields(entry, recorder.protocol.sedation_scale)
        for key in fields:
            name = FIELD_NAMES.get(key, key.replace("_", " "))
            edit = line_edit(name, "blank", 200)
            edit.setText(shown(entry.payload.get(key)))
            self.edits[key] = edit
            self.field_errors[key] = error_label(f"{name} error")
        self.reason = line_edit("Amendment reason", "why (required)", 300)
        self.reason_error = error_label("Amendment reason error")
        self.save_button = button("Save amendment", primary=True, slot=self.save)
        self.cancel_button = button("Cancel", "Cancel amendment", slot=self.reject)
        self.save_button.setDefault(True)
        self.general = error_label("Amendment error")
        # After dosing, a new weight says whether the first was a typing error or not.
        self.typing_error = QRadioButton("Typing error: the first weight was wrong "
                                         "(recompute every dose figure)")
        self.reweighed = QRadioButton("Re-weighed now: the mg given stay; the rate in mg/h "
                                      "follows the new weight from now on")
        self.typing_error.setAccessibleName("Weight was a typing error")
        self.reweighed.setAccessibleName("Patient re-weighed")
        self.weight_error = error_label("Weight change error")
        self.asks_weight = (entry.kind is EventKind.SESSION_OPENED and "weight_kg" in self.edits
                            and recorder.session.infusion_started_at is not None)
        fields_map: dict[str, tuple[QWidget | None, Any]] = {
            k: (self.edits[k], self.field_errors[k]) for k in self.edits}
        fields_map["reason"] = (self.reason, self.reason_error)
        fields_map["weight_change"] = (None, self.weight_error)
        self.errors = InlineErrors(self.general, fields_map)
        grid = QGridLayout(self)
        grid.addWidget(self.heading, 0, 0, 1, 3)
        row = 1
        for key, edit in self.edits.items():
            grid.addWidget(label(FIELD_NAMES.get(key, key.replace("_", " ")), "dim"), row, 0)
            grid.addWidget(edit, row, 1)
            grid.addWidget(self.field_errors[key], row, 2)
            row += 1
        grid.addWidget(label("Reason", "dim"), row, 0)
        grid.addWidget(self.reason, row, 1)
        grid.addWidget(self.reason_error, row, 2)
        if self.asks_weight:
            for widget in (self.typing_error, self.reweighed, self.weight_error):
                row += 1
                grid.addWidget(widget, row, 0, 1, 3)
        grid.addWidget(self.general, row + 1, 0, 1, 3)
        grid.addWidget(self.save_button, row + 2, 1)
        grid.addWidget(self.cancel_button, row + 2, 2)
        first = next(iter(self.edits.values()), self.reason)
        first.setFocus()

    def changed(self) -> dict[str, str]:
        return {k: e.text().strip() for k, e in self.edits.items()
                if e.text().strip() != shown(self.entry.payload.get(k))}

    def save(self) -> object:
        values = self.changed()
        if not values:
            self.errors.show(ValidationError([FieldError(
                "values", "New values", "", "change at least one value")]))
            return None
        how = ("typing error" if self.typing_error.isChecked() else
               "re-weigh" if self.reweighed.isChecked() else None)
        if self.asks_weight and "weight_kg" in values and how == "re-weigh":
            rest = {k: v for k, v in values.items() if k != "weight_kg"}
            event = self.errors.call(lambda: self.recorder.change_weight(
                self.nurse, values["weight_kg"], how, self.reason.text()))
            if event is not None and rest:
                event = self.errors.call(lambda: self.recorder.amend(
                    self.nurse, self.entry.event.seq, rest, self.reason.text()))
        else:
            event = self.errors.call(lambda: self.recorder.amend(
                self.nurse, self.entry.event.seq, values, self.reason.text(),
                weight_change=how))
        if event is not None:
            self.accept()
        return event
