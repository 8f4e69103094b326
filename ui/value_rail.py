"""Current values, large enough to read from a metre away, with their age;
grey when stale, in the alarm colour when a rule on them is active."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtWidgets import QGridLayout, QLabel, QWidget

from monitor.parameters import fmt
from monitor.recorder import Recorder
from monitor.rules.engine import Evaluation
from ui import theme
from ui.forms import label

ROWS = (("bp", "BP", "mmHg"), ("hr", "HR", "/min"), ("spo2", "SpO2", "%"), ("rr", "RR", "/min"),
        ("temp", "Temp", "°C"), ("etco2", "EtCO2", "mmHg"), ("sedation", "", ""),
        ("dissociation", "Dissoc.", "/10"),
        ("pain", "Pain", "/10"))


def age_text(seconds: float) -> str:
    if seconds < 90:
        return f"{int(seconds)} s ago"
    if seconds < 2 * 3600:
        return f"{int(seconds // 60)} min ago"
    return f"{seconds / 3600:.1f} h ago"


class ValueRail(QWidget):
    def __init__(self, recorder: Recorder, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.recorder = recorder
        self.scale = recorder.protocol.sedation_scale
        self.values: dict[str, QLabel] = {}
        self.ages: dict[str, QLabel] = {}
        self.names: dict[str, tuple[QLabel, str]] = {}
        # One line per parameter: name and age small on the left, the value large.
        grid = QGridLayout(self)
        grid.setContentsMargins(4, 0, 4, 0)
        grid.setVerticalSpacing(0)
        grid.setHorizontalSpacing(6)
        for row, (key, title, unit) in enumerate(ROWS):
            title = title or ("MOAA/S" if self.scale == "moaas" else "RASS")
            name = label(f"{title} {unit}".strip(), "dim", fit=True)
            self.names[key] = (name, f"{title} {unit}".strip())
            grid.addWidget(name, row * 2, 0)
            value = label("—", pt=theme.VALUE_PT, bold=True, name=f"{title} current value")
            age = label("", "dim", name=f"{title} age", fit=True)
            self.values[key] = value
            self.ages[key] = age
            grid.addWidget(age, row * 2 + 1, 0)
            grid.addWidget(value, row * 2, 1, 2, 1)
        grid.setColumnMinimumWidth(0, 120)
        # Room for the widest value, a blood pressure such as 188/118.
        widest = self.values["bp"].fontMetrics().horizontalAdvance("188/118") + 6
        grid.setColumnMinimumWidth(1, widest)
        grid.setColumnStretch(0, 1)
        grid.setRowStretch(len(ROWS) * 2, 1)
        self.setMaximumWidth(310)

    def _latest(self, key: str) -> tuple[float, str] | None:
        s = self.recorder.session
        if key == "bp":
            sbp, dbp = s.latest("sbp"), s.latest("dbp")
            if sbp is None:
                return None
            return sbp[0], f"{fmt(sbp[1])}/{fmt(dbp[1])}" if dbp and dbp[2] == sbp[2] else fmt(
                sbp[1])
        name = self.scale if key == "sedation" else key
        latest = s.latest(name)
        if latest is None:
            return None
        return latest[0], (f"{latest[1]:+.0f}" if name == "rass" else fmt(latest[1]))

    def refresh(self, ev: Evaluation) -> None:
        now: datetime = ev.now
        s = self.recorder.session
        alarm_params = {}
        for a in s.active_alarms():
            key = {"sbp": "bp", "dbp": "bp", "moaas": "sedation", "rass": "sedation",
                   "cadss6_total": "dissociation"}.get(a.parameter, a.parameter)
            if a.rank > alarm_params.get(key, (0, ""))[0]:
                alarm_params[key] = (a.rank, a.priority)
        cadence = self.recorder.protocol.get("cadence.recovery") or 15
        grace = self.recorder.protocol.get("cadence.overdue_grace_min") or 5
        stale_manual = (cadence + grace) * 60
        stale_device = float(self.recorder.protocol.get("alarms.stale_device_s"))
        for key, _, _ in ROWS:
            found = self._latest(key)
            value, age = self.values[key], self.ages[key]
            if found is None:
                self.names[key][0].setText(self.names[key][1])
                value.setText("—")
                age.setText("")
                value.setStyleSheet(f"color: {theme.current().dim};")
                continue
            t, text = found
            seconds = now.timestamp() - t
            device = key in s.device_last and s.device_last[key] >= t
            stale = seconds > (stale_device if device else stale_manual)
            value.setText(text)
            age.setText(age_text(max(0.0, seconds)) + (" · device" if device else ""))
            name, plain = self.names[key]
            name.setText(f"{plain} · STALE" if stale else plain)
            if key in alarm_params:
                color = theme.alarm_text(alarm_params[key][1])
            elif stale:
                color = theme.current().dim
            else:
                color = theme.current().text
            value.setStyleSheet(f"color: {color};")
