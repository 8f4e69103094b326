"""The note that a session was reopened or resumed ("Nothing recorded was lost").

It shares the top row with what is due, so it is short-lived: it goes after the
nurse's first entry in that session or after a minute, whichever comes first, and at
once when the session's page closes. Its facts (the phase, the number of entries) are
those of the moment of reopening: it never outlives the page they describe, so the
start page never shows "infusing" for a session that was closed and signed since."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QLabel, QWidget

from monitor.model.events import Event
from ui.common.bridge import RecorderBridge

SHOWN_MS = 60_000  # then what is due has the top row back


class ResumeNotice(QObject):
    """Shows ``label``'s note for a page, and takes it back (``clear``)."""

    def __init__(self, label: QLabel, parent: QWidget) -> None:
        super().__init__(parent)
        self.label = label
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(SHOWN_MS)
        self.timer.timeout.connect(self.clear)
        self._bridge: RecorderBridge | None = None

    def show(self, text: str, bridge: RecorderBridge, *, visible: bool = True) -> None:
        """The note, until the first entry the bridge reports from a person, or a minute."""
        self.clear()
        self.label.setText(text)
        self.label.setVisible(visible)
        self._bridge = bridge
        bridge.recorded.connect(self._on_recorded)
        self.timer.start()

    def _on_recorded(self, events: Sequence[Event], _evaluation: Any) -> None:
        # Hers: not the rules' own decisions (an overdue prompt at the first tick) nor
        # a bedside monitor's samples.
        if any(e.source == "manual" for e in events):
            self.clear()

    def clear(self) -> None:
        self.timer.stop()
        if self._bridge is not None:
            self._bridge.recorded.disconnect(self._on_recorded)
            self._bridge = None
        self.label.setText("")
        self.label.hide()
