"""Current values, large enough to read from a metre away, with their age; grey
and struck through when stale ("STALE 2 min" under its name), else in the colour
of the priority their own value has now (a latched alarm whose value is back in
range stays in the banner, not here)."""

from __future__ import annotations

from PySide6.QtWidgets import QGridLayout, QLabel, QWidget

from monitor.clinical.rail import rail_values
from monitor.clinical.rules.engine import Evaluation
from monitor.model.parameters import PARAMETERS
from monitor.record.recorder import Recorder
from ui.common import theme
from ui.common.forms import label

# A stale value: dimmed and struck through, never in a live or alarm colour (CLINICAL §5).
STALE_STYLE = "text-decoration: line-through;"


def stale_text(seconds: float) -> str:
    """The age of a stale value, in words short enough for the rail: "STALE 2 min"."""
    return "STALE " + age_text(seconds).removesuffix(" ago")


def brief_name(row: str, plain: str) -> str:
    """A row's name in the parameter's short word ("Dissociation 0-10" → "Dissoc. 0-10"),
    for a rail too narrow for the whole name."""
    param = PARAMETERS.get(row)
    if param is None or param.short_text == param.label:
        return plain
    return plain.replace(param.label.split()[0], param.short_text, 1)


def age_text(seconds: float) -> str:
    if seconds < 90:
        return f"{int(seconds)} s ago"
    if seconds < 2 * 3600:
        return f"{int(seconds // 60)} min ago"
    return f"{seconds / 3600:.1f} h ago"


class ValueRail(QWidget):
    """Draws what ``monitor.clinical.rail`` decides: value, age, device, stale, alarm colour.
    One line per parameter: name and age small on the left, the value large."""

    def __init__(self, recorder: Recorder, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.recorder = recorder
        self.values: dict[str, QLabel] = {}
        self.ages: dict[str, QLabel] = {}
        self.names: dict[str, tuple[QLabel, str, str]] = {}
        grid = QGridLayout(self)
        grid.setContentsMargins(4, 0, 4, 0)
        grid.setVerticalSpacing(0)
        grid.setHorizontalSpacing(6)
        rows = rail_values(recorder.session, recorder.protocol, recorder.clock.now())
        for i, rv in enumerate(rows):
            plain = f"{rv.title} {rv.unit}".strip()
            name = label(plain, "dim", fit=True)
            name.setToolTip(plain)
            self.names[rv.row] = (name, plain, brief_name(rv.row, plain))
            value = label("—", pt=theme.VALUE_PT, bold=True, name=f"{rv.title} current value")
            age = label("", "dim", name=f"{rv.title} age", fit=True)
            self.values[rv.row] = value
            self.ages[rv.row] = age
            grid.addWidget(name, i * 2, 0)
            grid.addWidget(age, i * 2 + 1, 0)
            grid.addWidget(value, i * 2, 1, 2, 1)
        grid.setColumnMinimumWidth(0, 120)
        # Room for the widest value, a blood pressure such as 188/118.
        widest = self.values["bp"].fontMetrics().horizontalAdvance("188/118") + 6
        grid.setColumnMinimumWidth(1, widest)
        grid.setColumnStretch(0, 1)
        grid.setRowStretch(len(rows) * 2, 1)
        self.setMaximumWidth(310)

    def refresh(self, ev: Evaluation) -> None:
        # Coloured by each value's own reasons now, not by a latched alarm.
        for rv in rail_values(self.recorder.session, self.recorder.protocol, ev.now,
                              ev.conditions):
            value, age = self.values[rv.row], self.ages[rv.row]
            name, plain, brief = self.names[rv.row]
            fits = name.fontMetrics().horizontalAdvance(plain) <= name.contentsRect().width()
            name.setText(plain if fits else brief)  # "Dissoc. 0-10", never "Dissociation 0…"
            name.setToolTip(plain)
            value.setText(rv.text)
            if rv.age_s is None:
                age.setText("")
                value.setStyleSheet(f"color: {theme.current().dim};")
                continue
            if rv.stale:  # no live colour, struck through; the age says it in words
                age.setText(stale_text(rv.age_s))
                age.setStyleSheet(f"color: {theme.current().text}; font-weight: bold;")
                value.setStyleSheet(f"color: {theme.current().dim}; {STALE_STYLE}")
                value.setToolTip(f"{plain}: {rv.text} is stale, the last reading "
                                 f"{age_text(rv.age_s)}" + (" from the monitor" if rv.device
                                                             else "") + "; it drives no alarm")
                continue
            text = age_text(rv.age_s) + (" · device" if rv.device else "")
            if age.fontMetrics().horizontalAdvance(text) > age.contentsRect().width():
                text = text.replace(" ago · ", " · ")  # "2 min · device", never "d…"
            age.setText(text)
            age.setStyleSheet("")
            value.setToolTip("")
            color = theme.alarm_text(rv.alarm) if rv.alarm else theme.current().text
            value.setStyleSheet(f"color: {color};")
