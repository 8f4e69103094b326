"""Assessments: the sedation scale as large buttons with descriptors, ACVPU,
CADSS-6 items with a running total, quick dissociation, pain, nausea, comment,
and the time the assessment was made. Enter moves on from field to field (a score
box, a list, the comment) and records from the time, as Record does."""

from __future__ import annotations

import itertools

from PySide6.QtGui import QKeyEvent, QShowEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QPushButton,
    QSpinBox,
    QWidget,
)

from monitor.clinical.scales import load_scales
from monitor.model.events import Event
from ui.common.edited import on_edit
from ui.common.enter_chain import enter_moves_on
from ui.common.forms import (
    InlineErrors,
    RecorderPanel,
    button,
    error_label,
    label,
    line_edit,
)
from ui.common.texts import clock
from ui.common.timefield import observed_at


class ScoreBox(QSpinBox):
    """Showing "—" (not rated), a typed digit replaces the dash instead of being
    refused after it."""

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self.value() == self.minimum() and event.text().isdigit():
            self.lineEdit().selectAll()
        super().keyPressEvent(event)


def score_box(name: str, low: int, high: int) -> QSpinBox:
    """A spin box whose lowest position means 'not rated'."""
    box = ScoreBox()
    box.setRange(low - 1, high)
    box.setSpecialValueText("—")
    box.setValue(low - 1)
    box.setAccessibleName(name)
    box.setMinimumWidth(70)
    return box


