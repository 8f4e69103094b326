"""Header, always visible: who, what protocol, phase, dose, what is due, NEWS2.
Short words, every fact: at 1280 px nothing the nurse needs is cut (issue 23 #14);
a paused infusion is a calm band of its own, never the running "INFUSING"."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QWidget

from monitor.clinical.rules.consciousness import consciousness_level
from monitor.clinical.rules.engine import Evaluation
from monitor.model.dosing import rate_text
from monitor.model.parameters import fmt
from monitor.model.session import Phase, Priority
from monitor.record.recorder import Recorder
from ui.common import theme
from ui.common.forms import as_typed, label, line_edit
from ui.common.texts import span

PHASE_TEXT = {Phase.BASELINE: "BASELINE", Phase.INFUSING: "INFUSING",
              Phase.RECOVERY: "RECOVERY", Phase.DISCHARGED: "DISCHARGED",
              Phase.CLOSED: "CLOSED (signed)"}
PAUSED_TEXT = "‖ PAUSED"
# A paused infusion: a steady, calm band (not an alarm colour, not the running white).
PAUSED_BAND = "background: #4B5D8C; color: #FFFFFF; padding: 0 5px; border-radius: 3px;"
# NEWS2 needs all seven; "—" says which are missing, in the header's words.
NEWS2_SHORT = {"rr": "RR", "spo2": "SpO2", "o2": "air/O2", "sbp": "BP", "hr": "HR",
               "acvpu": "ACVPU", "temp": "temp"}
HEADER_PT = 13


def countdown(seconds: float) -> str:
    """Time left until an observation is due: 'in 4 min', 'in 30 s'."""
    s = int(abs(seconds))
    return f"in {s // 60} min" if s >= 60 else f"in {s} s"


class HeaderView(QWidget):
    def __init__(self, recorder: Recorder, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.recorder = recorder
        self._setup_ui()
        self._layout()

    def _setup_ui(self) -> None:
        pt = HEADER_PT
        # Never cut (nor shrunk): the other words take a shorter form instead.
        self.patient = label("", pt=pt, bold=True, name="Patient")
        self.patient.setTextFormat(Qt.TextFormat.PlainText)  # a name is shown as typed
        self.protocol = label("", "dim", name="Protocol", fit=True)
        self.phase = label("", pt=pt, bold=True, name="Phase")
        self.elapsed = label("", pt=pt, name="Time since infusion start")
        self.rate = label("", pt=pt, name="Current rate", fit=True)
        self.dose = label("", pt=pt, bold=True, name="Dose so far", fit=True)
        self.news2 = label("", pt=pt - 2, name="NEWS2")
        # In recovery it takes the rate's place (no rate runs then): the time left matters.
        self.min_obs = label("", pt=pt, name="Minimum observation", fit=True)
        self.overdue = label("", name="Overdue observations", fit=True)
        warn = theme.alarm_text(Priority.MEDIUM)
        self.overdue.setStyleSheet(f"color: {warn}; font-weight: bold;")
        self.next_due = label("", name="Next observations due", fit=True)
        self.link = label("", bold=True, name="Clinic server", fit=True)  # clinic: the spool
        self.link.setStyleSheet(f"color: {theme.alarm_text(Priority.MEDIUM)};")
        self.nurse = line_edit("Nurse ID", "nurse ID", 72)
        # As tall as the header's words: the row costs the charts no more than its text.
        self.nurse.setStyleSheet("padding: 0 2px; min-height: 20px;")
        self.nurse.setText(str(self.recorder.session.opening.get("nurse_id", "")))
        self._forms: dict[str, tuple[str, ...]] = {}  # each label's wordings, longest first

    def _layout(self) -> None:
        """One row: who, phase, time, rate, dose, NEWS2, nurse. What is due next sits
        in ``due_widget``, which the session page puts in the banner's top row."""
        grid = QGridLayout(self)
        grid.setContentsMargins(6, 0, 6, 0)
        grid.setHorizontalSpacing(8)
        for col, w in enumerate((self.patient, self.phase, self.elapsed, self.rate, self.dose,
                                 self.news2)):
            grid.addWidget(w, 0, col)
        grid.addWidget(self.min_obs, 0, 3)  # shown instead of the rate in recovery
        # What must never be cut keeps its width; the patient's line may end in "…".
        grid.setColumnStretch(0, 1)
        nurse_box = QHBoxLayout()
        nurse_box.addWidget(label("Nurse", "dim"))
        nurse_box.addWidget(self.nurse)
        grid.addLayout(nurse_box, 0, 6)
        self.due_widget = QWidget()
        due_box = QHBoxLayout(self.due_widget)
        due_box.setContentsMargins(0, 0, 0, 0)
        due_box.setSpacing(8)
        # Each takes the room its words need (cut only when there is none left).
        due_box.addWidget(self.overdue)
        self.next_title = label("Next:", "dim")
        due_box.addWidget(self.next_title)
        due_box.addWidget(self.next_due)
        due_box.addWidget(self.link)
        due_box.addStretch(1)

    @property
    def nurse_id(self) -> str:
        return self.nurse.text().strip()

    def show_link(self, text: str) -> None:
        """The clinic server's link as the service says it ('' hides it)."""
        self.link.setText(text)
        self.link.setVisible(bool(text))

    def refresh(self, ev: Evaluation) -> None:
        s = self.recorder.session
        o = s.opening
        now = ev.now
        name = f" · {o['display_name']}" if o.get("display_name") else ""
        self.patient.setText(f"{o.get('patient_id')} · {fmt(s.weight_kg)} kg{name}")
        self.protocol.setText(f"{self.recorder.protocol.name} · {o.get('indication')}")
        self.patient.setToolTip(as_typed(f"{self.patient.text()}\n{self.protocol.text()}"))
        paused = s.paused and s.phase is Phase.INFUSING
        self.phase.setText(PAUSED_TEXT if paused else PHASE_TEXT[s.phase])
        self.phase.setStyleSheet(PAUSED_BAND if paused else "")
        self.phase.setToolTip("Infusion paused: nothing runs until Resume" if paused else "")
        start = s.infusion_started_at
        self.elapsed.setText(f"T+{span((s.discharged_at or now) - start)}" if start
                             else "not started")
        self._rate(now)
        self.dose.setText(f"{s.dose_mg(now):.1f} mg · {s.dose_mg_per_kg(now):.2f} mg/kg")
        self._news2(ev)
        self._due(ev, now)
        self._min_obs(ev)
        self._fit()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        """The longest wording that fits the row: first every word, then the shorter
        forms (the same facts: the rate without mg/h, which the dose beside it gives;
        NEWS2's consciousness source in brief). The patient's label never gives way."""
        for level in range(max((len(f) for f in self._forms.values()), default=1)):
            for lab, forms in ((self.rate, self._forms.get("rate")),
                               (self.news2, self._forms.get("news2"))):
                if forms:
                    tip = lab.toolTip()  # the whole wording, kept on hover
                    lab.setText(forms[min(level, len(forms) - 1)])
                    lab.setToolTip(tip)
            if self._row_width() <= self.width():
                return

    def _row_width(self) -> int:
        shown = [w for w in (self.patient, self.phase, self.elapsed, self.rate, self.min_obs,
                             self.dose, self.news2) if not w.isHidden()]
        nurse = 72 + self.fontMetrics().horizontalAdvance("Nurse") + 12
        return sum(w.sizeHint().width() for w in shown) + nurse + 8 * len(shown) + 12

    def _min_obs(self, ev: Evaluation) -> None:
        """The minimum observation left, shown in recovery where the rate was; before,
        what it will be (in the elapsed time's tooltip)."""
        s = self.recorder.session
        mo = ev.min_observation
        recovery = s.phase is Phase.RECOVERY
        self.min_obs.setVisible(recovery)
        self.rate.setVisible(not recovery)
        if s.phase in (Phase.DISCHARGED, Phase.CLOSED):
            self.min_obs.setText("Observation ended (discharged)")
        elif mo is None:
            minimum = self.recorder.protocol.header.min_observation_min
            self.min_obs.setText(f"Observe ≥ {fmt(minimum)} min "
                                 + ("after the dose" if s.dose_mode == "single"
                                    else "after the infusion ends"))
        elif mo.met:
            self.min_obs.setText(f"✓ Observed {mo.elapsed_min:.0f} of "
                                 f"{mo.required_min:.0f} min")
        else:
            self.min_obs.setText(f"Observe {mo.remaining_min:.0f} min more "
                                 f"(of {mo.required_min:.0f})")
            self.min_obs.setToolTip(f"{self.min_obs.text()}, counted from the "
                                    f"{mo.counted_from}")
        if not recovery:
            self.elapsed.setToolTip(f"Time since dosing started\n{self.min_obs.text()}")

    def _rate(self, now: datetime) -> None:
        s = self.recorder.session
        if s.dose_mode == "single" and s.infusion_started_at:
            self._forms["rate"] = ("single dose given",)
            self.rate.setText("single dose given")
            return
        if s.rate_display is None or s.phase is not Phase.INFUSING:
            self._forms["rate"] = ("rate —",)
            self.rate.setText("rate —")
            return
        rate, unit = s.rate_display
        text = rate_text(rate, unit, s.weight_kg, s.concentration, sep=" · ")
        # The short form keeps what is prescribed and what the pump is set to: with a
        # syringe's concentration the mL/h (the mg/h then in the hover), else the mg/h.
        parts = text.split(" · ")
        pump_in_ml = any(p.endswith(" mL/h") for p in parts)
        brief = " · ".join(p for p in parts if not (pump_in_ml and p.endswith(" mg/h")))
        # While paused nothing runs: beside the PAUSED band, the rate it was paused at and
        # resumes at ("PAUSED at 0.35 mg/kg/h"), not "= 0.0 mg/h".
        self._forms["rate"] = (f"at {text}", f"at {brief}") if s.paused else (text, brief)
        self.rate.setText(self._forms["rate"][0])
        self.rate.setToolTip(f"Paused; resumes at {text}" if s.paused else text)

    def _news2(self, ev: Evaluation) -> None:
        r = ev.news2
        if r.total is None:
            missing = [NEWS2_SHORT.get(m, m) for m in r.missing]
            # Every missing part named when they are few, else counted (all on hover).
            count = f"NEWS2 — {len(missing)} missing"
            first = ("NEWS2 —" if not missing else
                     "NEWS2 — no " + ", ".join(missing) if len(missing) <= 2 else
                     f"NEWS2 — {len(missing)} of 7 missing")
            # the count only where it is shorter ("no temp" says more than "1 missing")
            self._forms["news2"] = (first, *((count,) if missing and len(count) < len(first)
                                             else ()))
            self.news2.setText(self._forms["news2"][0])
            self.news2.setToolTip(r.response)
            self.news2.setStyleSheet(f"color: {theme.current().dim};")
            return
        warn = theme.alarm_text(Priority.MEDIUM)
        color = {"high": theme.alarm_text(Priority.HIGH), "medium": warn,
                 "low-medium": warn}.get(r.band, theme.current().ok)
        text = f"NEWS2 {r.total} {r.band}"
        tip = r.response
        level = consciousness_level(self.recorder.session, self.recorder.protocol)
        # Why consciousness scored (CLINICAL §7: the sedation score wins): said where
        # NEWS2 is, in brief, and in full on hover.
        why = level.short() if level is not None and r.scores.get("acvpu") else ""
        if why and level is not None:
            tip = f"{tip}\n{level.explained()}"
        self._forms["news2"] = ((f"{text} · {why}", f"NEWS2 {r.total} · {why}") if why
                                else (text,))
        self.news2.setText(self._forms["news2"][0])
        self.news2.setToolTip(tip)
        self.news2.setStyleSheet(f"color: {color}; font-weight: bold;")

    def _due(self, ev: Evaluation, now: datetime) -> None:
        """Overdue first (amber, bold), then what is due next, grouped by time:
        "Sedation overdue 15 min · BP HR SpO2 RR in 10 min"."""
        overdue = [f"{d.label} overdue {int(d.overdue_s // 60)} min"
                   for d in ev.schedule if d.overdue]
        overdue += [d.label for d in ev.schedule if d.missed]  # stays visibly missed
        by_time: dict[str, list[str]] = {}
        for d in ev.schedule:
            if not d.overdue and not d.missed:
                by_time.setdefault(countdown(d.overdue_s), []).append(d.label)
        upcoming = [f"{' '.join(names)} {when}" for when, names in by_time.items()]
        self.overdue.setText(" · ".join(overdue))
        self.overdue.setVisible(bool(overdue))
        self.next_due.setText(" · ".join(upcoming))
        self.next_title.setVisible(bool(upcoming))
