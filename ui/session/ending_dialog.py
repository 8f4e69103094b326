"""The question before monitoring ends (closing the window, leaving the session).
"Keep monitoring" is the default: Enter and Escape keep the session; only a
click on the other button (or Tab to it and Space) ends it. It opens without blocking, so
the window behind keeps repainting its alarms."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QDialog, QHBoxLayout, QVBoxLayout, QWidget

from ui.common.forms import button, label
from ui.common.placement import place_below
from ui.session.ending import Stake


class EndingDialog(QDialog):
    def __init__(self, stake: Stake, action: Callable[[], object],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(stake.title)
        self.setModal(True)
        self._action: Callable[[], object] | None = action
        self.why = label(stake.why, pt=14, bold=True, name="What is still monitored")
        self.stops = label(f"STOPS: {stake.stops}", pt=12, name="What stops")
        self.keeps = label(f"KEEPS: {stake.keeps}", pt=12, name="What goes on")
        for w in (self.why, self.stops, self.keeps):
            w.setWordWrap(True)
            w.setMinimumWidth(520)
        self.stops.setProperty("role", "error")
        self.keep_button = button("Keep monitoring", primary=True, slot=self.reject)
        self.end_button = button(stake.confirm, slot=self.accept)
        self.keep_button.setDefault(True)
        self.end_button.setAutoDefault(False)  # Enter never ends monitoring
        box = QVBoxLayout(self)
        box.setSpacing(10)
        for w in (self.why, self.stops, self.keeps):
            box.addWidget(w)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.end_button)
        row.addWidget(self.keep_button)
        box.addLayout(row)
        self.accepted.connect(self._run)

    def ask(self, below: QWidget | None = None) -> None:
        """Open, under ``below`` (the alarm banner) when given: the question never
        covers the alarms it is about."""
        self.adjustSize()
        self.open()
        place_below(self, below)
        self.keep_button.setFocus()

    def _run(self) -> None:
        action, self._action = self._action, None
        if action is not None:
            action()
