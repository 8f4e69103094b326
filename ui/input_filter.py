"""Window-wide keyboard and wheel rules, installed once on the application:

- Enter (Return or keypad Enter) activates the focused button, as Space does;
  Qt does that only inside dialogs.
- The wheel never changes a spin box or a drop-down that has no focus: a nurse
  scrolling a panel must not change a score on the way. The wheel goes to the
  scrollable area around it instead.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent, QWheelEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDialog,
    QWidget,
)

ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class InputFilter(QObject):
    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.KeyPress and isinstance(obj, QAbstractButton):
            return self._enter_on_button(obj, event)  # type: ignore[arg-type]
        if isinstance(obj, QAbstractSpinBox | QComboBox):
            if kind == QEvent.Type.Polish:
                # Not WheelFocus: Qt would give focus on the first wheel turn, then spin.
                obj.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            elif kind == QEvent.Type.Wheel:
                return self._wheel(obj, event)  # type: ignore[arg-type]
        return False

    @staticmethod
    def _enter_on_button(button: QAbstractButton, event: QKeyEvent) -> bool:
        if event.key() not in ENTER_KEYS or event.modifiers() not in (
                Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.KeypadModifier):
            return False
        if not (button.hasFocus() and button.isEnabled() and button.isVisible()):
            return False
        if isinstance(button.window(), QDialog) and getattr(button, "isDefault", bool)():
            return False  # the dialog's own default-button handling
        button.click()
        return True

    @staticmethod
    def _wheel(widget: QWidget, event: QWheelEvent) -> bool:
        if widget.hasFocus():
            return False
        parent = widget.parentWidget()
        while parent is not None and not isinstance(parent, QAbstractScrollArea):
            parent = parent.parentWidget()
        if parent is not None:
            QApplication.sendEvent(parent.verticalScrollBar(), event)
        return True  # never to the spin box or drop-down itself


_installed: InputFilter | None = None


def install(app: QApplication) -> InputFilter:
    """Install the filter once per application (every window shares it)."""
    global _installed
    if _installed is None:
        _installed = InputFilter(app)
        app.installEventFilter(_installed)
    return _installed
