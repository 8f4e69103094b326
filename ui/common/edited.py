"""One hook for "the nurse changed something in this form" (a stale "✓ Saved"
goes, an error that named the field goes)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtWidgets import (
    QAbstractButton,
    QButtonGroup,
    QComboBox,
    QLineEdit,
    QSpinBox,
    QWidget,
)


def on_edit(widgets: Iterable[QWidget | QButtonGroup], slot: Callable[[], None]) -> None:
    """Call ``slot`` when the user changes any of ``widgets``."""
    for w in widgets:
        if isinstance(w, QLineEdit):
            w.textEdited.connect(lambda _t: slot())
        elif isinstance(w, QComboBox):
            w.activated.connect(lambda _i: slot())
        elif isinstance(w, QSpinBox):
            w.valueChanged.connect(lambda _v: slot())
        elif isinstance(w, QButtonGroup):
            w.buttonClicked.connect(lambda _b: slot())
        elif isinstance(w, QAbstractButton):
            w.clicked.connect(lambda _checked: slot())  # clicked passes a bool
        else:
            raise TypeError(f"on_edit: no edit signal for {type(w).__name__}")
