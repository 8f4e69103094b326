"""A small modal confirmation, centred on the window where the nurse is looking.
A plain question ("Record this?"): Enter confirms, Escape cancels. A question that
carries a warning (``warned``): the safe button is the default and Enter or Escape
choose it, wherever the focus is; going through takes a deliberate click, or Tab to
the confirm button and Space. It opens without blocking (``open``), so the rest of
the window keeps repainting and tests can click its buttons."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QDialog, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from monitor.errors import ConfirmationNeeded, MonitorError
from ui.common.forms import InlineErrors, button, label, restyle

T = TypeVar("T")


class ConfirmDialog(QDialog):
    def __init__(self, parent: QWidget | None = None, *, title: str = "Confirm") -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setModal(True)
        self._action: Callable[[], object] | None = None
        self.warned = False
        self.question = label("", pt=14, bold=True, name="Confirm question")
        self.question.setWordWrap(True)
        self.question.setMinimumWidth(360)
        self.confirm_button = button("Confirm", primary=True, slot=self.accept)
        self.cancel_button = button("Cancel", slot=self.reject)
        self.confirm_button.setDefault(True)
        box = QVBoxLayout(self)
        box.addWidget(self.question)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.confirm_button)
        row.addWidget(self.cancel_button)
        box.addLayout(row)
        self.accepted.connect(self._run)
        self.rejected.connect(self._drop)

    def ask(self, question: str, action: Callable[[], object], *,
            confirm_text: str = "Confirm", warned: bool = False) -> None:
        """Show ``question``; run ``action`` only when the nurse confirms. ``warned``: the
        question carries a warning, so the safe button is the default (a reflex Enter
        goes back)."""
        self._action = action
        self.question.setText(question)
        # A question with its warnings reads better wide than tall (on screen at 1280×800).
        self.question.setMinimumWidth(560 if len(question) > 160 else 360)
        self.confirm_button.setText(confirm_text)
        self._set_default(warned)
        self.adjustSize()
        self.open()
        self.safe_default().setFocus()

    def safe_default(self) -> QPushButton:
        """The button Enter presses: "Cancel"/"Go back" when the question warns."""
        return self.cancel_button if self.warned else self.confirm_button

    def _set_default(self, warned: bool) -> None:
        self.warned = warned
        for btn, default in ((self.confirm_button, not warned), (self.cancel_button, warned)):
            btn.setAutoDefault(default)  # Enter on the focused confirm button does not confirm
            btn.setDefault(default)
            restyle(btn, "role", "primary" if default else None)  # the default looks it

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Enter that no focused button took (the confirm button, a label) goes back when
        # the question warns: only Space on the confirm button or a click goes through.
        if self.warned and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.reject()
            return
        super().keyPressEvent(event)

    def pending(self) -> bool:
        return self._action is not None and self.isVisible()

    def _drop(self) -> None:
        self._action = None

    def _run(self) -> None:
        action, self._action = self._action, None
        if action is not None:
            action()


def question_text(question: str, warnings: list[str]) -> str:
    """One question for one action: what will be recorded, then every warning about it."""
    if not warnings:
        return question
    listed = "\n".join(f"• {w}" for w in warnings)
    return f"{question}\n\nConfirm anyway?\n{listed}".strip()


def check_then_ask(dialog: ConfirmDialog, errors: InlineErrors, attempt: Callable[[], T],
                   question: Callable[[], str], done: Callable[[T | None], object]) -> None:
    """Check first, ask after (never "Change rate to abc?"): ``attempt`` runs the core
    call; a refusal is shown next to its fields and nothing is asked; a valid entry that
    needs a confirmation (ConfirmationNeeded, all its warnings at once) is asked about in
    ONE dialog, and its retry records it; ``done`` gets what was recorded (or None)."""
    errors.clear()
    try:
        result = attempt()
    except ConfirmationNeeded as exc:
        retry = exc.retry
        dialog.ask(question_text(question(), exc.warnings),
                   lambda: done(errors.call(retry)),
                   confirm_text="Confirm anyway" if exc.warnings else "Confirm",
                   warned=bool(exc.warnings))
        return
    except MonitorError as exc:
        errors.show(exc)
        done(None)
        return
    done(result)
