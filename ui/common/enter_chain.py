"""Enter moves on: in a form's chain of fields, Enter in a line edit, in a spin box or
on a closed combo box moves the focus to the next shown field; in the last field it
presses the form's button when one is given (the start form gives none: it never
opens a session by Enter)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractSpinBox, QComboBox, QLineEdit, QWidget

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


class _EnterKey(QObject):
    """Enter on a closed combo box or in a spin box does ``act`` (an open list keeps its
    own Enter: it picks the highlighted item). A spin box takes its typed text first."""

    def __init__(self, field: QWidget, act: Callable[[], object]) -> None:
        super().__init__(field)
        self.act = act

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent)
                or not _enter(event.key())):
            return False
        if isinstance(watched, QComboBox) and watched.view().isVisible():
            return False
        if isinstance(watched, QAbstractSpinBox):
            watched.interpretText()
        self.act()
        return True


def _next_shown(rest: tuple[QWidget, ...]) -> QWidget:
    return next((w for w in rest if w.isVisibleTo(w.window())), rest[-1])


def on_enter(field: QWidget, act: Callable[[], object]) -> None:
    """Enter in ``field`` (a line edit, a closed combo box or a spin box) does ``act``."""
    if isinstance(field, QLineEdit):
        field.returnPressed.connect(lambda: act())
    elif isinstance(field, QComboBox | QAbstractSpinBox):
        field.installEventFilter(_EnterKey(field, act))


def enter_moves_on(chain: Sequence[QWidget], then: Callable[[], object] | None = None
                   ) -> None:
    """Each field's Enter focuses the next field of ``chain`` that is shown; the last
    field's Enter does ``then`` (the form's own button: Record), when given."""
    for i, field in enumerate(chain):
        rest = tuple(chain[i + 1:])
        if rest:
            on_enter(field, partial(_focus_next, rest))
        elif then is not None:
            on_enter(field, then)


def _focus_next(rest: tuple[QWidget, ...]) -> None:
    _next_shown(rest).setFocus(_tab_focus())
