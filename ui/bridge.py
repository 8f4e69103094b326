"""Re-emit the core's plain-Python notifications as a Qt signal.

Signals crossing threads are queued, so a device thread recording through
the core still lands on the GUI thread.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from monitor.events import Event
from monitor.recorder import Recorder
from monitor.rules.engine import Evaluation


class RecorderBridge(QObject):
    recorded = Signal(object, object)  # list[Event], Evaluation

    def __init__(self, recorder: Recorder, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.recorder = recorder
        self._unsubscribe = recorder.subscribe(self._on_recorded)

    def _on_recorded(self, events: list[Event], evaluation: Evaluation) -> None:
        self.recorded.emit(events, evaluation)

    def detach(self) -> None:
        self._unsubscribe()
