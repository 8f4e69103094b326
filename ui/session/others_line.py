"""The other patients' alarms, in the banner's top row while one session is on
screen: a session left for the list is still evaluated and still sounds, so its
unacknowledged alarms must never be out of sight ("✓ No active alarms" on this
patient's banner must not read as "nobody is alarming"). Coloured and flashing as
its worst unacknowledged alarm requires (CLINICAL §5), with the word and symbol, and
a button (Ctrl+O) that opens that session (asking first, as leaving does, when this
session still watches a patient)."""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QWidget

from monitor.model.session import Priority
from ui.common import theme
from ui.common.forms import button, label
from ui.session.alarm_banner import alarm_style
from ui.session.background import Left

KEY = "Ctrl+O"


def describe(left: Left) -> str:
    """One session's part of the line, the facts first (the end may be cut at 1280 px):
    "MRN300001 LOW ×3: SpO2 no data · sounding"."""
    assert left.unacked is not None
    return (f"{left.patient} {theme.PRIORITY_WORD[left.unacked]} ×{left.count}: "
            f"{left.head} · {left.heard}")


class OthersLine(QFrame):
    """Hidden while no other watched session has an unacknowledged alarm."""

    switch_requested = Signal(str)  # the session id to open

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("OthersLine")
        self.setAccessibleName("Other sessions alarming")
        self.session_id = ""
        self.priority = Priority.LOW
        self.lit = True
        self.text = label("", bold=True, name="Also alarming", fit=True)
        self.open = button("", "Open the other alarming session", slot=self._on_open)
        # As low as the row's other buttons: the banner's top row never grows.
        self.open.setStyleSheet("padding: 0 6px; min-height: 20px;")
        box = QHBoxLayout(self)
        box.setContentsMargins(6, 0, 2, 0)
        box.addWidget(self.text, 1)
        box.addWidget(self.open)
        self.flash = QTimer(self)
        self.flash.timeout.connect(self._on_flash)
        self.hide()

    def show_left(self, lefts: list[Left]) -> None:
        """``lefts``: the other sessions with an unacknowledged alarm, worst first."""
        first = lefts[0] if lefts else None
        if first is None or first.unacked is None:
            self.session_id = ""
            self.flash.stop()
            self.hide()
            return
        self.session_id = first.session_id
        self.priority = first.unacked
        self.text.setText(f"{theme.PRIORITY_SYMBOL[self.priority]} Also alarming: "
                          + "; ".join(describe(left) for left in lefts))
        self.open.setText(f"Open  {KEY}")  # the patient is named just before it
        self.open.setToolTip(f"Open {first.patient}'s session")
        half = theme.FLASH_HALF_PERIOD_MS.get(self.priority)
        if half is None:  # low: steady
            self.flash.stop()
            self._paint(True)
        elif not self.flash.isActive() or self.flash.interval() != half:
            self.flash.start(half)
            self._paint(True)
        else:
            self._paint(self.lit)
        self.show()

    def _on_flash(self) -> None:
        self._paint(not self.lit)

    def _paint(self, lit: bool) -> None:
        self.lit = lit
        self.setStyleSheet(alarm_style("QFrame#OthersLine", self.priority, lit=lit,
                                       acknowledged=False))

    def _on_open(self) -> None:
        if self.session_id:
            self.switch_requested.emit(self.session_id)

    def stop(self) -> None:
        self.flash.stop()
