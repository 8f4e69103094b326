"""Header, always visible: who, what protocol, phase, dose, what is due, NEWS2."""

from __future__ import annotations

from datetime import datetime, timedelta

from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QWidget

from monitor.dosing import rate_text
from monitor.parameters import fmt
from monitor.recorder import Recorder
from monitor.rules.engine import Evaluation
from ui import theme
from ui.forms import label, line_edit

PHASE_TEXT = {"baseline": "BASELINE", "infusing": "INFUSING", "recovery": "RECOVERY",
              "discharged": "DISCHARGED", "closed": "CLOSED (signed)"}


def duration(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    return f"{minutes // 60}:{minutes % 60:02d}"


def countdown(seconds: float) -> str:
    s = int(abs(seconds))
    return f"{s // 60}:{s % 60:02d}"


class HeaderView(QWidget):
    def __init__(self, recorder: Recorder, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.recorder = recorder
        self._setup_ui()
        self._layout()

    def _setup_ui(self) -> None:
        self.patient = label("", pt=15, bold=True, name="Patient")
        self.protocol = label("", "dim", name="Protocol")
        self.phase = label("", pt=15, bold=True, name="Phase")
        self.elapsed = label("", pt=15, name="Time since infusion start")
        self.rate = label("", pt=15, name="Current rate")
        self.dose = label("", pt=15, bold=True, name="Dose so far")
        self.news2 = label("", pt=15, name="NEWS2")
        self.min_obs = label("", name="Minimum observation")
        self.link = label("", bold=True, name="Clinic server")  # clinic mode: the spool
        self.due_row = QHBoxLayout()
        self.due_row.setSpacing(18)
        self.due_labels: dict[str, QLabel] = {}
        self.nurse = line_edit("Nurse ID", "nurse ID", 110)
        self.nurse.setText(str(self.recorder.session.opening.get("nurse_id", "")))

    def _layout(self) -> None:
        grid = QGridLayout(self)
        grid.setContentsMargins(8, 4, 8, 4)
        grid.setHorizontalSpacing(18)
        grid.addWidget(self.patient, 0, 0)
        grid.addWidget(self.phase, 0, 1)
        grid.addWidget(self.elapsed, 0, 2)
        grid.addWidget(self.rate, 0, 3)
        grid.addWidget(self.dose, 0, 4)
        grid.addWidget(self.news2, 0, 5)
        grid.addWidget(self.protocol, 1, 0)
        due_box = QHBoxLayout()
        due_box.addWidget(label("Next due", "dim"))
        due_box.addLayout(self.due_row)
        due_box.addStretch(1)
        grid.addLayout(due_box, 1, 1, 1, 4)
        nurse_box = QHBoxLayout()
        nurse_box.addWidget(label("Nurse", "dim"))
        nurse_box.addWidget(self.nurse)
        grid.addLayout(nurse_box, 1, 5)
        grid.addWidget(self.min_obs, 2, 0, 1, 3)
        grid.addWidget(self.link, 2, 3, 1, 3)

    @property
    def nurse_id(self) -> str:
        return self.nurse.text().strip()

    def refresh(self, ev: Evaluation) -> None:
        s = self.recorder.session
        link = getattr(self.recorder.store, "keep_link", None)  # the clinic log's link
        self.link.setText(link() if link else "")
        self.link.setStyleSheet(f"color: {theme.alarm_text('medium')};")
        o = s.opening
        now = ev.now
        name = f" ({o['display_name']})" if o.get("display_name") else ""
        self.patient.setText(f"{o.get('patient_id')}{name} · {fmt(s.weight_kg)} kg")
        self.protocol.setText(f"{self.recorder.protocol.name} · {o.get('indication')}")
        self.phase.setText(PHASE_TEXT[s.phase] + (" — PAUSED" if s.paused else ""))
        start = s.infusion_started_at
        self.elapsed.setText(f"T+{duration((s.discharged_at or now) - start)}" if start
                             else "not started")
        self._rate(now)
        self.dose.setText(f"{s.dose_mg(now):.1f} mg · {s.dose_mg_per_kg(now):.2f} mg/kg")
        self._news2(ev)
        self._due(ev, now)
        mo = ev.min_observation
        if mo is None:
            minimum = self.recorder.protocol.get("protocol.min_observation_min")
            self.min_obs.setText(f"Minimum observation: {fmt(minimum)} min"
                                 + (" from the dose" if s.dose_mode == "single"
                                    else " after the infusion ends"))
        elif mo.met:
            self.min_obs.setText(f"Minimum observation met ({mo.elapsed_min:.0f} of "
                                 f"{mo.required_min:.0f} min)")
        else:
            self.min_obs.setText(f"Minimum observation: {mo.remaining_min:.0f} min left "
                                 f"(of {mo.required_min:.0f}, from the {mo.counted_from})")

    def _rate(self, now: datetime) -> None:
        s = self.recorder.session
        if s.dose_mode == "single" and s.infusion_started_at:
            self.rate.setText("single dose given")
            return
        if s.rate_display is None or s.phase not in ("infusing",):
            self.rate.setText("rate —")
            return
        rate, unit = s.rate_display
        text = rate_text(rate, unit, s.weight_kg, s.concentration)
        self.rate.setText(("PAUSED · " if s.paused else "") + text)

    def _news2(self, ev: Evaluation) -> None:
        r = ev.news2
        if r.total is None:
            self.news2.setText("NEWS2 —")
            self.news2.setToolTip(r.response)
            self.news2.setStyleSheet(f"color: {theme.current().dim};")
            return
        color = {"high": theme.alarm_text("high"), "medium": theme.alarm_text("medium"),
                 "low-medium": theme.alarm_text("medium")}.get(r.band, theme.current().ok)
        self.news2.setText(f"NEWS2 {r.total} {r.band}")
        self.news2.setToolTip(r.response)
        self.news2.setStyleSheet(f"color: {color}; font-weight: bold;")

    def _due(self, ev: Evaluation, now: datetime) -> None:
        seen = set()
        for due in ev.schedule:
            seen.add(due.key)
            lab = self.due_labels.get(due.key)
            if lab is None:
                lab = label("", name=f"{due.label} due")
                self.due_labels[due.key] = lab
                self.due_row.addWidget(lab)
            if due.overdue:
                lab.setText(f"{due.label} overdue {int(due.overdue_s // 60)} min")
                lab.setStyleSheet(f"color: {theme.alarm_text('medium')}; font-weight: bold;")
            else:
                lab.setText(f"{due.label} {countdown(due.overdue_s)}")
                lab.setStyleSheet("")
        for key, lab in self.due_labels.items():
            lab.setVisible(key in seen)
