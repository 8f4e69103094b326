"""One line, always reserved, for what a row of fields refuses. It shows one message
whole, naming the field and what it allows: the one of the field the cursor is in, else
the row's first; the others are named after it ("+2 more: RR, Temp") and their fields
are outlined red. Messages are placed by hand, never by a layout, so no message ever
widens the window or moves anything above or beside the line."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QFontMetrics, QResizeEvent
from PySide6.QtWidgets import QApplication, QLabel, QSizePolicy, QWidget

GAP = 14  # between the message shown and the names of the others
PAD = 4   # a label's text needs a little more than its advance


def titled(title: str, text: str) -> str:
    """A field's message as shown: named after its field ("Rate abc: …")."""
    return f"{title} {text}" if text and title else text


class FieldMessage(QLabel):
    """A field's message, named after its field on the shared line. ``text()`` is the
    whole message; the line decides whether it is the one on show."""

    def __init__(self, line: MessageLine, title: str, name: str) -> None:
        super().__init__(line)
        self.line = line
        self.title = title
        self.said = False  # asked to be shown (the line may show another one instead)
        self.setAccessibleName(name)
        self.setProperty("role", "error")
        self.setWordWrap(False)
        QLabel.setVisible(self, False)

    def setText(self, text: str) -> None:
        shown = titled(self.title, text)
        super().setText(shown)
        self.setToolTip(shown)
        self.line.arrange()

    def clear(self) -> None:
        self.setText("")

    def setVisible(self, visible: bool) -> None:
        self.said = visible
        self.line.arrange()

    def full_text(self) -> str:
        """The message said for this field ("" when none), shown or not."""
        return self.text() if self.said else ""


class MessageLine(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.messages: list[FieldMessage] = []
        self._fields: dict[QWidget, FieldMessage] = {}
        self.more = QLabel(self)
        self.more.setAccessibleName("More refused fields")
        self.more.setProperty("role", "error")
        self.more.hide()
        font = self.font()
        font.setBold(True)
        self.setFixedHeight(QFontMetrics(font).height() + 2)
        # The grid gives the line its width; the line never asks for one.
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)

    def add(self, name: str, title: str = "", *, field: QWidget | None = None) -> FieldMessage:
        """A message for the field ``title`` (none: the row's general message), in row
        order; ``field``: the input it is about (its message shows while the cursor is
        in it)."""
        message = FieldMessage(self, title, name)
        self.messages.append(message)
        if field is not None:
            self._fields[field] = message
            field.installEventFilter(self)
        return message

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.FocusIn, QEvent.Type.FocusOut):
            self.arrange()
        return False

    def said(self) -> list[FieldMessage]:
        return [m for m in self.messages if m.said and m.text()]

    def lead(self) -> FieldMessage | None:
        """The message on show: the focused field's, else the row's first."""
        said = self.said()
        focus = self._fields.get(QApplication.focusWidget())  # type: ignore[arg-type]
        if focus in said:
            return focus
        return said[0] if said else None

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.arrange()

    def arrange(self) -> None:
        lead = self.lead()
        for message in self.messages:
            QLabel.setVisible(message, message is lead)
        if lead is None:
            self.more.hide()
            return
        width, height = self.width(), self.height()
        lead_width = min(lead.fontMetrics().horizontalAdvance(lead.text()) + PAD, width)
        lead.setGeometry(0, 0, lead_width, height)
        rest = [m for m in self.said() if m is not lead]
        others = [m.title or "other" for m in rest]
        self.more.setToolTip("\n".join(m.text() for m in rest))
        room = width - lead_width - GAP
        if not others or room <= 0:
            self.more.hide()
            return
        metrics = self.more.fontMetrics()
        text = f"+{len(others)} more: {', '.join(others)}"
        if metrics.horizontalAdvance(text) + PAD > room:
            text = f"+{len(others)} more"  # the fields stay outlined red
        self.more.setText(text)
        self.more.setGeometry(lead_width + GAP, 0, room, height)
        self.more.show()
