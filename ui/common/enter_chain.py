"""Enter moves on: in a form's chain of fields, Enter in a line edit or on a closed
combo box moves the focus to the next shown field (it never submits the form)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QComboBox, QLineEdit, QWidget

ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class _ComboEnter(QObject):
    """Enter on a closed combo box focuses the next field (an open list keeps its own
    Enter: it picks the highlighted item)."""

    def __init__(self, combo: QComboBox, target: Callable[[], QWidget]) -> None:
        super().__init__(combo)
        self.target = target

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent)
                and event.key() in ENTER and isinstance(watched, QComboBox)
                and not watched.view().isVisible()):
            self.target().setFocus(Qt.FocusReason.TabFocusReason)
            return True
        return False


def enter_moves_on(chain: Sequence[QWidget]) -> None:
    """Each field's Enter focuses the next field of ``chain`` that is shown."""
    for i, field in enumerate(chain[:-1]):
        rest = tuple(chain[i + 1:])

        def target(rest: tuple[QWidget, ...] = rest) -> QWidget:
            return next((w for w in rest if w.isVisibleTo(w.window())), rest[-1])

        if isinstance(field, QLineEdit):
            field.returnPressed.connect(lambda t=target: t().setFocus(
                Qt.FocusReason.TabFocusReason))
        elif isinstance(field, QComboBox):
            field.installEventFilter(_ComboEnter(field, target))
