"""The wheel never changes a spin box or a drop-down that has no focus: a nurse
scrolling a panel must not change a score on the way; the wheel goes to the
scrollable area around it instead. (Enter on a focused button is the buttons'
own ``autoDefault``: see ``ui.common.forms.button``.)

Installed per widget, not on the application: an application-wide Python
filter would run for every event of every widget, repaints included."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QWidget,
)


class WheelOnlyWithFocus(QObject):
    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.Wheel or not isinstance(obj, QWidget):
            return False
        if obj.hasFocus():
            return False
        parent = obj.parentWidget()
        while parent is not None and not isinstance(parent, QAbstractScrollArea):
            parent = parent.parentWidget()
        if parent is not None:
            QApplication.sendEvent(parent.verticalScrollBar(), event)
        return True  # never to the spin box or drop-down itself


_filter: WheelOnlyWithFocus | None = None


def quiet_wheel(root: QWidget) -> None:
    """Every spin box and drop-down under ``root`` (and ``root`` itself): focus by
    click or Tab only (Qt would give focus on the first wheel turn, then spin),
    and the wheel ignored while unfocused."""
    # Here: the start page imports this module before its first paint, and Qt's
    # namespace costs ~18 ms to build (ui/common/startup.py).
    from PySide6.QtCore import Qt
    global _filter
    if _filter is None:
        _filter = WheelOnlyWithFocus(QApplication.instance())
    widgets = [*root.findChildren(QAbstractSpinBox), *root.findChildren(QComboBox)]
    if isinstance(root, QAbstractSpinBox | QComboBox):
        widgets.append(root)
    for w in widgets:
        if w.property("quietWheel"):
            continue
        w.setProperty("quietWheel", True)
        w.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        w.installEventFilter(_filter)
