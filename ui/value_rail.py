"""Current values, large enough to read from a metre away, with their age;
grey when stale, in the alarm colour when a rule on them is active."""

from __future__ import annotations

from PySide6.QtWidgets import QGridLayout, QLabel, QWidget

from monitor.rail import rail_values
from monitor.recorder import Recorder
from monitor.rules.engine import Evaluation
from ui import theme
from ui.forms import label


def age_text(seconds: float) -> str:
    if seconds < 90:
        return f"{int(seconds)} s ago"
    if seconds < 2 * 3600:
        return f"{int(seconds // 60)} min ago"
    return f"{seconds / 3600:.1f} h ago"


class ValueRail(QWidget):
    """Draws what ``monitor.rail`` decides: value, age, device, stale, alarm colour."""

    def __init__(self, recorder: Recorder, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.recorder = recorder
        self.values: dict[str, QLabel] = {}
        self.ages: dict[str, QLabel] = {}
        grid = QGridLayout(self)
        grid.setContentsMargins(8, 0, 8, 0)
        grid.setVerticalSpacing(0)
        rows = rail_values(recorder.session, recorder.protocol, recorder.clock.now())
        for i, rv in enumerate(rows):
            grid.addWidget(label(f"{rv.title} {rv.unit}".strip(), "dim"), i * 2, 0, 1, 2)
            value = label("—", pt=theme.VALUE_PT, bold=True, name=f"{rv.title} current value")
            age = label("", "dim", name=f"{rv.title} age")
            self.values[rv.row] = value
            self.ages[rv.row] = age
            grid.addWidget(value, i * 2 + 1, 0)
            grid.addWidget(age, i * 2 + 1, 1)
        grid.setRowStretch(len(rows) * 2, 1)
        self.setMinimumWidth(230)

    def refresh(self, ev: Evaluation) -> None:
        for rv in rail_values(self.recorder.session, self.recorder.protocol, ev.now):
            value, age = self.values[rv.row], self.ages[rv.row]
            value.setText(rv.text)
            if rv.age_s is None:
                age.setText("")
                value.setStyleSheet(f"color: {theme.current().dim};")
                continue
            age.setText(age_text(rv.age_s) + (" · device" if rv.device else "")
                        + (" · STALE" if rv.stale else ""))
            color = (theme.alarm_text(rv.alarm) if rv.alarm
                     else theme.current().dim if rv.stale else theme.current().text)
            value.setStyleSheet(f"color: {color};")
