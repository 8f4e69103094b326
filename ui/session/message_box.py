"""One reserved place, under a panel's buttons, for what its fields refuse: each message
names its field ("Rate abc: a number from 0.01 to 3 mg/kg/h") and wraps at the panel's
width, whole. Its room is kept while empty and it sits below every field and button, so
nothing the nurse aims at moves when a message comes or goes, and a long message never
widens the panel (no sideways scroll bar)."""

from __future__ import annotations

from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from ui.session.message_line import titled

# Lines kept free while no message shows: the usual refusal fits in them.
RESERVED_LINES = 2


class WrappedMessage(QLabel):
    """A field's message, named after its field ("Rate abc: …"), that wraps at the width
    it is given instead of being cut."""

    def __init__(self, title: str, name: str) -> None:
        super().__init__()
        self.title = title
        self.setAccessibleName(name)
        self.setProperty("role", "error")
        self.setWordWrap(True)
        # Ignored across: the text wraps at the panel's width, never asks for more.
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(0)
        self.hide()

    def setText(self, text: str) -> None:
        shown = titled(self.title, text)
        super().setText(shown)
        self.setToolTip(shown)


class MessageBox(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.column = QVBoxLayout(self)
        self.column.setContentsMargins(0, 0, 0, 0)
        self.column.setSpacing(2)
        font = self.font()
        font.setBold(True)
        self.setMinimumHeight(QFontMetrics(font).lineSpacing() * RESERVED_LINES + 4)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Minimum)

    def add(self, name: str, title: str = "") -> WrappedMessage:
        """A message for the field ``title`` (none: the panel's general message)."""
        message = WrappedMessage(title, name)
        self.column.addWidget(message)
        return message
