"""Enter moves on: in a form's chain of fields, Enter in a line edit or on a closed
combo box moves the focus to the next shown field (it never submits the form)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QComboBox, QLineEdit, QWidget

if TYPE_CHECKING:
    from PySide6.QtCore import Qt


def _enter(key: object) -> bool:
    # Qt's namespace is imported here, not at import: building its enums costs ~18 ms
    # (ui/common/startup.py), which must not come before the window's first paint.
    from PySide6.QtCore import Qt
    return key in (Qt.Key.Key_Return, Qt.Key.Key_Enter)


def _tab_focus() -> Qt.FocusReason:
    from PySide6.QtCore import Qt  # as in _enter
    return Qt.FocusReason.TabFocusReason


class _ComboEnter(QObject):
    """Enter on a closed combo box focuses the next field (an open list keeps its own
    Enter: it picks the highlighted item)."""

    def __init__(self, combo: QComboBox, target: Callable[[], QWidget]) -> None:
        super().__init__(combo)
        self.target = target

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent)
                and _enter(event.key()) and isinstance(watched, QComboBox)
                and not watched.view().isVisible()):
            self.target().setFocus(_tab_focus())
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
                _tab_focus()))
        elif isinstance(field, QComboBox):
            field.installEventFilter(_ComboEnter(field, target))
