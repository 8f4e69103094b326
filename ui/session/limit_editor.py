"""Change an alarm limit for this session (with a reason, e.g. a physician's
order); the limits are every limit the registry allows, named as a monitor names
them ("EtCO2 (mmHg): upper limit, high alarm"). When this patient's own
baseline is beyond a limit (a beta-blocked HR 50), the core's offer of a
per-patient limit is one click away."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QVBoxLayout

from monitor.clinical.protocols import LIMIT_KEYS, LIMIT_PARAMS
from monitor.clinical.rules.baseline_offer import LimitOffer
from monitor.clinical.rules.conditions import effective_limits
from monitor.model.events import Event
from ui.common.forms import InlineErrors, RecorderPanel, button, error_label, hrow, label, line_edit
from ui.common.texts import clock, limit_name


class LimitEditor(RecorderPanel):

    def _setup_ui(self) -> None:
        self.limit = QComboBox()
        self.limit.setAccessibleName("Limit to change")
        for param in LIMIT_PARAMS:  # the registry's parameters that take limits
            for key in LIMIT_KEYS:
                self.limit.addItem(limit_name(f"{param}.{key}"), f"{param}.{key}")
        self.limit.currentIndexChanged.connect(lambda _i: self._show_limit())
        self.limit_value = line_edit("New limit", "new value (blank: none)", 160)
        self.limit_reason = line_edit("Limit change reason", "reason, e.g. physician order")
        self.limit_button = button("Change limit", slot=self.change_limit)
        self.limit_now = label("", "dim", name="Current limit")
        self.last = label("", "saved", name="Last limit change")
        self.general = error_label("Limit error")
        self.errors = InlineErrors(self.general, {})
        self.offer = label("", name="Per-patient limit offer")
        self.offer.setWordWrap(True)
        self.offer_button = button("Set for this patient", "Accept the per-patient limit",
                                   slot=self.accept_offer)
        self._show_limit()
        self.refresh_offer()

    def _layout(self) -> None:
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(label("Alarm limit for this session", bold=True))
        box.addLayout(hrow(self.offer, self.offer_button, stretch=False))
        box.addLayout(hrow(self.limit, self.limit_now))
        box.addLayout(hrow(self.limit_value, self.limit_reason, self.limit_button,
                           stretch=False))
        box.addWidget(self.last)
        box.addWidget(self.general)

    def _show_limit(self) -> None:
        param, _, key = str(self.limit.currentData()).partition(".")
        now = effective_limits(self.recorder.session, self.recorder.protocol, param).get(key)
        self.limit_now.setText(f"now: {'none' if now is None else f'{now:g}'}")

    def _offers(self) -> list[LimitOffer]:
        return self.recorder.last_evaluation.limit_offers

    def refresh_offer(self) -> None:
        offers = self._offers()
        self.offer.setText(offers[0].message if offers else "")
        self.offer.setVisible(bool(offers))
        self.offer_button.setVisible(bool(offers))

    def accept_offer(self) -> Event | None:
        """Record the offered limit as a limit change, with the offer's reason."""
        offers = self._offers()
        if not offers:
            return None
        first = offers[0]
        event = self.errors.call(lambda: self.recorder.change_limit(
            self._nurse(), first.limit, first.suggested, first.reason))
        if event is not None:
            self._show_limit()
            self.last.setText(f"✓ {limit_name(first.limit)} set to {first.suggested:g} for "
                              f"this patient, {clock(event.recorded_at)}")
            self.refresh_offer()
        return event

    def change_limit(self) -> Event | None:
        event = self.errors.call(lambda: self.recorder.change_limit(
            self._nurse(), str(self.limit.currentData()), self.limit_value.text(),
            self.limit_reason.text()))
        if event is not None:
            self.limit_value.clear()
            self.limit_reason.clear()
            self._show_limit()
            self.last.setText(f"✓ {limit_name(event.payload['limit'])} changed, "
                              f"{clock(event.recorded_at)}")
            self.refresh_offer()
        return event
