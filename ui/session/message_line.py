"""One line, always reserved, for what a row of fields refuses: the messages sit
side by side ("HR 400: 20 to 300 /min"), never wrap and never widen the window
(the whole text is in the tooltip), so nothing above or beside them moves."""

from __future__ import annotations

from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QWidget


class FieldMessage(QLabel):
    """A field's message, named after its field on the shared line."""

    def __init__(self, title: str, name: str) -> None:
        super().__init__()
        self.title = title
        self.setAccessibleName(name)
        self.setProperty("role", "error")
        self.setWordWrap(False)
        # Ignored: a long message is cut at the window's edge, never widens it.
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.setMinimumWidth(40)
        self.hide()

    def setText(self, text: str) -> None:
        shown = f"{self.title} {text}" if text and self.title else text
        super().setText(shown)
        self.setToolTip(shown)


class MessageLine(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.row = QHBoxLayout(self)
        self.row.setContentsMargins(0, 0, 0, 0)
        self.row.setSpacing(14)
        self.row.addStretch(1)
        font = self.font()
        font.setBold(True)
        self.setFixedHeight(QFontMetrics(font).height() + 2)

    def add(self, name: str, title: str = "", *, stretch: bool = False) -> FieldMessage:
        """A message for the field ``title`` (none: the row's general message)."""
        message = FieldMessage(title, name)
        self.row.insertWidget(self.row.count() - 1, message, 2 if stretch else 1)
        return message
