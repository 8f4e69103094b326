"""Play the seeded demo session in the window at --speed simulated seconds
per real second, through the same recorder as a nurse's entries."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

from PySide6.QtCore import QObject, QTimer

from monitor.app.simulator import DemoScript, play
from monitor.record.recorder import Recorder


class SimClock:
    """Wall time, sped up: starts at ``start`` and runs ``speed`` times faster."""

    def __init__(self, start: datetime, speed: float) -> None:
        self.start = start
        self.speed = speed
        self._t0 = time.monotonic()

    def now(self) -> datetime:
        return self.start + timedelta(seconds=(time.monotonic() - self._t0) * self.speed)

    def elapsed_s(self) -> float:
        return (self.now() - self.start).total_seconds()


class DemoDriver(QObject):
    def __init__(self, recorder: Recorder, script: DemoScript, clock: SimClock,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.recorder = recorder
        self.script = script
        self.clock = clock
        self.index = 0
        self.timer = QTimer(self)
        self.timer.setInterval(100)
        self.timer.timeout.connect(self._on_timeout)

    def start(self) -> None:
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()
        close = getattr(self.script.device_feed, "close", None)
        if close is not None:
            close()
            self.script.device_feed = None

    @property
    def finished(self) -> bool:
        return self.index >= len(self.script.steps)

    def _on_timeout(self) -> None:
        self.index = play(self.script, self.recorder, None, self.clock.start,
                          until_s=self.clock.elapsed_s(), from_index=self.index)
        if self.finished:
            self.timer.stop()
