"""Infusion controls. Check first, ask after: every action is validated by the core
first (a refused value is said next to its field and nothing is asked); a valid one
states its number and unit, and every warning about it, in ONE small modal
confirmation (Enter confirms) before anything is recorded. The optional time field
back-dates the action to when it was done (a local wall-clock time). The pump is
programmed in mL/h: the rate is shown in mL/h exactly, and may be typed in mL/h with
the syringe's concentration."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from monitor.clinical.predose import checklist_items, latest_checklist
from monitor.clinical.validation import PLAUSIBLE
from monitor.model.dosing import rate_text
from monitor.model.events import Event
from monitor.model.parameters import fmt
from monitor.model.session import Phase
from monitor.model.vocabulary import CHECKLIST_ITEMS, RATE_UNITS
from monitor.record.recorder import Recorder
from monitor.wallclock import WallTime
from ui.common.confirm import ConfirmDialog, check_then_ask
from ui.common.forms import InlineErrors, RecorderPanel, button, hrow, label, line_edit
from ui.common.timefield import wall_time
from ui.session.message_box import MessageBox

# An infusion action: the core call, given the time and whether to only check and ask.
Action = Callable[[datetime | None, bool], Event]


class InfusionPanel(RecorderPanel):
    def __init__(self, recorder: Recorder, nurse: Callable[[], str],
                 parent: QWidget | None = None) -> None:
        super().__init__(recorder, nurse, parent)
        # What the Rate and Concentration fields were last filled from (see _follow).
        self._filled_from: tuple[object, ...] | None = None
        self.refresh()

    def _setup_ui(self) -> None:
        plan = self.recorder.protocol
        self.single = plan.dose_mode == "single"
        self.rate = line_edit("Rate", "rate", 100)
        self.rate.setText(fmt(plan.dose_plan.rate or 0) if not self.single else "")
        self.unit = QComboBox()
        self.unit.addItems(list(RATE_UNITS))
        self.unit.setCurrentText(plan.dose_plan.rate_unit or "mg/kg/h")
        self.unit.setAccessibleName("Rate unit")
        self.concentration = line_edit("Concentration mg/mL", "mg/mL (optional)", 130)
        self.dose = line_edit("Dose mg", "dose mg", 100)
        if self.single:
            self.dose.setText(fmt(plan.dose_plan.dose_mg or 56))
        self.lot = line_edit("Lot", "lot (optional)", 120)
        self.reason = line_edit("Pause reason", "pause reason", 180)
        self.bolus = line_edit("Bolus mg", "bolus mg", 100)
        self.start_button = button("Give dose" if self.single else "Start infusion",
                                   slot=self.ask_start)
        self.rate_button = button("Change rate", slot=self.ask_rate)
        self.pause_button = button("Pause", slot=self.ask_pause)
        self.resume_button = button("Resume", slot=self.ask_resume)
        self.bolus_button = button("Give bolus", slot=self.ask_bolus)
        self.stop_button = button("End infusion", slot=self.ask_stop)
        # Enter in a field presses its row's action (check first, ask after), as in vitals.
        for edit in (self.rate, self.concentration):
            edit.returnPressed.connect(self._rate_entered)
        for edit in (self.dose, self.lot):
            edit.returnPressed.connect(self.ask_start)
        self.reason.returnPressed.connect(self.ask_pause)
        self.bolus.returnPressed.connect(self.ask_bolus)
        self.time = line_edit("Infusion action time", "now", 90)
        # What a field refuses is said in one reserved place under the buttons, naming
        # the field (its box turns red): nothing moves when a message comes or goes.
        self.messages = MessageBox()
        self.time_error = self.messages.add("Infusion time error", "Time")
        self.dialog = ConfirmDialog(self, title="Confirm infusion action")
        self.question = self.dialog.question
        self.confirm_button = self.dialog.confirm_button
        self.cancel_button = self.dialog.cancel_button
        # The clinic's pre-infusion checklist, answered before dosing.
        self.checklist: dict[str, QComboBox] = {}
        for key in checklist_items(plan):
            combo = QComboBox()
            combo.addItems(["—", "yes", "no"])
            combo.setAccessibleName(CHECKLIST_ITEMS[key])
            self.checklist[key] = combo
        self.checklist_button = button("Record checklist", slot=self.record_checklist)
        self.checklist_state = label("", "dim", name="Checklist state")
        self.state = label("", pt=14, name="Infusion state")
        self.state.setWordWrap(True)
        # A refused value is said under the buttons, named (check first, ask after).
        self.field_errors: dict[str, QLabel] = {
            name: self.messages.add(f"{name} error", title) for name, title in (
                ("rate", "Rate"), ("concentration", "Concentration"), ("dose", "Dose"),
                ("lot", "Lot"), ("reason", "Pause reason"), ("bolus", "Bolus"))}
        self.general = self.messages.add("Infusion error")
        fe = self.field_errors
        fields: dict[str, tuple[QWidget | None, QLabel]] = {
            "observed_at": (self.time, self.time_error),
            "concentration": (self.concentration, fe["concentration"]),
            "lot": (self.lot, fe["lot"]), "reason": (self.reason, fe["reason"])}
        for key in ("rate_mg_kg_h", "rate_mg_h", "rate_ml_h", "rate_unit"):
            fields[key] = (self.rate, fe["rate"])
        # "bolus_mg" names the esketamine dose field or the bolus field, by protocol.
        fields["bolus_mg"] = (self.dose, fe["dose"]) if self.single else (self.bolus,
                                                                           fe["bolus"])
        self.errors = InlineErrors(self.general, fields)

    def _layout(self) -> None:
        outer = QVBoxLayout(self)
        outer.addWidget(self.state)
        grid = QGridLayout()
        rows: list[tuple[str, QWidget]]
        if self.single:
            rows = [("Dose (mg)", self.dose), ("Lot", self.lot)]
        else:
            # The unit beside the rate: one row less, so Start stays on screen under the
            # checklist at 1366×768 with the alarm banner's room kept.
            rate = QWidget()
            rate_row = QHBoxLayout(rate)
            rate_row.setContentsMargins(0, 0, 0, 0)
            rate_row.addWidget(self.rate)
            rate_row.addWidget(self.unit)
            rate_row.addStretch(1)
            rows = [("Rate", rate), ("Concentration", self.concentration),
                    ("Pause reason", self.reason), ("Bolus", self.bolus)]
        rows.append(("Time (blank = now)", self.time))
        self.row_titles: dict[QWidget, QLabel] = {}
        for at, (title, widget) in enumerate(rows):
            self.row_titles[widget] = label(title, "dim")
            grid.addWidget(self.row_titles[widget], at, 0)
            grid.addWidget(widget, at, 1)
        grid.setColumnStretch(2, 1)
        outer.addLayout(grid)
        if self.checklist:
            self.checklist_box = QWidget()
            items = QGridLayout(self.checklist_box)
            items.setContentsMargins(0, 0, 0, 0)
            items.setVerticalSpacing(2)
            # Two items a row with short names (the full question on hover), so the drawer
            # keeps its width and the start buttons stay on screen.
            for i, (key, combo) in enumerate(self.checklist.items()):
                text = label(_short(CHECKLIST_ITEMS[key]), "dim")
                text.setToolTip(CHECKLIST_ITEMS[key])
                combo.setToolTip(CHECKLIST_ITEMS[key])
                items.addWidget(text, i // 2, (i % 2) * 2)
                items.addWidget(combo, i // 2, (i % 2) * 2 + 1)
            last = (len(self.checklist) + 1) // 2
            items.addWidget(self.checklist_button, last, 0, 1, 2)
            items.addWidget(self.checklist_state, last, 2, 1, 2)
            outer.addWidget(self.checklist_box)
        outer.addLayout(hrow(self.start_button, self.rate_button, self.pause_button,
                             self.resume_button))
        outer.addLayout(hrow(self.bolus_button, self.stop_button))
        outer.addWidget(self.messages)
        outer.addStretch(1)

    # -- state ---------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:
        """Each time the panel is shown, its fields say what the pump runs at now."""
        self._follow(force=True)
        super().showEvent(event)

    def _follow(self, *, force: bool = False) -> None:
        """The Rate and Concentration fields from the session: the rate the pump runs at
        and the syringe recorded, never the protocol's plan once dosing has begun (a
        quick "Change rate" must not put the patient back on the plan rate). Filled when
        the panel is built or shown and when the infusion changes (start, rate, pause,
        resume); between those, what the nurse is typing stays."""
        s = self.recorder.session
        if self.single or s.rate_display is None:
            return  # before dosing: the plan's rate, as set up
        now = (s.rate_display, s.concentration, s.paused, s.phase)
        if not force and now == self._filled_from:
            return
        self._filled_from = now
        rate, unit = s.rate_display
        self.rate.setText(fmt(rate))
        self.unit.setCurrentText(unit)
        self.concentration.setText(fmt(s.concentration) if s.concentration else "")
        for field in ("rate_unit", "concentration"):  # (the rate's fields share one message)
            self.errors.clear_field(field)

    def refresh(self) -> None:
        self._follow()
        s = self.recorder.session
        phase = s.phase
        if self.checklist:
            self.checklist_box.setVisible(phase is Phase.BASELINE)
            done = phase is Phase.BASELINE and latest_checklist(s)  # (only asked before dosing)
            self.checklist_state.setText("✓ Checklist recorded" if done else
                                         "Pre-infusion checklist: answer every item")
        self.start_button.setVisible(phase is Phase.BASELINE)
        # Pause and bolus are for a running infusion: before it, their rows step aside so
        # the checklist and Start stay on screen.
        for widget in (self.reason, self.bolus):
            if widget in self.row_titles:
                shown = phase in (Phase.INFUSING, Phase.RECOVERY) and (widget is self.bolus
                                                               or phase is Phase.INFUSING)
                widget.setVisible(shown)
                self.row_titles[widget].setVisible(shown)
        infusing = phase is Phase.INFUSING
        for b in (self.rate_button, self.stop_button):
            b.setVisible(infusing)
        self.pause_button.setVisible(infusing and not s.paused)
        self.resume_button.setVisible(infusing and s.paused)
        self.bolus_button.setVisible(phase in (Phase.INFUSING, Phase.RECOVERY) and not self.single)
        if phase is Phase.BASELINE:
            plan = self.recorder.protocol.dose_plan.text
            self.state.setText(f"Not started · plan: {plan}")
        elif s.rate_display and infusing:
            rate, unit = s.rate_display
            self.state.setText(("PAUSED · " if s.paused else "Running · ") + f"{fmt(rate)} {unit}")
        else:
            total = s.dose_mg(self.recorder.clock.now())
            self.state.setText(f"Dosing ended · total {total:.1f} mg")

    def _ask(self, question: Callable[[], str], action: Action) -> None:
        """Check first, ask after: the time and the values are validated by the core
        (``ask=True`` stores nothing); only a valid action is asked about, with every
        warning about it, in one dialog."""
        found: list[WallTime | None] = [None]

        def attempt() -> Event:
            found[0] = wall_time(self.time.text(), self.recorder.clock.now())
            return action(found[0].when if found[0] else None, True)

        def asked() -> str:
            text = question()
            wt = found[0]
            if wt is not None:
                text += f" (at {wt.local:%H:%M})" + (f"\n{wt.note}" if wt.note else "")
            return text

        check_then_ask(self.dialog, self.errors, attempt, asked, self._done)

    def _done(self, event: Event | None) -> None:
        if event is not None:
            self.time.clear()
            self.reason.clear()
            self.bolus.clear()
        self.refresh()

    def set_closed(self, closed: bool) -> None:
        self.setEnabled(not closed)

    def record_checklist(self) -> Event | None:
        answers = {k: c.currentText() for k, c in self.checklist.items()}
        event = self.errors.call(lambda: self.recorder.record_checklist(self._nurse(), {
            k: (None if v == "—" else v) for k, v in answers.items()}))
        self.refresh()
        return event

    def _rate_text(self) -> str:
        """The rate as the nurse will program it (called once the core has accepted it)."""
        unit = self.unit.currentText()
        rate = float(self.rate.text().replace(",", "."))
        try:
            conc: float | None = float(self.concentration.text().replace(",", "."))
        except ValueError:
            conc = self.recorder.session.concentration
        text = rate_text(rate, unit, self.recorder.session.weight_kg, conc or None)
        return text + (f" at {fmt(conc)} mg/mL" if conc else "")

    def ask_start(self) -> None:
        n = self._nurse
        if self.single:
            self._ask(lambda: f"Give {self.dose.text().strip()} mg esketamine now?",
                      lambda t, ask: self.recorder.start_infusion(
                          n(), dose_mg=self.dose.text(), lot=self.lot.text(), observed_at=t,
                          ask=ask))
            return
        self._ask(lambda: f"Start infusion at {self._rate_text()}?",
                  lambda t, ask: self.recorder.start_infusion(
                      n(), rate=self.rate.text(), rate_unit=self.unit.currentText(),
                      concentration=self.concentration.text(), observed_at=t, ask=ask))

    def _rate_entered(self) -> None:
        """Enter in the rate or concentration: Start before dosing, Change rate during it."""
        phase = self.recorder.session.phase
        if phase is Phase.BASELINE:
            self.ask_start()
        elif phase is Phase.INFUSING:
            self.ask_rate()

    def ask_rate(self) -> None:
        self._ask(lambda: f"Change rate to {self._rate_text()}?",
                  lambda t, ask: self.recorder.change_rate(
                      self._nurse(), self.rate.text(), self.unit.currentText(),
                      concentration=self.concentration.text(), observed_at=t, ask=ask))

    def ask_pause(self) -> None:
        self._ask(lambda: f"Pause the infusion (reason: {self.reason.text().strip()})?",
                  lambda t, ask: self.recorder.pause_infusion(
                      self._nurse(), self.reason.text(), observed_at=t, ask=ask))

    def ask_resume(self) -> None:
        rate = self.recorder.session.rate_display
        text = f"{fmt(rate[0])} {rate[1]}" if rate else ""
        self._ask(lambda: f"Resume the infusion at {text}?",
                  lambda t, ask: self.recorder.resume_infusion(self._nurse(), observed_at=t,
                                                               ask=ask))

    def ask_bolus(self) -> None:
        rng = PLAUSIBLE["bolus_mg"]
        self._ask(lambda: f"Give a bolus of {self.bolus.text().strip()} mg "
                          f"(allowed {fmt(rng.low)}–{fmt(rng.high)} mg)?",
                  lambda t, ask: self.recorder.give_bolus(self._nurse(), self.bolus.text(),
                                                          observed_at=t, ask=ask))

    def ask_stop(self) -> None:
        total = self.recorder.session.dose_mg(self.recorder.clock.now())
        self._ask(lambda: f"End the infusion now (total so far {total:.1f} mg) and start "
                          "recovery?",
                  lambda t, ask: self.recorder.stop_infusion(self._nurse(), observed_at=t,
                                                             ask=ask))

    def is_half_typed(self) -> bool:
        return self.dialog.pending()


def _short(question: str) -> str:
    """A checklist question as a short label: "Concomitant opioids" → "Takes opioids"."""
    text = question.split(" (")[0]
    return "Takes " + text.removeprefix("Concomitant ") if text.startswith("Concomitant ") \
        else text
