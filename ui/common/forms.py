"""Small helpers shared by the entry widgets: labels, inline errors, guarded calls."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import QSize
from PySide6.QtGui import QPainter, QPaintEvent
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget

from monitor.errors import ConfirmationNeeded, MonitorError, ValidationError
from ui.common.texts import plain_times

if TYPE_CHECKING:
    from monitor.record.recorder import Recorder

T = TypeVar("T")


def as_typed(text: str) -> str:
    """A tooltip's text shown as typed: Qt draws a tooltip that looks like markup as
    markup, so such a text is escaped (line breaks kept)."""
    return f"<p style='white-space:pre-wrap'>{html.escape(text)}</p>" if "<" in text else text


class FitLabel(QLabel):
    """A one-line label that never widens the window: when short of room it ends
    in "…" and the whole text is in its tooltip. Its text is plain text: a name, an
    identifier or an error's text that looks like markup is shown as typed, never drawn
    (a heading's size, an image read from a file)."""

    def __init__(self, text: str = "") -> None:
        super().__init__()
        self.setText(text)

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        hint.setWidth(min(hint.width(), 40))
        return hint

    def setText(self, text: str) -> None:
        if "<" in text and self.textFormat() != _plain():  # only "<" can start markup
            self.setTextFormat(_plain())
        super().setText(text)
        self.setToolTip(text)

    def setToolTip(self, text: str) -> None:
        super().setToolTip(as_typed(text))

    def paintEvent(self, event: QPaintEvent) -> None:
        metrics = self.fontMetrics()
        text = self.text()
        if metrics.horizontalAdvance(text) <= self.contentsRect().width():
            super().paintEvent(event)
            return
        # Imported here: the Qt namespace's enums cost ~18 ms to build (ui/common/
        # startup.py), and most labels fit, so the first paint does not pay for them.
        from PySide6.QtCore import Qt
        painter = QPainter(self)
        elided = metrics.elidedText(text, Qt.TextElideMode.ElideRight,
                                    self.contentsRect().width())
        painter.drawText(self.contentsRect(), self.alignment(), elided)


def _plain() -> Any:
    # Imported when a text could be markup: the Qt namespace costs the first paint ~18 ms.
    from PySide6.QtCore import Qt
    return Qt.TextFormat.PlainText


def restyle(widget: QWidget, name: str, value: object) -> None:
    """Set a property that the style sheet selects on, and re-polish only if it changed
    (the first polish also touches Qt's enums: not before the window's first paint)."""
    if widget.property(name) == value:
        return
    widget.setProperty(name, value)
    widget.style().unpolish(widget)
    widget.style().polish(widget)


def label(text: str = "", role: str | None = None, *, pt: int | None = None,
          bold: bool = False, name: str | None = None, fit: bool = False) -> QLabel:
    w = FitLabel(text) if fit else QLabel(text)
    if role:
        w.setProperty("role", role)
    if pt or bold:
        f = w.font()
        if pt:
            f.setPointSize(pt)
        f.setBold(bold)
        w.setFont(f)
    if name:
        w.setAccessibleName(name)
        w.setObjectName(name.replace(" ", "_"))
    return w


def line_edit(name: str, placeholder: str = "", width: int | None = None) -> QLineEdit:
    w = QLineEdit()
    w.setAccessibleName(name)
    w.setObjectName(name.replace(" ", "_"))
    w.setPlaceholderText(placeholder)
    if width:
        w.setFixedWidth(width)
    return w


def button(text: str, name: str | None = None, *, primary: bool = False,
           slot: Callable[[], Any] | None = None) -> QPushButton:
    w = QPushButton(text)
    w.setAccessibleName(name or text.replace("&", ""))
    w.setObjectName((name or text).replace("&", "").replace(" ", "_"))
    # Enter (or Return) on the focused button clicks it, as Space does; Qt does this
    # by itself only in dialogs.
    w.setAutoDefault(True)
    if primary:
        w.setProperty("role", "primary")
    if slot is not None:
        # clicked(bool) would fill a slot's first default argument with `checked`.
        w.clicked.connect(lambda _checked=False, s=slot: s())
    return w


class InlineErrors:
    """Show a ValidationError next to the fields it names; other errors in one label."""

    def __init__(self, general: QLabel, fields: dict[str, tuple[QWidget | None, QLabel]]) -> None:
        self.general = general
        self.fields = fields
        # Called with a ConfirmationNeeded (an unusual but valid entry) when set;
        # otherwise the warnings are shown like an error and nothing is stored.
        self.on_confirm: Callable[[ConfirmationNeeded], None] | None = None
        # What a field allows, in the words of this form (a protocol's title, not its code)
        self.allowed: dict[str, str] = {}
        for widget, lab in fields.values():
            if isinstance(widget, QLineEdit):  # the message goes once the field is edited
                widget.textEdited.connect(lambda _t, w=widget, lb=lab: self._clear_one(w, lb))
            elif isinstance(widget, QComboBox):  # ... or once another choice is made
                widget.currentIndexChanged.connect(
                    lambda _i, w=widget, lb=lab: self._clear_one(w, lb))

    @staticmethod
    def _clear_one(widget: QWidget | None, lab: QLabel) -> None:
        lab.clear()
        lab.hide()
        if widget is None:
            return
        restyle(widget, "invalid", False)

    def clear_field(self, field: str) -> None:
        """Take back the message of ``field`` (it now holds a valid value)."""
        widget, lab = self.fields[field]
        self._clear_one(widget, lab)

    def clear(self) -> None:
        self.general.clear()
        self.general.hide()
        for widget, lab in self.fields.values():
            self._clear_one(widget, lab)

    def show(self, exc: MonitorError) -> None:
        self.clear()
        leftovers = []
        errors = exc.errors if isinstance(exc, ValidationError) else []
        for err in errors:
            target = self.fields.get(err.field)
            if target is None:
                leftovers.append(str(err))
                continue
            widget, lab = target
            allowed = self.allowed.get(err.field, err.allowed)
            text = f"{allowed}" if err.value == "" else f"{err.value!s}: {allowed}"
            lab.setText(plain_times(text))
            lab.show()
            if widget is not None:
                restyle(widget, "invalid", True)
        if not isinstance(exc, ValidationError):
            leftovers.append(str(exc))
        if leftovers:
            self.general.setText(plain_times("; ".join(leftovers)))
            self.general.show()

    def call(self, fn: Callable[[], T]) -> T | None:
        """Run a core call; on a MonitorError show it and return None."""
        try:
            result = fn()
        except ConfirmationNeeded as exc:
            if self.on_confirm is None:
                self.show(exc)
            else:
                self.clear()
                self.on_confirm(exc)
            return None
        except MonitorError as exc:
            self.show(exc)
            return None
        self.clear()
        return result


class RecorderPanel(QWidget):
    """Base of the entry panels: the recorder, the current nurse's ID, then
    ``_setup_ui`` and ``_layout`` (widgets built first, placed second)."""

    def __init__(self, recorder: Recorder, nurse: Callable[[], str],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.recorder = recorder
        self._nurse = nurse
        self._setup_ui()
        self._layout()

    def _setup_ui(self) -> None:
        raise NotImplementedError

    def _layout(self) -> None:
        raise NotImplementedError

    def set_closed(self, closed: bool) -> None:
        """A closed, signed record takes only notes: what this panel records goes off.
        Panels that keep part of themselves (notes, reading, export) say which."""
        self.setEnabled(not closed)


def hrow(*widgets: QWidget, stretch: bool = True) -> QHBoxLayout:
    """A row of widgets, left-aligned (a stretch after them unless told otherwise)."""
    row = QHBoxLayout()
    for w in widgets:
        row.addWidget(w)
    if stretch:
        row.addStretch(1)
    return row


def error_label(name: str) -> QLabel:
    lab = label("", "error", name=name)
    lab.setWordWrap(True)
    lab.hide()
    return lab