class AssessmentPanel(RecorderPanel):

    def _setup_ui(self) -> None:
        self.scales = load_scales()
        scale = self.recorder.protocol.sedation_scale
        self.scale = scale
        self.sedation_group = QButtonGroup(self)
        self.sedation_group.setExclusive(True)
        self.sedation_buttons: dict[int, QPushButton] = {}
        for value, text in self.scales.levels(scale):
            b = QPushButton(f"{value:+d}  {text}" if scale == "rass" else f"{value}  {text}")
            b.setCheckable(True)
            b.setAutoDefault(True)  # Enter on the focused level selects it
            b.setAccessibleName(f"{self.scales.data[scale]['name']} {value}")
            b.setStyleSheet("text-align: left; padding-left: 8px; font-size: 11pt;")
            self.sedation_group.addButton(b, value + 10)
            self.sedation_buttons[value] = b
        self.acvpu = QComboBox()
        self.acvpu.addItem("—", None)
        for code in self.scales.choices("acvpu"):
            self.acvpu.addItem(f"{code} · {self.scales.data['acvpu']['labels'][code]}", code)
        self.acvpu.setAccessibleName("Consciousness ACVPU")
        self.cadss = [score_box(f"CADSS-6 item {i + 1}", 0, 4) for i in range(6)]
        for box in self.cadss:
            box.valueChanged.connect(self._update_total)
        self.cadss_total = label("CADSS-6 total —", bold=True, name="CADSS-6 total")
        self.dissociation = score_box("Dissociation 0-10", 0, 10)
        self.pain = score_box("Pain NRS 0-10", 0, 10)
        self.severity: dict[str, QComboBox] = {}
        for key in ("nausea", "anxiety", "perceptual"):
            choice = QComboBox()
            choice.addItem("—", None)
            for c in self.scales.choices(key):
                choice.addItem(c, c)
            choice.setAccessibleName(self.scales.data[key]["name"])
            self.severity[key] = choice
        self.nausea = self.severity["nausea"]
        self.comment = line_edit("Assessment comment", "comment (optional)")
        self.time = line_edit("Assessment time", "now", 80)
        self.time_error = error_label("Assessment time error")
        self.record_button = button("Record assessment", primary=True, slot=self.record)
        self.saved = label("", "saved", name="Assessment saved")
        self.general = error_label("Assessment error")
        self.errors = InlineErrors(self.general, {"observed_at": (self.time, self.time_error)})
        # Enter moves on through the scores, CADSS-6, comment and time (Tab goes the same
        # way); Enter in the time records, as the button does.
        self.chain: list[QWidget] = [self.acvpu, self.dissociation, self.pain,
                                     *self.severity.values(), *self.cadss, self.comment,
                                     self.time]
        enter_moves_on(self.chain, then=self.record)
        # "✓ Saved" belongs to the last assessment: a new one starts without it
        on_edit((self.sedation_group, self.acvpu, *self.cadss, self.dissociation, self.pain,
                 *self.severity.values(), self.comment, self.time), self.saved.clear)

    def _layout(self) -> None:
        outer = QHBoxLayout(self)
        outer.setContentsMargins(2, 2, 2, 2)
        left = QGridLayout()
        left.addWidget(label(self.scales.data[self.scale]["name"], bold=True), 0, 0, 1, 4)
        buttons = list(self.sedation_buttons.values())
        per_column = 6  # RASS (10 levels) takes two columns
        for i, b in enumerate(buttons):
            left.addWidget(b, 1 + i % per_column, (i // per_column) * 2, 1, 2)
        row = 1 + min(len(buttons), per_column)
        small = QGridLayout()  # three across, the name above each field
        pairs = (("Consciousness", self.acvpu), ("Dissociation 0–10", self.dissociation),
                 ("Pain 0–10", self.pain), ("Nausea", self.nausea),
                 ("Anxiety/agitation", self.severity["anxiety"]),
                 ("Perceptual", self.severity["perceptual"]))
        for i, (title, widget) in enumerate(pairs):
            small.addWidget(label(title, "dim"), (i // 3) * 2, i % 3)
            small.addWidget(widget, (i // 3) * 2 + 1, i % 3)
        small.addWidget(label("Comment", "dim"), 4, 0)
        small.addWidget(self.comment, 5, 0, 1, 2)
        small.addWidget(label("Time (blank = now)", "dim"), 4, 2)
        small.addWidget(self.time, 5, 2)
        small.addWidget(self.time_error, 6, 0, 1, 3)
        left.addLayout(small, row, 0, 1, 4)
        left.setRowStretch(row + 1, 1)
        outer.addLayout(left, 3)
        right = QGridLayout()
        heading = label("CADSS-6, each 0–4", bold=True)
        heading.setToolTip("0 not at all, 1 slightly, 2 moderately, 3 considerably, 4 extremely")
        right.addWidget(heading, 0, 0, 1, 2)
        for i, (text, box) in enumerate(zip(self.scales.cadss_items, self.cadss, strict=True)):
            item = label(text)
            item.setStyleSheet("font-size: 10pt;")
            item.setWordWrap(True)
            item.setMinimumWidth(150)
            box.setMaximumWidth(80)
            right.addWidget(item, i + 1, 0)
            right.addWidget(box, i + 1, 1)
        right.addWidget(self.cadss_total, 7, 0, 1, 2)
        right.addWidget(self.record_button, 11, 0, 1, 2)
        right.addWidget(self.saved, 12, 0, 1, 2)
        right.addWidget(self.general, 13, 0, 1, 2)
        right.setRowStretch(14, 1)
        outer.addLayout(right, 2)
        order: list[QWidget] = [*self.sedation_buttons.values(), *self.chain,
                                self.record_button]
        for before, after in itertools.pairwise(order):
            QWidget.setTabOrder(before, after)

    def _update_total(self) -> None:
        values = [b.value() for b in self.cadss]
        rated = [v for v in values if v >= 0]
        self.cadss_total.setText(f"CADSS-6 total {sum(rated)}" + (
            f" ({len(rated)} of 6 rated)" if 0 < len(rated) < 6 else "") if rated
            else "CADSS-6 total —")

    def _value(self, box: QSpinBox) -> int | None:
        return None if box.value() < box.minimum() + 1 else box.value()

    def fields(self) -> dict[str, object]:
        checked = self.sedation_group.checkedId()
        cadss = [b.value() for b in self.cadss]
        out: dict[str, object] = {
            self.scale: None if checked == -1 else checked - 10,
            "acvpu": self.acvpu.currentData(),
            "dissociation": self._value(self.dissociation),
            "pain": self._value(self.pain),
            **{key: box.currentData() for key, box in self.severity.items()},
            "comment": self.comment.text(),
        }
        if any(v >= 0 for v in cadss):
            out["cadss6"] = [v if v >= 0 else "" for v in cadss]
        return out

    def record(self) -> Event | None:
        event = self.errors.call(lambda: self.recorder.record_assessment(
            self.fields(), self._nurse(),
            observed_at=observed_at(self.time.text(), self.recorder.clock.now())))
        if event is None:
            return None
        self.reset()
        self.saved.setText(f"✓ Saved, {clock(event.observed_at)}")
        return event

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.saved.clear()  # the panel opened again: a new assessment

    def reset(self) -> None:
        self.sedation_group.setExclusive(False)
        for b in self.sedation_buttons.values():
            b.setChecked(False)
        self.sedation_group.setExclusive(True)
        for box in (*self.cadss, self.dissociation, self.pain):
            box.setValue(box.minimum())
        self.acvpu.setCurrentIndex(0)
        for choice in self.severity.values():
            choice.setCurrentIndex(0)
        self.comment.clear()
        self.time.clear()

    def is_half_typed(self) -> bool:
        f = self.fields()
        return any(v not in (None, "", []) for v in f.values())
